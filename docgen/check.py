"""`docgen check`: every problem of the library and of every document it can build, as path:line."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from . import consistency, facts, writers
from .assemble import Assembler
from .build import blanks
from .catalogue import Request
from .errors import DocgenError
from .library import Library, display, load, read_text
from .model import Agreement, Article, Item, Paragraph, walk
from .writers import text as writers_text

COUNT = re.compile(r"\b(\d+) \(([a-z][a-z ]*)\)")
# Names a frame template may use besides the clause context: the party of a signature column, the
# title of a field's article (judul_pasal_bidang), the number of a Lampiran among several, and the
# activity of a Lampiran row and its number.
FRAME_NAMES = {"p": "a party", "judul": "an article's title", "lampiran": "the number of an annex and how many there are",
               "k": "an activity of an annex", "n": "its number",
               "adendum": "an adendum: its ordinal, numbers, date, place and the amended instrument's date"}


def check(root: Path, final: bool = False) -> list[DocgenError]:
    """All problems found, in a stable order, without writing anything."""
    problems: list[DocgenError] = []
    try:
        library = load(root, problems)
        assembler = Assembler(library)
    except DocgenError as error:  # a data file itself is unreadable: nothing else can be checked
        return problems + [error]
    try:  # instruments that contradict each other: nothing built from them can be trusted
        consistency.check_catalogue(library, assembler.catalogue)
    except DocgenError as error:
        return problems + [error]
    problems += library_problems(assembler) + _writer_inputs(library)
    documents, assembly_problems = _documents(assembler)
    problems += assembly_problems
    # one line per place to fix: the same line breaks every document that uses it
    unique, seen = [], set()
    for problem in problems:
        key = (problem.path, problem.line) if problem.line else str(problem)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    if final:
        blanks_left = {str(p): p for agreement in documents for p in blanks(agreement)}
        unique += blanks_left.values()
    return unique


def _source(path: Path) -> str | None:
    """The text of a file, None when it cannot be read (loading the library has reported why)."""
    try:
        return read_text(path)
    except DocgenError:
        return None


# ---- without building: the text of every clause and template ---------------------------------

def library_problems(assembler: Assembler) -> list[DocgenError]:
    """Problems of the clause and template texts themselves, without building (build runs these too)."""
    library = assembler.library
    problems = []
    try:  # the names a clause may use come from building a document of each kind
        known = assembler.contexts.names()
        frame_known = known | set(FRAME_NAMES) | assembler.contexts.frame_names()
    except DocgenError as error:
        return [error]
    sources = [(c.path, c.source, known) for c in library.clauses]
    for frame in sorted(library.templates.glob("*.j2")):
        try:
            sources.append((display(frame), read_text(frame), frame_known))
        except DocgenError as error:   # not UTF-8, not a regular file, a character it may not carry
            problems.append(error)
    for path, source, names in sources:
        problems += _template(assembler, path, source, names)
        problems += _counts(path, source, assembler.language)
    for data in library.data_files():
        source = _source(data)
        if source is not None:
            problems += _counts(display(data), source, assembler.language)
    problems += _defined_terms(library)
    problems += _rule_sources(library)
    return problems


# ---- drafting: defined terms are written as defined (UU 12/2011 Lampiran II) -------------------

DEFINITION = re.compile(r"^\s*[-+] (.+?) adalah ")
ABBREVIATION = re.compile(r"yang selanjutnya (?:disingkat|disebut) (\S+(?: [A-Z]\S*)*)")
TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\[#[a-z0-9{}~ .'()_-]+\]")


def defined_terms(library: Library) -> dict[str, list[tuple[str, str, int]]]:
    """Per document kind: (term, file, line) of every term a KETENTUAN UMUM article defines."""
    terms: dict[str, list[tuple[str, str, int]]] = {}
    for clause in library.clauses:
        if clause.title != "KETENTUAN UMUM":
            continue
        for number, line in enumerate(clause.source.split("\n"), start=1):
            found = DEFINITION.match(line)
            if not found:
                continue
            names = [found.group(1)] + ABBREVIATION.findall(found.group(1))
            names = [re.sub(r" yang selanjutnya .*", "", n) for n in names]
            for kind in clause.documents:
                terms.setdefault(kind, []).extend((n, clause.path, number) for n in names if "{" not in n)
    return terms


def _defined_terms(library: Library) -> list[DocgenError]:
    """A defined term written with other capitals ('pihak lainnya' for PIHAK) anywhere its definition applies."""
    problems = []
    for kind, terms in defined_terms(library).items():
        sources = [(c.path, c.source) for c in library.clauses if kind in c.documents]
        if kind == "pks":  # a PKS also prints its sector's programme of activities
            sources += [(d.path, Path(d.path).read_text(encoding="utf-8")) for d in library.annexes.values()]
        patterns = [(term, re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE), path, line)
                    for term, path, line in terms]
        for path, source in sources:
            for number, text in enumerate(source.split("\n"), start=1):
                text = TEMPLATE_CODE.sub(lambda m: " " * len(m.group()), text)
                for term, pattern, where, line in patterns:
                    wrong = next((m.group() for m in pattern.finditer(text) if m.group() != term), None)
                    if wrong:
                        problems.append(DocgenError(
                            f"'{wrong}' is the term '{term}' defined in Ketentuan Umum ({where}:{line}); write it "
                            "exactly as defined", path, number))
    return problems


def _rule_sources(library: Library) -> list[DocgenError]:
    """Every rule of rules.yaml names the regulation (or practice) it comes from."""
    rules = library.rules.get("wajib") or {}
    problems = []
    for kind, entries in (rules.items() if isinstance(rules, dict) else []):
        for entry in entries or []:
            if not isinstance(entry, dict) or not str(entry.get("sumber") or "").strip():
                line = min(entry.lines.values()) if isinstance(entry, dict) and entry.lines else rules.lines.get(kind)
                problems.append(DocgenError("this rule names no source; add 'sumber:' (the regulation and article, "
                                            "or 'regional practice') and 'sumber_terverifikasi: true/false'",
                                            rules.path, line))
    return problems


def _writer_inputs(library: Library) -> list[DocgenError]:
    """Every writer has the template files it reads."""
    return [DocgenError(f"the {writer.name} writer reads templates/{pattern}, which matches no file; restore it")
            for writer in writers.WRITERS.values() for pattern in writer.inputs
            if not list(library.templates.glob(pattern))]


def _template(assembler: Assembler, path: str, source: str, names: set[str]) -> list[DocgenError]:
    env = assembler.sandbox.env
    try:
        tree = env.parse(source, filename=path)   # a construct outside the clause rule fails here
        env.compile(source, filename=path)  # unknown filters and tests fail here
    except jinja2.TemplateSyntaxError as error:
        kind = "error" if isinstance(error, jinja2.TemplateAssertionError) else "syntax"
        return [DocgenError(f"template {kind}: {error.message}", path, error.lineno)]
    problems = []
    undeclared = meta.find_undeclared_variables(tree) - names
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in undeclared:
            problems.append(DocgenError(f"'{node.name}' is not a variable a clause can use; check the spelling "
                                        "(variables: clauses/README.md)", path, node.lineno))
            undeclared.discard(node.name)
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("ref", "pasal") and call.args:
            target = call.args[0]
            if isinstance(target, nodes.Const) and assembler.library.clause(str(target.value)) is None:
                problems.append(DocgenError(f"reference to '{target.value}', which is not a clause id of the "
                                            "library; fix the id (docgen list shows them)", path, call.lineno))
    return problems


def _counts(path: str, source: str, language) -> list[DocgenError]:
    problems = []
    for number, line in enumerate(source.split("\n"), start=1):
        for match in COUNT.finditer(line):
            digits, words = int(match.group(1)), match.group(2).strip()
            if language.terbilang(digits) != words:
                problems.append(DocgenError(f"'{match.group(0)}': {digits} is '{language.terbilang(digits)}'; "
                                            "make the digits and the words agree", path, number))
    return problems


# ---- every document the library can build -----------------------------------------------------

def _documents(assembler: Assembler) -> tuple[list[Agreement], list[DocgenError]]:
    """Every document the library can build, and the problems of building and reading them."""
    documents, problems = [], []
    for request in assembler.catalogue.requests():
        try:
            agreement = assembler.agreement(request)
        except DocgenError as error:
            problems.append(error)
            continue
        documents.append(agreement)
        problems += document_problems(assembler, request, agreement)
    return documents, problems


def document_problems(assembler: Assembler, request: Request, agreement: Agreement) -> list[DocgenError]:
    """What is wrong with one assembled document (build refuses to write it while any is left)."""
    return _roles_and_provinces(assembler, agreement, request) + _mandatory(assembler.library, agreement)


def _roles_and_provinces(assembler: Assembler, agreement: Agreement, request: Request) -> list[DocgenError]:
    """Roles beyond the number of parties, and provinces that are not parties, anywhere in the document."""
    library, language = assembler.library, assembler.language
    codes = request.codes
    impossible = list(library.programme["peran"])[len(codes):]
    absent = [library.provinces[c] for c in library.provinces if c not in codes]
    names = [n for province in absent for n in _names(province)]
    # every part of the document, with the files its text can come from; provinces.yaml and
    # agencies.yaml name each province only for its own party, and clause files are their articles
    files = [p for p in assembler.inputs(request) if p.suffix in (".j2", ".yaml") and p.parent.name != "lang"
             and p not in (library.data_path("provinces"), library.data_path("agencies"))]
    files.sort(key=lambda p: p.suffix != ".j2")   # the frame first: most of the text outside articles
    data = [(display(p), s) for p in files if (s := _source(p)) is not None]
    parts = [(_article_text(a, language), [(a.source, library.clause(a.clause_id).source)])
             for a in agreement.articles]
    parts.append((writers_text.text(dataclasses.replace(agreement, articles=()), language), data))
    problems = []
    for text, sources in parts:
        for needle, pattern, message in (
                [(role, r"\s+".join(map(re.escape, role.split())), f"{role} in the {agreement.name} of {agreement.combination}, which has "
                  f"{len(codes)} parties; write PARA PIHAK or loop over pihak") for role in impossible]
                + [(name, rf"(?<![\w-]){re.escape(name)}(?![\w-])",
                    f"'{name}' is named in the {agreement.name} of {agreement.combination}, but is not a party; "
                    "use the party variables (pihak) instead of a province's name") for name in names]):
            if re.search(pattern, text):
                path, line = _locate(sources, needle)
                problems.append(DocgenError(message, path, line))
    return problems


def _locate(sources: list[tuple[str, str]], needle: str) -> tuple[str, int | None]:
    """The first file (and line) among `sources` that contains `needle`; else the first file."""
    for path, source in sources:
        line = _line_of(source, needle)
        if line:
            return path, line
    return sources[0][0], None


def _names(province: dict) -> list[str]:
    return [str(province[k]) for k in ("pemerintah", "nama", "singkatan", "ibu_kota") if province.get(k)]


def _article_text(article: Article, language) -> str:
    return " ".join(language.plain(line.content) for line in walk(article.paragraphs, (Paragraph, Item)))


def _line_of(source: str, needle: str) -> int | None:
    for number, line in enumerate(source.split("\n"), start=1):
        if needle in line:
            return number
    return None


def _mandatory(library: Library, agreement: Agreement) -> list[DocgenError]:
    rules = library.rules.get("wajib", {})
    required = rules.get(agreement.kind, []) if isinstance(rules, dict) else []
    # the clause's own title: in a document of several fields the printed one also names the field
    titles = {a.title for a in agreement.articles} | {library.clause(a.clause_id).title for a in agreement.articles}
    problems = []
    for rule in required:
        title = rule.get("judul") if isinstance(rule, dict) else rule
        if title not in titles:
            line = rule.lines.get("judul") if isinstance(rule, dict) else rules.lines.get(agreement.kind)
            problems.append(DocgenError(f"the {agreement.name} of {agreement.combination} has no article '{title}', "
                                        "which clauses/rules.yaml requires; add a clause with that title",
                                        rules.path, line))
    return problems


def warnings(root: Path) -> list[DocgenError]:
    """Facts the documents print without a source: they cannot be ticked off on the lembar verifikasi."""
    try:
        library = load(root, [])
    except DocgenError:
        return []
    programme = library.programme
    found = facts.unsourced(library.provinces, "provinsi") + facts.unsourced(library.agencies, "instansi")
    for key in ("mou", "pks"):
        found += facts.unsourced(programme.get(key) or {}, f"program {key}")
    found += facts.unsourced([e for e in programme.get("dasar_hukum", []) if not (isinstance(e, dict) and
                                                                                 "per_pihak" in e)], "dasar hukum")
    found += facts.unsourced(programme.get("kategori_ksdd") or {}, "kategori KSDD")
    for annex in library.annexes.values():
        found += facts.unsourced(annex.get("peran_khusus") or {}, "peran khusus")
    return found


def unamended(assembler: Assembler) -> list[DocgenError]:
    """Signed instruments whose text the working library changes while the catalogue lists no adendum
    being drafted for them: once signed, a change is made by an adendum, never by rebuilding."""
    import tempfile
    from . import adendum
    from .history import History
    from .signed import renumber
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        history = History(assembler, Path(scratch))
        for instrument in assembler.catalogue.instruments:
            if not instrument.revision or any(not a.signed for a in history.adenda(instrument)):
                continue
            try:
                for request in assembler.catalogue.requests(instrument.id):
                    signed = history.texts(request, history.signed(instrument))[-1]
                    now = renumber(signed, assembler.agreement(request), assembler.language)
                    if adendum.steps(signed, now, assembler.language):
                        found.append(DocgenError(
                            f"the text of {instrument.id} for {request.combination} differs from the one signed; "
                            f"add an adendum (jenis: adendum, mengubah: {instrument.id}) to the catalogue, or undo "
                            "the change", instrument.path, instrument.line("revisi")))
                        break
            except DocgenError as error:
                found.append(error)
    return found
