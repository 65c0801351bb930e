"""The shape of the code: no import cycle, short functions, and no printed word of a language in Python."""
import ast
import re
from pathlib import Path

import yaml

from conftest import PROJECT

CODE = PROJECT / "docgen"
MAX_LINES = 60


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(CODE.rglob("*.py")):
        name = ".".join(("docgen",) + path.relative_to(CODE).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The docgen modules a module imports, at the top or inside a function."""
    package = name if name.endswith("writers") or name == "docgen" else name.rsplit(".", 1)[0]
    result = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                result.add(candidate if candidate in known else base)
        elif isinstance(node, ast.Import):
            result.update(alias.name for alias in node.names)
    return {m for m in result if m in known and m != name}


def test_the_import_graph_has_no_cycle():
    trees = modules()
    graph = {name: imports(name, tree, set(trees)) for name, tree in trees.items()}
    assert graph["docgen.build"] and graph["docgen.assemble"]   # the graph was read
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            assert state.get(target) != "open", " → ".join(path + [node, target])
            if target not in state:
                visit(target, path + [node])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert not long


# Spelled the same in English, where docgen's messages use it.
# Words that are also the names of data: keys and values of the catalogue and numbers.yaml (jenis: adendum,
# status: ditandatangani, tanggal:, nomor:), which messages name so that the drafter finds them, and the
# titles of articles a message points to (Ketentuan Umum) or an example of a data value (PIHAK KEDUA); the
# key 'catatan' of a fact and of a catalogue entry is also in the name of the DOCX's footnote style.
SHARED = {"final", "adendum", "ditandatangani", "tanggal", "nomor", "ketentuan", "kedua", "catatan"}


def printed_words() -> set[str]:
    """Every word of the words files under templates/lang: the values, not the keys, the {placeholders}
    or the list styles (which name kinds of labels)."""
    found = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str):
            found.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", value)))

    for path in (PROJECT / "templates" / "lang").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.pop("locale", None)
        data["lists"].pop("styles", None)
        collect(data)
    return found - SHARED


def names_not_words(tree: ast.Module) -> set[int]:
    """String constants that name something rather than print it: docstrings, mapping keys, keys
    looked up in data (x['key'], x.get('key')) and names compared against."""
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
        if isinstance(node, ast.Dict):
            ids.update(id(k) for k in node.keys if k is not None)
        elif isinstance(node, ast.Subscript):
            ids.update(id(n) for n in ast.walk(node.slice))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("get", "word", "lines", "paragraphs", "block"):
            ids.update(id(n) for a in node.args for n in ast.walk(a))
        elif isinstance(node, ast.Compare):
            ids.update(id(n) for n in ast.walk(node))
    return ids


def test_no_word_docgen_prints_is_written_in_python():
    vocabulary = printed_words()
    assert {"pasal", "ayat", "huruf", "sebagaimana", "paraf", "draf", "matriks"} <= vocabulary
    found = []
    for name, tree in modules().items():
        skip = names_not_words(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                # a word joined to others by '_', '.' or '/' is part of a name (a block, a file), not printed
                tokens = re.findall(r"[\w./-]+", node.value)
                hits = {t for t in tokens if t.isalpha() and t.lower() in vocabulary}
                if hits:
                    found.append(f"{name}:{node.lineno}: {sorted(hits)} in {node.value!r}")
    assert not found, "\n".join(found)


def test_no_file_keeps_the_markers_of_an_unresolved_merge():
    import subprocess
    files = subprocess.run(["git", "-C", str(PROJECT), "ls-files"], capture_output=True, text=True).stdout.split()
    marker = re.compile(r"^(<{7}|>{7})( |$)", re.M)
    left = [name for name in files if (PROJECT / name).suffix in {".py", ".md", ".yaml", ".j2", ".html", ".css", ".toml"}
            and marker.search((PROJECT / name).read_text(encoding="utf-8", errors="replace"))]
    assert not left, f"unresolved merge markers in {left}"
