"""Library + templates → Agreement tree: the sandbox, parties and roles, numbering, references."""
from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import consistency, indonesian, instruments, markup
from .errors import DocgenError
from .instruments import Instrument
from .library import Clause, Library, display, load_data, read_text
from .model import Agreement, Annex, Article, Blank, Content, Item, Page, Paragraph, Ref, Signature, Table, Text, merged

PAPER_MM = {"F4": (215.0, 330.0), "A4": (210.0, 297.0)}
TOKEN = re.compile("\ue000(\\d+)\ue001")


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
        path = self.templates / name
        if not path.is_file():
            raise jinja2.TemplateNotFound(name)
        return read_text(path), display(path), lambda: True


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
        self.env = ImmutableSandboxedEnvironment(
            loader=_Loader(library, templates), undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, autoescape=False, auto_reload=False)
        self.env.filters.update(indonesian.FILTERS)
        self.catalogue = instruments.load(library)
        self._frames: dict[str, list[str]] = {}

    @property
    def _loader(self) -> _Loader:
        return self.env.loader

    # ---- which documents exist -------------------------------------------------------------

    def combinations(self) -> list[tuple[str, ...]]:
        """Every set of two or more provinces, the largest first, in provinces.yaml order."""
        return instruments.combinations(list(self.library.provinces))

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

    def instrument(self, instrument_id: str) -> Instrument:
        found = self.catalogue.get(instrument_id)
        if found is None:
            raise DocgenError(f"no instrument '{instrument_id}' in the catalogue; docgen list shows them",
                              self.catalogue.path)
        return found

    # ---- assembly --------------------------------------------------------------------------

    def mou(self, codes: tuple[str, ...]) -> Agreement:
        return self.document(self.catalogue.of_kind("mou")[0], codes)

    def pks(self, codes: tuple[str, ...], sector: str) -> Agreement:
        family = [i for i in self.catalogue.of_kind("pks") if i.sector == sector]
        if not family:
            raise DocgenError(f"no PKS of sector '{sector}' in the catalogue", self.catalogue.path)
        return self.document(family[0], codes)

    def document(self, instrument: Instrument, codes: tuple[str, ...], grantor: str | None = None) -> Agreement:
        """One instrument for one combination of parties (a surat kuasa: for one granting province)."""
        lib = self.library
        combination = "-".join(codes)
        marks = Marks()
        roles = list(lib.programme["peran"])
        if len(codes) > len(roles):
            raise DocgenError(f"programme.yaml names {len(roles)} roles (peran) but the agreement has "
                              f"{len(codes)} parties; add a role", lib.programme.path, lib.programme.lines.get("peran"))
        context = self._context(instrument, codes, marks, grantor)
        frame = instrument.template
        clauses = self.clauses(instrument)
        numbers = {c.id: n for n, c in enumerate(clauses, start=1)}
        context["ref"] = lambda target, label=None: marks.add(self._call(target, label, True))
        context["pasal"] = lambda target, label=None: marks.add(self._call(target, label, False))
        fields = {f["slug"]: f for f in context["bidang_pks"]}

        drafts = []
        for clause in clauses:
            own = {"bidang_ini": fields[clause.sector]} if clause.sector in fields else {}
            text = self._render(clause.path, {**context, **own})
            drafts.append((clause, markup.paragraphs(text, clause.path, numbered=True)))
        labels = _labels(drafts)

        resolve = _Resolver(marks, numbers, labels, instrument.id, combination, lib)

        def block(name: str, extra: dict | None = None) -> str:
            return self._render(frame, {**context, **(extra or {})}, block=name)

        def lines(name: str, extra: dict | None = None) -> tuple[Content, ...]:
            return tuple(resolve.content(line.strip(), None) for line in block(name, extra).split("\n")
                         if line.strip())

        def paras(name: str) -> tuple[Paragraph, ...]:
            text = block(name)
            return tuple(resolve.paragraph(p, None) for p in markup.paragraphs(text, frame, numbered=False))

        def title(clause: Clause) -> str:
            # an article of one field, in a document of several, says which field it belongs to
            if clause.sector not in fields or len(fields) < 2 or not self._has_block(frame, "judul_pasal_bidang"):
                return clause.title
            return _text(lines("judul_pasal_bidang", {"judul": clause.title, "bidang_ini": fields[clause.sector]})[0])

        articles = tuple(
            Article(clause.id, clause.path, numbers[clause.id], title(clause),
                    tuple(resolve.paragraph(p, clause.id) for p in paragraphs))
            for clause, paragraphs in drafts)
        signatures = [_signature(lines("tanda_tangan", {"p": party}), frame) for party in context["tanda_tangan"]]
        annexes = tuple(self._annex(field, number, context, lines, resolve, instrument)
                        for number, field in enumerate(context["bidang_pks"], start=1)) if instrument.kind == "pks" else ()
        paraf = (grantor,) if grantor else codes
        page = Page(*PAPER_MM[self.options.paper], self.options.font,
                    tuple(lib.provinces[c]["singkatan"] for c in paraf))
        return Agreement(
            kind=instrument.kind, combination=combination, name=document_name(instrument, grantor),
            title=_text(lines("properti_judul")[0]), subject=_text(lines("properti_subjek")[0]),
            title_lines=lines("judul"), number_lines=lines("nomor"), preamble=paras("pembukaan"),
            articles=articles, closing=paras("penutup"), signatures=tuple(signatures),
            annexes=annexes, page=page)

    def _annex(self, field: dict, number: int, context: dict, lines, resolve, instrument: Instrument) -> Annex:
        slug = field["slug"]
        data = self.library.annexes.get(slug)
        path = f"clauses/{slug}/lampiran.yaml"
        if not data or not isinstance(data.get("kegiatan"), list) or not data["kegiatan"]:
            raise DocgenError("a PKS needs its programme of activities; add 'kegiatan:' with at least one "
                              "activity", getattr(data, "path", path), 1)
        extra = {"bidang_ini": field, "lampiran": {"ke": number, "jumlah": len(context["bidang_pks"])}}
        header = tuple(_text(c) for c in lines("lampiran_kolom", extra))
        rows = []
        for index, activity in enumerate(data["kegiatan"], start=1):
            if not isinstance(activity, dict) or not {"kegiatan", "target", "tahun"} <= set(activity):
                raise DocgenError(f"activity {index} needs kegiatan, target and tahun", data.path,
                                  data.lines.get("kegiatan"))
            leads = activity.get("pelaksana") or {}
            cells = [(Text(f"{index}."),), (Text(str(activity["kegiatan"])),), (Text(str(activity["target"])),)]
            for party in context["pihak"]:
                lead = leads.get(party["kode"])
                cells.append((Text(lead),) if lead else resolve.content(str(field["perangkat_daerah"][party["kode"]]), None))
            cells.append((Text(str(activity["tahun"])),))
            rows.append(tuple(cells))
        if any(len(row) != len(header) for row in rows):
            raise DocgenError(f"block lampiran_kolom gives {len(header)} columns but each row has "
                              f"{len(rows[0])} (No., kegiatan, target, one per party, tahun)",
                              f"templates/{instrument.template}")
        return Annex(lines("lampiran_judul", extra), Table(header, tuple(rows)))

    def clauses(self, instrument: Instrument) -> list[Clause]:
        """The articles of one document, in order of position, then the order of its fields."""
        kind = instrument.kind
        if kind == "mou":
            order = {slug: i for i, slug in enumerate(self.library.sectors)}
            folders = set(self.mou_scope())
        else:
            order = {f.slug: i for i, f in enumerate(instrument.fields)}
            folders = set(order)
        chosen = [c for c in self.library.clauses if kind in c.documents
                  and (c.sector is None or c.sector in folders)]
        return sorted(chosen, key=lambda c: (c.position, order.get(c.sector, -1), c.path))

    def mou_scope(self) -> list[str]:
        """The sectors the MoU covers, from programme.yaml (mou.bidang)."""
        scope = self.library.programme["mou"].get("bidang") or list(self.library.sectors)
        mou = self.library.programme["mou"]
        for slug in scope:
            if slug not in self.library.sectors:
                raise DocgenError(f"unknown sector '{slug}' in mou.bidang; use the slugs of sectors.yaml",
                                  mou.path, mou.lines.get("bidang"))
        return list(scope)

    def _context(self, instrument: Instrument, codes: tuple[str, ...], marks: Marks,
                 grantor: str | None = None) -> dict:
        if instrument.kind == "surat-kuasa":
            return self._power_of_attorney(instrument, codes, marks, grantor)
        lib = self.library
        programme = lib.programme
        kind = instrument.kind
        parent = self.catalogue.get(instrument.parent) if instrument.parent else instrument
        mou_codes = codes if kind == "mou" else consistency.parent_parties(parent, codes, lib.provinces)
        parties = []
        for code, role in zip(codes, programme["peran"]):
            province = _filled(lib.provinces[code], marks, f"data provinsi {code}")
            party = {"kode": code, "peran": role, "pemerintah": province["pemerintah"], "provinsi": province,
                     "nomor_mou": _number(lib.numbers, ("mou", "-".join(mou_codes), code), marks,
                                          f"nomor Nota Kesepahaman {role}")}
            if kind == "mou":
                party["nomor"] = party["nomor_mou"]
                party["penandatangan"] = province["gubernur"]
            else:
                party.update(self._signatory(instrument, code, province, role, marks))
                party["nomor"] = _number(lib.numbers, ("pks", instrument.number_key, "-".join(codes), code), marks,
                                         f"nomor PKS {role}")
            parties.append(party)
        fields = [self._field(f, parties, marks) for f in instrument.fields]
        if len(fields) == 1:
            subject = fields[0]
        elif fields:
            name = instrument.subject or indonesian.daftar([f["nama"] for f in fields])
            subject = {"slug": None, "nama": name, "judul": name.upper(), "urusan": "", "tema": False,
                       "koordinator": None, "ruang_lingkup": None}
        else:
            subject = None
        document = {**programme.get(kind, {}), **instrument.event}
        context = {
            "dokumen": {"jenis": kind, "id": instrument.id, "nama": document["nama"], "judul": document["judul"],
                        "status": instrument.status, "pokok": subject,
                        # the parties are the provincial governments, not their agencies
                        "pihak_pemerintah": any(instrument.signatory(c) != instruments.AGENCY_HEAD for c in codes)},
            "pihak": parties,
            "tanda_tangan": parties,
            "peran": [p["peran"] for p in parties],
            "para_pihak": programme["para_pihak"],
            "bidang": [self._sector(slug) for slug in self.mou_scope()],
            "bidang_ini": subject,
            "bidang_pks": fields,
        }
        context["program"] = self._program(instrument, parent, document, codes, context)
        if instrument.recitals is not None:
            context["konsiderans"] = [self._render_string(r, context, instrument, "konsiderans")
                                      for r in instrument.recitals]
        else:
            recitals = programme.get("konsiderans", {})
            context["konsiderans"] = [self._render_string(str(r), context, recitals, kind)
                                      for r in recitals.get(kind, [])]
        context["dasar_hukum"] = [entry["teks"] if isinstance(entry, dict) else entry
                                  for entry in programme.get("dasar_hukum", [])
                                  if not isinstance(entry, dict) or set(entry.get("pihak", [])) <= set(codes)]
        return context

    def _program(self, instrument: Instrument, parent: Instrument, document: dict, codes, context: dict) -> dict:
        """programme.yaml as clauses see it: the dates and places of this instrument and of its MoU."""
        programme = self.library.programme
        # The programme's own text may use the parties (its name names them).
        program = dict(programme)
        program["nama"] = self._render_string(str(programme["nama"]), context, programme, "nama")
        events = {"mou": {**programme["mou"], **parent.event}, instrument.kind: document}
        for key, event in events.items():
            program[key] = event
            if event.get("tempat_provinsi") and event["tempat_provinsi"] not in codes:
                # never name a province that is not a party: sign elsewhere
                own = key == instrument.kind and "tempat_lain" in instrument.lines
                program[key] = {**event, "tempat": self._render_string(
                    str(event.get("tempat_lain", "")), context, instrument if own else programme[key], "tempat_lain")}
        return program

    def _signatory(self, instrument: Instrument, code: str, province: dict, role: str, marks: Marks) -> dict:
        """The PKS party of one province and who signs for it; a surat kuasa when not the governor."""
        who = instrument.signatory(code)
        government = {"nama": province["pemerintah"], "alamat": province["alamat"], "kepala": province["gubernur"]}
        if who == instruments.GOVERNOR:
            return {"instansi": government, "penandatangan": province["gubernur"], "surat_kuasa": None}
        if who == instruments.AGENCY_HEAD:
            agency = instruments.field_agency(self.library, self.catalogue, instrument.fields[0].slug, code)
            party = {"instansi": _filled(agency, marks, f"instansi {instrument.fields[0].slug} {code}")}
            party["penandatangan"] = party["instansi"]["kepala"]
        else:
            official = _filled(who, marks, f"penandatangan {instrument.id} {code}")
            party = {"instansi": government, "penandatangan": {"nama": official.get("nama", ""),
                                                               "jabatan": official.get("jabatan", "")}}
        numbers = self.library.numbers
        party["surat_kuasa"] = {
            "nomor": _number(numbers, ("surat_kuasa", instrument.number_key, code, "nomor"), marks,
                             f"nomor surat kuasa {role}"),
            "tanggal": _date(numbers, ("surat_kuasa", instrument.number_key, code, "tanggal"), marks,
                             f"tanggal surat kuasa {role}")}
        return party

    def _field(self, field, parties: list[dict], marks: Marks) -> dict:
        data = instruments.field_data(self.library, self.catalogue, field)
        data["koordinator"] = next((p for p in parties if p["kode"] == field.lead), None)
        data["perangkat_daerah"] = {
            p["kode"]: _filled(instruments.field_agency(self.library, self.catalogue, field.slug, p["kode"]), marks,
                               f"instansi {field.slug} {p['kode']}")["nama"] for p in parties}
        return data

    def _power_of_attorney(self, instrument: Instrument, codes: tuple[str, ...], marks: Marks,
                           grantor: str | None) -> dict:
        """A surat kuasa: the context of the PKS it authorises, and who grants and receives the power."""
        pks = self.catalogue.get(instrument.authorises)
        context = self._context(pks, codes, marks)
        grantee = next(p for p in context["pihak"] if p["kode"] == grantor)
        giver = {"kode": grantor, "kuasa": "pemberi", "provinsi": grantee["provinsi"],
                 "pemerintah": grantee["pemerintah"], "penandatangan": grantee["provinsi"]["gubernur"]}
        receiver = {**grantee, "kuasa": "penerima"}
        context.update({
            "dokumen": {"jenis": "surat-kuasa", "id": instrument.id, "status": instrument.status},
            "perjanjian": {**context["dokumen"], "tanggal": context["program"]["pks"]["tanggal"],
                           "tempat": context["program"]["pks"]["tempat"]},
            "pemberi_kuasa": giver, "penerima_kuasa": receiver, "surat_kuasa": grantee["surat_kuasa"],
            "tanda_tangan": [receiver, giver]})
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

    def _has_block(self, name: str, block: str) -> bool:
        return self._block_owner(name, block) is not None

    def frames(self, name: str) -> list[str]:
        """A frame and the frames it extends ({% extends "pks.j2" %}), nearest first."""
        if name not in self._frames:
            self._frames[name] = self._extended(name)
        return self._frames[name]

    def _extended(self, name: str) -> list[str]:
        chain = [name]
        while True:
            source = self.env.loader.get_source(self.env, chain[-1])[0]
            parent = next(iter(self.env.parse(source).find_all(jinja2.nodes.Extends)), None)
            if parent is None or not isinstance(parent.template, jinja2.nodes.Const) or parent.template.value in chain:
                return chain
            chain.append(parent.template.value)

    def _block_owner(self, name: str, block: str):
        """The template that defines `block`: the frame itself, or the nearest frame it extends."""
        return next((self.env.get_template(frame) for frame in self.frames(name)
                     if block in self.env.get_template(frame).blocks), None)

    def _render(self, name: str, context: dict, block: str | None = None) -> str:
        try:
            template = self.env.get_template(name)
            if block is None:
                return template.render(context)
            owner = self._block_owner(name, block)
            if owner is None:
                raise DocgenError(f"the template has no block '{block}'; add "
                                  f"{{% block {block} %}}…{{% endblock %}}", name)
            # the frame's own blocks win over those of the frame it extends
            return "".join(owner.blocks[block](template.new_context(context)))
        except DocgenError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", error.filename or name, error.lineno) from None
        except Exception as error:  # anything a clause can provoke inside Jinja
            raise self._located(error, name) from None

    def _render_string(self, source: str, context: dict, data, key) -> str:
        """A data value that is itself a template (programme name, recitals)."""
        try:
            return self.env.from_string(source).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", data.path, data.lines.get(key)) from None
        except Exception as error:
            raise DocgenError(_explain(error), data.path, data.lines.get(key)) from None

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


def _text(content: Content) -> str:
    """Inline content back to a string (tokens included) — only for content assembly made itself."""
    return "".join(p.value for p in content if isinstance(p, Text))


def _labels(drafts) -> dict:
    """Each article's ayat labels and their numbers; a label used twice in one article is an error."""
    labels = {}
    for clause, paras in drafts:
        found = [p.label for p in paras if p.label]
        twice = next((label for label in found if found.count(label) > 1), None)
        if twice:
            raise DocgenError(f"label '[#{twice}]' is used twice in this article", clause.path)
        labels[clause.id] = {p.label: p.number or "" for p in paras if p.label}
    return labels


def _signature(sig: tuple[Content, ...], frame: str) -> Signature:
    """One column of the signature block from the lines of block tanda_tangan: role, office…, name."""
    if len(sig) < 3:
        raise DocgenError("block tanda_tangan must give at least three lines: role, office, name", frame)
    return Signature(_text(sig[0]), tuple(itertools.chain(*_joined(sig[1:-1]))), sig[-1])


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


def _date(numbers: dict, keys: tuple[str, ...], marks: Marks, what: str) -> str:
    """A date of numbers.yaml in words of the document ('20 Januari 2026'), or a blank."""
    value = _number(numbers, keys, marks, what)
    found = numbers
    for key in keys:
        found = found.get(key) if isinstance(found, dict) else None
    return indonesian.tanggal(found) if isinstance(found, dt.date) else value


def document_name(instrument: Instrument, grantor: str | None = None) -> str:
    """The output file stem: the instrument id, and for a surat kuasa the province that grants it."""
    return f"{instrument.id}-{grantor}" if grantor else instrument.id


def _explain(error: Exception) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; check the spelling (variables and filters: clauses/README.md)"
    if isinstance(error, SecurityError):
        return f"not allowed in a clause: {error}"
    if isinstance(error, jinja2.TemplateError):
        return f"template error: {error.message}"
    return f"{type(error).__name__}: {error}"
