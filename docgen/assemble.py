"""Library + templates → Agreement tree: the sandbox, parties and roles, numbering, references."""
from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import SecurityError

from . import consistency, hygiene, indonesian, markup, sandbox
from .errors import DocgenError
from .library import Clause, Library, display, inside, load_data, read_text
from .model import Agreement, Annex, Article, Blank, Content, Item, Page, Paragraph, Ref, Signature, Table, Text, merged

PAPER_MM = {"F4": (215.0, 330.0), "A4": (210.0, 297.0)}
TOKEN = re.compile("\ue000(\\d+)\ue001")
FRAME_NAME = re.compile(r"[a-z0-9-]+\.j2")


@dataclass(frozen=True)
class Options:
    """How a document is laid out; what it says comes from the library."""
    paper: str = "F4"
    font: str = "Arial"
    plain_numbers: bool = False    # DOCX: plain text instead of SEQ/REF fields


@dataclass(frozen=True)
class _RefCall:
    target: str
    label: str | None
    phrase: bool       # ref() says "sebagaimana dimaksud …", pasal() only the number
    path: str
    line: int


class Marks:
    """References and blanks pass through Jinja as private-use tokens and come back as nodes."""

    def __init__(self) -> None:
        self.items: list[object] = []

    def add(self, value: object) -> str:
        self.items.append(value)
        return f"\ue000{len(self.items) - 1}\ue001"


class _Loader(jinja2.BaseLoader):
    """Clause files by their path, frame templates from templates/."""

    def __init__(self, library: Library, templates: Path):
        self.clauses = {c.path: c for c in library.clauses}
        self.templates = templates

    def get_source(self, environment, name):
        clause = self.clauses.get(name)
        if clause is not None:
            return clause.source, clause.path, lambda: True
        # only the frames themselves (mou.j2, pks.j2): never a path to anywhere else
        path = self.templates / name
        if not FRAME_NAME.fullmatch(name) or not path.exists():
            raise jinja2.TemplateNotFound(name)
        return read_text(inside(path, self.templates)), display(path), lambda: True


class Assembler:
    """Builds agreements from one library; compiled templates are reused across documents."""

    def __init__(self, library: Library, templates: Path, options: Options = Options()):
        self.library = library
        self.templates = templates
        self.options = options
        if options.paper not in PAPER_MM:
            raise DocgenError(f"unknown paper '{options.paper}'; use {' or '.join(PAPER_MM)}")
        fonts = load_data(templates / "fonts" / "fonts.yaml")
        if options.font not in fonts:
            raise DocgenError(f"unknown font '{options.font}'; use {' or '.join(repr(f) for f in fonts)}, "
                              "or add its files to templates/fonts/fonts.yaml", fonts.path)
        self.env = sandbox.Sandbox(
            indonesian.FILTERS, loader=_Loader(library, templates), undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, autoescape=False, auto_reload=False)

    @property
    def _loader(self) -> _Loader:
        return self.env.loader

    # ---- which documents exist -------------------------------------------------------------

    def combinations(self) -> list[tuple[str, ...]]:
        """Every set of two or more provinces, the largest first, in provinces.yaml order."""
        codes = list(self.library.provinces)
        return [combo for size in range(len(codes), 1, -1) for combo in itertools.combinations(codes, size)]

    def parse_parties(self, text: str) -> tuple[str, ...]:
        """'ntb,bali' → ('bali', 'ntb'): known codes, at least two, in the order of provinces.yaml."""
        codes = [c.strip().lower() for c in re.split(r"[,\s]+", text) if c.strip()]
        known = list(self.library.provinces)
        for code in codes:
            if code not in known:
                raise DocgenError(f"unknown province '{code}' in --parties; use {', '.join(known)}")
        if len(set(codes)) < 2:
            raise DocgenError("an agreement needs at least two different provinces in --parties, like bali,ntb")
        return tuple(c for c in known if c in codes)

    def check_sector(self, slug: str) -> str:
        if slug not in self.library.sectors:
            raise DocgenError(f"unknown sector '{slug}'; use one of {', '.join(self.library.sectors)}")
        return slug

    # ---- assembly --------------------------------------------------------------------------

    def mou(self, codes: tuple[str, ...]) -> Agreement:
        return self._agreement("mou", codes, None)

    def pks(self, codes: tuple[str, ...], sector: str) -> Agreement:
        return self._agreement("pks", codes, sector)

    def _agreement(self, kind: str, codes: tuple[str, ...], sector: str | None) -> Agreement:
        lib = self.library
        programme = lib.programme
        combination = "-".join(codes)
        marks = Marks()
        roles = list(programme["peran"])
        if len(codes) > len(roles):
            raise DocgenError(f"programme.yaml names {len(roles)} roles (peran) but the agreement has "
                              f"{len(codes)} parties; add a role", lib.programme.path, lib.programme.lines.get("peran"))
        context = self._context(kind, codes, sector, marks)
        frame = f"{kind}.j2"

        clauses = self.clauses(kind, sector)
        numbers = {c.id: n for n, c in enumerate(clauses, start=1)}
        context["ref"] = lambda target, label=None: marks.add(self._call(target, label, True))
        context["pasal"] = lambda target, label=None: marks.add(self._call(target, label, False))

        drafts = []
        for clause in clauses:
            text = self._render(clause.path, context)
            drafts.append((clause, markup.paragraphs(text, clause.path, numbered=True)))
        labels = {clause.id: {p.label: p.number or "" for p in paras if p.label} for clause, paras in drafts}
        for clause, paras in drafts:
            seen = set()
            for p in paras:
                if p.label and p.label in seen:
                    raise DocgenError(f"label '[#{p.label}]' is used twice in this article", clause.path)
                seen.add(p.label)

        resolve = _Resolver(marks, numbers, labels, kind, combination, lib)

        def block(name: str, extra: dict | None = None) -> str:
            return self._render(frame, {**context, **(extra or {})}, block=name)

        def lines(name: str, extra: dict | None = None) -> tuple[Content, ...]:
            return tuple(resolve.content(line.strip(), None) for line in block(name, extra).split("\n")
                         if line.strip())

        def paras(name: str) -> tuple[Paragraph, ...]:
            text = block(name)
            return tuple(resolve.paragraph(p, None) for p in markup.paragraphs(text, frame, numbered=False))

        articles = tuple(
            Article(clause.id, clause.path, numbers[clause.id], clause.title,
                    tuple(resolve.paragraph(p, clause.id) for p in paragraphs))
            for clause, paragraphs in drafts)
        signatures = []
        for party in context["pihak"]:
            sig = lines("tanda_tangan", {"p": party})
            if len(sig) < 3:
                raise DocgenError("block tanda_tangan must give at least three lines: role, office, name", frame)
            signatures.append(Signature(_text(sig[0]), tuple(itertools.chain(*_joined(sig[1:-1]))), sig[-1]))
        annexes = ()
        if kind == "pks":
            annexes = (self._annex(sector, context, lines, resolve),)
        page = Page(*PAPER_MM[self.options.paper], self.options.font,
                    tuple(lib.provinces[c]["singkatan"] for c in codes))
        agreement = Agreement(
            kind=kind, combination=combination, name=kind if kind == "mou" else f"pks-{sector}",
            title=_text(lines("properti_judul")[0]), subject=_text(lines("properti_subjek")[0]),
            title_lines=lines("judul"), number_lines=lines("nomor"), preamble=paras("pembukaan"),
            articles=articles, closing=paras("penutup"), signatures=tuple(signatures),
            annexes=annexes, page=page)
        return agreement

    def _annex(self, sector: str, context: dict, lines, resolve) -> Annex:
        data = self.library.annexes.get(sector)
        path = f"clauses/{sector}/lampiran.yaml"
        if not data or not isinstance(data.get("kegiatan"), list) or not data["kegiatan"]:
            raise DocgenError("a PKS needs its programme of activities; add 'kegiatan:' with at least one "
                              "activity", getattr(data, "path", path), 1)
        header = tuple(_text(c) for c in lines("lampiran_kolom"))
        rows = []
        for number, activity in enumerate(data["kegiatan"], start=1):
            if not isinstance(activity, dict) or not {"kegiatan", "target", "tahun"} <= set(activity):
                raise DocgenError(f"activity {number} needs kegiatan, target and tahun", data.path,
                                  data.lines.get("kegiatan"))
            leads = activity.get("pelaksana") or {}
            cells = [(Text(f"{number}."),), (Text(str(activity["kegiatan"])),), (Text(str(activity["target"])),)]
            for party in context["pihak"]:
                lead = leads.get(party["kode"])
                cells.append((Text(lead),) if lead else resolve.content(str(party["instansi"]["nama"]), None))
            cells.append((Text(str(activity["tahun"])),))
            rows.append(tuple(cells))
        if any(len(row) != len(header) for row in rows):
            raise DocgenError(f"block lampiran_kolom gives {len(header)} columns but each row has "
                              f"{len(rows[0])} (No., kegiatan, target, one per party, tahun)", "templates/pks.j2")
        return Annex(lines("lampiran_judul"), Table(header, tuple(rows)))

    def clauses(self, kind: str, sector: str | None) -> list[Clause]:
        """The articles of one document, in order of position, then in the order of the MoU's scope
        (mou.bidang), the order in which the clauses name the sectors ("Pasal 5 sampai dengan Pasal 14")."""
        scope = self.mou_scope()
        order = {slug: i for i, slug in enumerate(scope)}
        chosen = [c for c in self.library.clauses if kind in c.documents
                  and (c.sector is None or (c.sector in scope if kind == "mou" else c.sector == sector))]
        return sorted(chosen, key=lambda c: (c.position, order.get(c.sector, -1), c.path))

    def mou_scope(self) -> list[str]:
        """The sectors the MoU covers, from programme.yaml (mou.bidang)."""
        scope = self.library.programme["mou"].get("bidang") or list(self.library.sectors)
        mou = self.library.programme["mou"]
        for slug in scope:
            if slug not in self.library.sectors:
                raise DocgenError(f"unknown sector '{slug}' in mou.bidang; use the slugs of sectors.yaml",
                                  mou.path, mou.lines.get("bidang"))
        if len(set(scope)) != len(scope):
            twice = next(slug for slug in scope if scope.count(slug) > 1)
            raise DocgenError(f"sector '{twice}' is listed twice in mou.bidang; list each sector once",
                              mou.path, mou.lines.get("bidang"))
        return list(scope)

    def _context(self, kind: str, codes: tuple[str, ...], sector: str | None, marks: Marks) -> dict:
        lib = self.library
        programme = lib.programme
        combination = "-".join(codes)
        if kind == "pks":  # a PKS cites the numbers of the MoU it implements
            combination = "-".join(consistency.mou_parties(programme, self.combinations(), codes))
        numbers = lib.numbers
        parties = []
        for code, role in zip(codes, programme["peran"]):
            pks_combination = "-".join(codes)
            province = _filled(lib.provinces[code], marks, f"data provinsi {code}")
            party = {"kode": code, "peran": role, "pemerintah": province["pemerintah"], "provinsi": province,
                     "nomor_mou": _number(numbers, ("mou", combination, code), marks, f"nomor Nota Kesepahaman {role}")}
            if kind == "mou":
                party["nomor"] = party["nomor_mou"]
                party["penandatangan"] = province["gubernur"]
            else:
                agency = lib.agencies.get(sector, {}).get(code)
                if not agency:
                    raise DocgenError(f"no agency for sector '{sector}' and province '{code}'; add it",
                                      lib.agencies.path, lib.agencies.lines.get(sector, 1))
                party["instansi"] = _filled(agency, marks, f"instansi {sector} {code}")
                party["penandatangan"] = party["instansi"]["kepala"]
                party["nomor"] = _number(numbers, ("pks", sector, pks_combination, code), marks, f"nomor PKS {role}")
                party["surat_kuasa"] = {
                    "nomor": _number(numbers, ("surat_kuasa", sector, code, "nomor"), marks,
                                     f"nomor surat kuasa {role}"),
                    "tanggal": _number(numbers, ("surat_kuasa", sector, code, "tanggal"), marks,
                                       f"tanggal surat kuasa {role}")}
            parties.append(party)
        document = programme[kind]
        sectors = [self._sector(slug) for slug in self.mou_scope()]
        context = {
            "dokumen": {"jenis": kind, "nama": document["nama"], "judul": document["judul"]},
            "pihak": parties,
            "peran": [p["peran"] for p in parties],
            "para_pihak": programme["para_pihak"],
            "bidang": sectors,
            "bidang_ini": self._sector(sector) if sector else None,
        }
        # The programme's own text may use the parties (its name names them).
        program = dict(programme)
        program["nama"] = self._render_string(str(programme["nama"]), context, programme, "nama")
        for key in ("mou", "pks"):
            event = programme[key]
            if event.get("tempat_provinsi") and event["tempat_provinsi"] not in codes:
                # never name a province that is not a party: sign elsewhere
                program[key] = {**event, "tempat": self._render_string(
                    str(event.get("tempat_lain", "")), context, event, "tempat_lain")}
        context["program"] = program
        recitals = programme.get("konsiderans", {})
        context["konsiderans"] = [self._render_string(str(r), context, recitals, kind)
                                  for r in recitals.get(kind, [])]
        context["dasar_hukum"] = [entry["teks"] if isinstance(entry, dict) else entry
                                  for entry in programme.get("dasar_hukum", [])
                                  if not isinstance(entry, dict) or set(entry.get("pihak", [])) <= set(codes)]
        return context

    def _sector(self, slug: str) -> dict:
        data = self.library.sectors[slug]
        return {"slug": slug, "nama": data["nama"], "judul": data["nama"].upper(), "urusan": data.get("urusan", "")}

    # ---- rendering -------------------------------------------------------------------------

    def _call(self, target: str, label, phrase: bool) -> _RefCall:
        path, line = self._caller()
        if not isinstance(target, str) or (label is not None and not isinstance(label, str)):
            raise DocgenError("ref() and pasal() take a clause id and an optional label, in quotes", path, line)
        return _RefCall(target, label, phrase, path, line)

    def _caller(self) -> tuple[str, int]:
        """The template file and line that is running now (for messages about ref())."""
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename in self._loader.clauses or filename.endswith(".j2"):
                name = filename if filename in self._loader.clauses else Path(filename).name
                return filename, self.env.get_template(name).get_corresponding_lineno(frame.f_lineno)
            frame = frame.f_back
        return "", 0

    def _render(self, name: str, context: dict, block: str | None = None) -> str:
        try:
            template = self.env.get_template(name)
            if block is None:
                text = sandbox.collect(template.generate(context))
            elif block not in template.blocks:
                raise DocgenError(f"the template has no block '{block}'; add "
                                  f"{{% block {block} %}}…{{% endblock %}}", name)
            else:
                text = sandbox.collect(template.blocks[block](template.new_context(context)))
            return _printable(text, template.filename or name, self._loader.get_source(self.env, name)[0])
        except DocgenError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", error.filename or name, error.lineno) from None
        except Exception as error:  # anything a clause can provoke inside Jinja
            raise self._located(error, name) from None

    def _render_string(self, source: str, context: dict, data, key) -> str:
        """A data value that is itself a template (programme name, recitals)."""
        try:
            text = sandbox.collect(self.env.from_string(source).generate(context))
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", data.path, data.lines.get(key)) from None
        except Exception as error:
            raise DocgenError(_explain(error), data.path, data.lines.get(key)) from None
        return _printable(text, data.path, None, data.lines.get(key))

    def _located(self, error: Exception, name: str) -> DocgenError:
        try:
            self.env.handle_exception()
        except Exception as rewritten:  # Jinja rewrites the traceback to template lines
            error = rewritten
        path, line = name, None
        tb = error.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename in self._loader.clauses or filename.endswith(".j2"):
                path, line = filename, tb.tb_lineno
            tb = tb.tb_next
        if isinstance(error, DocgenError):
            return error
        return DocgenError(_explain(error), path, line)


class _Resolver:
    """Turns token-bearing text into inline nodes once every article has its number."""

    def __init__(self, marks: Marks, numbers: dict, labels: dict, kind: str, combination: str, library: Library):
        self.marks, self.numbers, self.labels = marks, numbers, labels
        self.kind, self.combination, self.library = kind, combination, library

    def paragraph(self, paragraph: Paragraph, article: str | None) -> Paragraph:
        return Paragraph(self.content(_text(paragraph.content), article),
                         tuple(self.item(i, article) for i in paragraph.items),
                         paragraph.number, paragraph.label)

    def item(self, item: Item, article: str | None) -> Item:
        return Item(item.label, self.content(_text(item.content), article),
                    tuple(self.item(i, article) for i in item.items))

    def content(self, text: str, article: str | None) -> Content:
        parts: list = []
        position = 0
        for match in TOKEN.finditer(text):
            if match.start() > position:
                parts.append(Text(text[position:match.start()]))
            value = self.marks.items[int(match.group(1))]
            parts.extend(self._ref(value, article) if isinstance(value, _RefCall) else [value])
            position = match.end()
        if position < len(text):
            parts.append(Text(text[position:]))
        return merged(parts)

    def _ref(self, call: _RefCall, article: str | None) -> list:
        if call.target not in self.numbers:
            where = (f"not in the {self.kind} for {self.combination}" if self.library.clause(call.target)
                     else "not a clause id of the library")
            raise DocgenError(f"reference to '{call.target}', which is {where}; fix the id or remove the reference",
                              call.path, call.line)
        number = self.numbers[call.target]
        ayat = None
        if call.label is not None:
            ayat = self.labels.get(call.target, {}).get(call.label)
            if ayat is None:
                raise DocgenError(f"clause '{call.target}' has no ayat labelled [#{call.label}]", call.path, call.line)
            if not ayat:
                raise DocgenError(f"[#{call.label}] labels the only paragraph of '{call.target}', which has no "
                                  "ayat number; refer to the article without the label", call.path, call.line)
        ayat_number = ayat.strip("()") if ayat else None
        if ayat and call.target == article:
            phrase = [Text("sebagaimana dimaksud pada ")] if call.phrase else []
            return phrase + [Ref(call.target, call.label, f"ayat {ayat}", None, ayat_number)]
        phrase = [Text("sebagaimana dimaksud dalam ")] if call.phrase else []
        text = f"Pasal {number}" + (f" ayat {ayat}" if ayat else "")
        return phrase + [Ref(call.target, call.label, text, number, ayat_number)]


def _printable(text: str, path: str, source: str | None, line: int | None = None) -> str:
    """Rendered text passes the same character rules as the files (a string escape like "\\u200b" in
    a template makes a character the file itself does not contain)."""
    try:
        hygiene.inspect(TOKEN.sub("", text), path)
    except DocgenError as error:
        if source is not None:
            line = next((n for n, row in enumerate(source.split("\n"), start=1) if "\\" in row), None)
        raise DocgenError(error.message.replace("; delete it", ", made by a string escape; delete it"),
                          path, line) from None
    return text


def _text(content: Content) -> str:
    """Inline content back to a string (tokens included) — only for content assembly made itself."""
    return "".join(p.value for p in content if isinstance(p, Text))


def _joined(lines: tuple[Content, ...]):
    for index, line in enumerate(lines):
        yield ((Text("\n"),) if index else ()) + line


def _filled(data, marks: Marks, what: str, where: str = ""):
    """A copy of data in which every unknown value (~) is a blank to fill in by hand."""
    if isinstance(data, dict):
        lines = getattr(data, "lines", {})
        path = getattr(data, "path", "")
        return {k: _filled(v, marks, f"{what} {k}", f"{path}:{lines[k]}" if k in lines else where)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_filled(v, marks, what, where) for v in data]
    if data is None:
        return marks.add(Blank(what, where))
    return data


def _number(numbers: dict, keys: tuple[str, ...], marks: Marks, what: str) -> str:
    value = numbers
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if value in (None, ""):
        return marks.add(Blank(f"{what} ({'.'.join(keys)})", f"{numbers.path}:{numbers.lines.get(keys[0], 1)}"))
    return str(value)


def _explain(error: Exception) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; check the spelling (variables and filters: clauses/README.md)"
    if isinstance(error, SecurityError):
        return f"not allowed in a clause: {error}"
    if isinstance(error, sandbox.RenderLimit):
        return f"{error}; simplify the clause"
    if isinstance(error, jinja2.TemplateError):
        return f"template error: {error.message}"
    return f"{type(error).__name__}: {error}"
