"""Read the clause library and its data files; every problem names its file and line."""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import hygiene, schema
from .errors import DocgenError

DOCUMENT_KINDS = ("mou", "pks")
HEADER_KEYS = {"id", "title", "documents", "position"}
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SHARED_FOLDERS = ("common", "pks")
MAX_ID = 38  # a Word bookmark name holds 40 characters: 'K_' + the id
DATA_FILES = ("provinces", "sectors", "programme", "agencies", "numbers", "rules")
# Characters XML 1.0 cannot carry, and the private-use range assembly keeps for itself.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000-\uf8ff]")
MAX_FILE = 20_000_000   # bytes: no clause, data file, template or font is larger


@dataclass(frozen=True)
class Clause:
    """One clause file: one article of one or more document kinds."""
    id: str
    title: str
    documents: tuple[str, ...]
    position: float
    sector: str | None          # the sector or theme folder it lives in, None for common/ and pks/
    path: str                   # as shown in messages, relative to the working folder
    source: str                 # the file with its header blanked out, so lines keep their numbers
    line: int                   # line of the header's `id:`
    file: Path | None = None    # the file itself


@dataclass(frozen=True)
class Library:
    """Everything under clauses/: data files, clauses and the sectors' annex data.

    The one place that knows the library's file layout: where each data file, annex and frame is.
    """
    root: Path
    provinces: dict
    sectors: dict
    programme: dict
    agencies: dict
    numbers: dict
    rules: dict
    clauses: tuple[Clause, ...]
    annexes: dict

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def data_path(self, name: str) -> Path:
        """A data file of DATA_FILES: clauses/<name>.yaml."""
        return self.root / "clauses" / f"{name}.yaml"

    def annex_path(self, sector: str) -> Path:
        return self.root / "clauses" / sector / "lampiran.yaml"

    def frame_path(self, kind: str) -> Path:
        """The frame template of a document kind: its title, preamble, closing and signature blocks."""
        return self.templates / f"{kind}.j2"

    def scope(self) -> list[str]:
        """The sectors the MoU covers, from programme.yaml (mou.bidang)."""
        mou = self.programme["mou"]
        scope = mou.get("bidang") or list(self.sectors)
        for slug in scope:
            if slug not in self.sectors:
                raise DocgenError(f"unknown sector '{slug}' in mou.bidang; use the slugs of sectors.yaml",
                                  mou.path, mou.lines.get("bidang"))
        if len(set(scope)) != len(scope):
            twice = next(slug for slug in scope if scope.count(slug) > 1)
            raise DocgenError(f"sector '{twice}' is listed twice in mou.bidang; list each sector once",
                              mou.path, mou.lines.get("bidang"))
        return list(scope)

    def articles(self, instrument) -> list[Clause]:
        """The clauses of one instrument, in order of position, then the order of its fields: for the MoU
        that of its scope (mou.bidang), the order in which the clauses name the sectors ("Pasal 5 sampai
        dengan Pasal 14"); for a PKS that of its fields in the catalogue."""
        if instrument.kind == "mou":
            order = {slug: i for i, slug in enumerate(self.scope())}
        else:
            order = {f.slug: i for i, f in enumerate(instrument.fields)}
        chosen = [c for c in self.clauses if instrument.kind in c.documents
                  and (c.sector is None or c.sector in order)]
        return sorted(chosen, key=lambda c: (c.position, order.get(c.sector, -1), c.path))

    def inputs(self, instrument, frames: list[str], document=None) -> list[Path]:
        """The files one instrument reads: data files, the catalogue, its fields' annexes and themes, its
        clauses, its frames and the words file it is printed with. A surat kuasa reads the fields of
        `document`, the PKS it authorises, but none of its articles or annexes."""
        files = [self.data_path(name) for name in DATA_FILES if name != "rules"]
        files.append(self.root / "clauses" / "instruments.yaml")
        for field in (document or instrument).fields:
            files.append(self.root / "clauses" / field.slug / "tema.yaml")
            if document is None:
                files.append(self.annex_path(field.slug))
        files += [clause.file for clause in self.articles(instrument)]
        files += [self.templates / frame for frame in frames]
        files.append(self.templates / "lang" / f"{self.programme.get('bahasa', 'id')}.yaml")
        return files

    def data_files(self) -> list[Path]:
        """Every data file of the library: the DATA_FILES and each sector's annex."""
        return [self.data_path(n) for n in DATA_FILES] + [self.annex_path(s) for s in self.sectors
                                                          if self.annex_path(s).exists()]


class LineDict(dict):
    """A YAML mapping that remembers the line of each key, for messages."""
    lines: dict
    path: str


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: reading the library 5x faster
    """Safe YAML without aliases (`*a` of an `&a`): a few lines of them can expand to gigabytes."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects:   # a second use of the same node: an alias
            raise yaml.MarkedYAMLError(problem="anchors and aliases (&name, *name) are not used in docgen data; "
                                       "write the value out", problem_mark=node.start_mark)
        return super().construct_object(node, deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.MarkedYAMLError(problem=f"'{node.value}' is not a date of the calendar; write it YYYY-MM-DD",
                                       problem_mark=node.start_mark) from None


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    offset = getattr(loader, "line_offset", 0)
    mapping.lines = {key.value: key.start_mark.line + 1 + offset for key, _ in node.value}
    mapping.path = loader.name
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def display(path: Path) -> str:
    """A path as a drafter would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def listing(folder: Path) -> list[Path]:
    """The entries of a library folder, sorted; an unreadable folder is a one-line error."""
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        raise DocgenError(f"cannot read the folder ({error.strerror}); fix its permissions", display(folder)) from None


def inside(path: Path, folder: Path) -> Path:
    """`path`, refused when it is a link that leads outside `folder` (the library reads only itself)."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise DocgenError(f"a link to {path.resolve()}, outside {display(folder)}/; copy the file into the "
                          "library instead of linking to it", display(path))
    return path


def read_bytes(path: Path, limit: int = MAX_FILE) -> bytes:
    """A regular file's bytes; a FIFO, device or folder is refused without waiting on it."""
    shown = display(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise DocgenError(f"cannot read the file ({error.strerror}); check that it exists and its "
                          "permissions", shown) from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise DocgenError("not a regular file (a folder, pipe or device); only ordinary files are read "
                              "here: remove it or replace it with a file", shown)
        if info.st_size > limit:
            raise DocgenError(f"the file is {info.st_size:,} bytes, more than {limit:,}; is it the right file?",
                              shown)
        try:
            return stream.read(limit + 1)[:limit]
        except OSError as error:
            raise DocgenError(f"cannot read the file ({error.strerror})", shown) from None


def read_text(path: Path) -> str:
    """A library text file: UTF-8, a regular file, nothing a document must not print."""
    shown = display(path)
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocgenError("not UTF-8 text; save the file as UTF-8", shown, line) from None
    bad = FORBIDDEN.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DocgenError(f"character U+{ord(bad.group()):04X} is not allowed in a document; delete it",
                          shown, line)
    text = text.replace("\r\n", "\n")
    hygiene.inspect(text, shown)
    return text


def parse_yaml(text: str, shown: str, first_line: int = 1):
    """YAML with line-aware mappings; a syntax error names the line."""
    try:
        loader = _Loader(text)
        loader.name = shown
        loader.line_offset = first_line - 1
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        # where the unfinished construct began (an unclosed '[') is where a drafter must look
        mark = error.context_mark or error.problem_mark
        line = first_line + mark.line if mark else first_line
        problem = error.problem or error.context or "malformed YAML"
        fix = "" if "; " in problem else "; check the indentation and quoting"
        raise DocgenError(f"YAML error: {problem}{fix}", shown, line) from None
    except (ValueError, OverflowError, TypeError) as error:  # a value the safe constructors cannot make
        raise DocgenError(f"YAML error: {error}; check the value", shown, first_line) from None


def load_data(path: Path) -> LineDict:
    shown = display(path)
    data = parse_yaml(read_text(path), shown)
    hygiene.inspect_values(data, shown)
    if data is None:
        data = LineDict()
        data.lines, data.path = {}, shown
    if not isinstance(data, dict):
        raise DocgenError("expected a mapping of names to values at the top level", shown, 1)
    return data


def parse_clause(path: Path, sector: str | None) -> Clause:
    """Split one clause file into its header and body, validating the header."""
    shown = display(path)
    text = read_text(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise DocgenError("the file must start with a header between two '---' lines "
                          "(id, title, documents, position)", shown, 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise DocgenError("the header is not closed; add a line '---' after it", shown, 1) from None
    header = parse_yaml("\n".join(lines[1:end]), shown, first_line=2)
    hygiene.inspect_values(header, shown, 2)
    if not isinstance(header, dict):
        raise DocgenError("the header must be 'key: value' lines", shown, 2)
    line_of = lambda key: header.lines.get(key, 2)  # noqa: E731
    unknown = sorted(set(header) - HEADER_KEYS)
    if unknown:
        raise DocgenError(f"unknown header key '{unknown[0]}'; allowed: {', '.join(sorted(HEADER_KEYS))}",
                          shown, line_of(unknown[0]))
    missing = sorted(HEADER_KEYS - set(header))
    if missing:
        raise DocgenError(f"the header has no '{missing[0]}'", shown, 2)
    clause_id = header["id"]
    if not isinstance(clause_id, str) or not ID_PATTERN.match(clause_id) or len(clause_id) > MAX_ID:
        raise DocgenError(f"id must be lowercase words joined by '-', like 'jangka-waktu', at most {MAX_ID} "
                          "characters", shown, line_of("id"))
    if not isinstance(header["title"], str) or not header["title"].strip():
        raise DocgenError("title must be the article title in capitals", shown, line_of("title"))
    documents = header["documents"]
    if isinstance(documents, str):
        documents = [documents]
    if not isinstance(documents, list) or not documents or any(d not in DOCUMENT_KINDS for d in documents):
        raise DocgenError(f"documents must be a list of {' and/or '.join(DOCUMENT_KINDS)}, like [mou]",
                          shown, line_of("documents"))
    position = header["position"]
    if isinstance(position, bool) or not isinstance(position, (int, float)):
        raise DocgenError("position must be a number, like 70", shown, line_of("position"))
    # Blank the header so template line numbers are file line numbers.
    source = "\n" * (end + 1) + "\n".join(lines[end + 1:])
    return Clause(clause_id, header["title"].strip(), tuple(documents), float(position), sector,
                  shown, source, line_of("id"), path)


def _read_data(folder: Path) -> dict:
    """The data files of DATA_FILES, each of the shape docgen reads (schema.py)."""
    data = {}
    for name in DATA_FILES:
        path = folder / f"{name}.yaml"
        if not path.exists():
            raise DocgenError(f"missing data file; create {name}.yaml (see clauses/README.md)", display(path))
        data[name] = load_data(inside(path, folder))
    schema.validate(data["programme"], data["provinces"], data["sectors"], data["agencies"])
    return data


def load(root: Path, problems: list[DocgenError] | None = None) -> Library:
    """Read clauses/ under `root` (the project folder).

    Without `problems` the first problem is raised; with a list, every problem found is
    appended to it and loading goes on with what could be read (for `docgen check`).
    """
    def report(error: DocgenError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    folder = root / "clauses"
    if not folder.is_dir():
        raise DocgenError("no clauses/ folder here; run docgen from the project folder", display(folder))
    data = _read_data(folder)
    sectors = data["sectors"]
    clauses: list[Clause] = []
    annexes: dict = {}
    for entry in listing(folder):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        sector = None if entry.name in SHARED_FOLDERS else entry.name
        # a folder with a tema.yaml is a theme: a field of its own, described in that file
        if sector is not None and sector not in sectors and not (entry / "tema.yaml").exists():
            report(DocgenError(f"folder '{entry.name}' is not a sector of clauses/sectors.yaml; "
                               f"rename it to one of: {', '.join(sectors)}, or add a tema.yaml to make it a theme",
                               display(entry)))
            continue
        for path in listing(entry):
            if path.suffix != ".md" or path.name.startswith("."):
                continue
            try:
                inside(path, folder)
                clauses.append(parse_clause(path, sector))
            except DocgenError as error:
                report(error)
        annex = entry / "lampiran.yaml"
        if sector and annex.exists():
            try:
                annexes[sector] = load_data(inside(annex, folder))
            except DocgenError as error:
                report(error)
    seen: dict[str, Clause] = {}
    unique = []
    for clause in clauses:
        if clause.id in seen:
            first = seen[clause.id]
            report(DocgenError(f"clause id '{clause.id}' is already used by {first.path}:{first.line}; "
                               "give this clause another id", clause.path, clause.line))
            continue
        seen[clause.id] = clause
        unique.append(clause)
    for slug in sectors:
        if not any(c.sector == slug for c in unique):
            report(DocgenError(f"sector '{slug}' has no clauses; add clauses/{slug}/mou.md",
                               sectors.path, sectors.lines.get(slug)))
    return Library(root, data["provinces"], sectors, data["programme"], data["agencies"],
                   data["numbers"], data["rules"], tuple(unique), annexes)
