"""Library + templates → Agreement tree: each document's clauses rendered, numbered and resolved.

The parts it joins know one thing each: catalogue (what can be built), sandbox (running
templates), context (the variables), references (numbers and labels), language (words).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from . import consistency, language, markup
from .catalogue import Catalogue, Request
from .context import FUNCTIONS, ContextBuilder
from .errors import DocgenError
from .library import Library, load_data
from .model import Agreement, Annex, Article, Content, Page, Paragraph, Signature, Table, Text
from .references import Numbering, RefCall, Resolver, source_text
from .sandbox import Marks, Sandbox

PAPER_MM = {"F4": (215.0, 330.0), "A4": (210.0, 297.0)}


@dataclass(frozen=True)
class Options:
    """How a document is laid out; what it says comes from the library."""
    paper: str = "F4"
    font: str = "Arial"


class Assembler:
    """Builds agreements from one library; compiled templates are reused across documents."""

    def __init__(self, library: Library, options: Options = Options()):
        self.library, self.options = library, options
        self.templates = library.templates
        if options.paper not in PAPER_MM:
            raise DocgenError(f"unknown paper '{options.paper}'; use {' or '.join(PAPER_MM)}")
        fonts = load_data(self.templates / "fonts" / "fonts.yaml")
        if options.font not in fonts:
            raise DocgenError(f"unknown font '{options.font}'; use {' or '.join(repr(f) for f in fonts)}, "
                              "or add its files to templates/fonts/fonts.yaml", fonts.path)
        self.code = str(library.programme.get("bahasa", language.DEFAULT))   # the words file to print with
        self.language = language.load(self.templates, self.code)
        self.catalogue = Catalogue(library)
        self.sandbox = Sandbox(library, self.templates, self.language.filters(), tuple(FUNCTIONS))
        self.contexts = ContextBuilder(library, self.catalogue, self.sandbox, self.language)

    def agreement(self, request: Request) -> Agreement:
        """The tree of one document, checked against its MoU when it is a PKS."""
        instrument = self.catalogue.instrument(request.instrument)
        agreement = self._agreement(request, instrument)
        if instrument.kind == "pks":
            consistency.check_pks(self.library, self.catalogue, instrument, agreement, self.language)
            for field in instrument.fields:
                consistency.check_annex_years(self.library.annexes[field.slug], instrument.event)
        return agreement

    def inputs(self, request: Request) -> list:
        """The files one document reads (for the fingerprint and for check)."""
        instrument = self.catalogue.instrument(request.instrument)
        return self.library.inputs(instrument, self.sandbox.frames(instrument.template),
                                   self.catalogue.get(instrument.authorises))

    def signing_date(self, request: Request):
        """The date a document carries: its own, or for a surat kuasa that of the PKS it authorises."""
        instrument = self.catalogue.instrument(request.instrument)
        return (self.catalogue.get(instrument.authorises) or instrument).event["tanggal"]

    def _agreement(self, request: Request, instrument) -> Agreement:
        marks = Marks()
        context = self.contexts.build(request, marks)
        context["ref"] = lambda target, label=None: marks.add(self._call(target, label, True))
        context["pasal"] = lambda target, label=None: marks.add(self._call(target, label, False))
        fields = {f["slug"]: f for f in context["bidang_pks"]}
        drafts = [(clause, markup.paragraphs(
                      self.sandbox.render(clause.path, {**context, **_own_field(clause, fields)}),
                      clause.path, True, self.language))
                  for clause in self.library.articles(instrument)]
        resolve = Resolver(marks, Numbering(drafts), f"{request.name} for {request.combination}", self.library)
        frame = Frame(self, instrument.template, context, resolve)
        articles = tuple(Article(clause.id, clause.path, n, frame.article_title(clause, fields),
                                 tuple(resolve.paragraph(p, clause.id) for p in paragraphs))
                         for n, (clause, paragraphs) in enumerate(drafts, start=1))
        annexes = tuple(self._annex(field, number, context, frame, resolve)
                        for number, field in enumerate(context["bidang_pks"], start=1)
                        ) if instrument.kind == "pks" else ()
        page = self.page(request)
        return Agreement(
            kind=instrument.kind, combination=request.combination, name=request.name,
            title=source_text(frame.lines("properti_judul")[0]),
            subject=source_text(frame.lines("properti_subjek")[0]),
            title_lines=frame.lines("judul"), number_lines=frame.lines("nomor"), preamble=frame.paragraphs("pembukaan"),
            articles=articles, closing=frame.paragraphs("penutup"), signatures=frame.signatures(),
            annexes=annexes, page=page, language=self.code, author=context["program"]["penyusun"],
            keywords=_keywords(request, context))

    def _call(self, target: str, label, phrase: bool) -> RefCall:
        path, line = self.sandbox.caller()
        if not isinstance(target, str) or (label is not None and not isinstance(label, str)):
            raise DocgenError("a reference takes a clause id and an optional label, in quotes: ref('id', 'label')",
                              path, line)
        return RefCall(target, label, phrase, path, line)

    def framed(self, request: Request, template: str, extra, date=None) -> tuple["Frame", dict]:
        """A frame of its own (an adendum's) over the context of the instrument `request` builds, signed by the
        same signers as that instrument (its frame's tanda_tangan); `extra(marks)` gives the frame's own variables."""
        instrument = self.catalogue.instrument(request.instrument)
        marks = Marks()
        # its facts (who governs, who heads an agency) are those valid on its own date, when it has one
        dated = dataclasses.replace(instrument, event={**instrument.event, "tanggal": date}) if date else instrument
        context = {**self.contexts.agreement(dated, request.codes, marks), **extra(marks)}
        resolve = Resolver(marks, Numbering([]), f"{template} for {request.combination}", self.library)
        return Frame(self, template, context, resolve, instrument.template), context

    def page(self, request: Request) -> Page:
        paraf = (request.grantor,) if request.grantor else request.codes
        return Page(*PAPER_MM[self.options.paper], self.options.font,
                    tuple(self.library.provinces[c]["singkatan"] for c in paraf))

    def _annex(self, field: dict, number: int, context: dict, frame: "Frame", resolve: Resolver) -> Annex:
        """The Lampiran of one field: its activities, with the agency of each party that carries it."""
        slug = field["slug"]
        data = self.library.annexes.get(slug)
        if not data or not isinstance(data.get("kegiatan"), list) or not data["kegiatan"]:
            raise DocgenError("a PKS needs its programme of activities; add 'kegiatan:' with at least one "
                              "activity", getattr(data, "path", f"clauses/{slug}/lampiran.yaml"), 1)
        extra = {"bidang_ini": field, "lampiran": {"ke": number, "jumlah": len(context["bidang_pks"])}}
        header = tuple(source_text(c) for c in frame.lines("lampiran_kolom", extra))
        rows = []
        for index, activity in enumerate(data["kegiatan"], start=1):
            missing = [key for key in ACTIVITY if key not in activity] if isinstance(activity, dict) else list(ACTIVITY)
            if missing:
                raise DocgenError(f"activity {index} needs {', '.join(ACTIVITY)}; add {missing[0]}", data.path,
                                  _item_line(activity, data.lines.get("kegiatan")))
            rows.append(_row(frame.block("lampiran_baris", {**extra, "k": activity, "n": index}), resolve))
        if any(len(row) != len(header) for row in rows):
            raise DocgenError(f"block lampiran_kolom gives {len(header)} columns but block lampiran_baris gives "
                              f"{len(rows[0])} cells; make them agree", f"templates/{frame.name}")
        return Annex(frame.lines("lampiran_judul", extra), Table(header, tuple(rows)), frame.signatures())


def _own_field(clause, fields: dict) -> dict:
    """An article of a sector or theme folder sees its own field as bidang_ini."""
    return {"bidang_ini": fields[clause.sector]} if clause.sector in fields else {}


# The keys of an activity in lampiran.yaml; block lampiran_baris of templates/pks.j2 prints them.
ACTIVITY = {"kegiatan": "what is done", "indikator": "how its result is measured", "target": "its measurable result",
            "lokasi": "where", "sumber_dana": "its indicative funding", "tahun": "its year or years"}


def _row(text: str, resolve: Resolver) -> tuple[Content, ...]:
    """One table row from block lampiran_baris: a line starting '| ' opens a cell, other lines continue it."""
    cells: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith("|"):
            cells.append([line[1:].strip()])
        elif line.strip() and cells:
            cells[-1].append(line.strip())
    return tuple(resolve.content("\n".join(cell), None) for cell in cells)


def _item_line(item, default):
    lines = getattr(item, "lines", None)
    return min(lines.values()) if lines else default


SIGNING = ("tanda_tangan", "tanda_tangan_bawah")   # the blocks of a signature column


class Frame:
    """The blocks of a document's frame template (title, preamble, closing, signatures), resolved; the
    signature blocks may come from another frame (an adendum is signed as the instrument it amends)."""

    def __init__(self, assembler: Assembler, template: str, context: dict, resolve: Resolver,
                 signing: str | None = None):
        self.sandbox, self.context, self.resolve = assembler.sandbox, context, resolve
        self.language = assembler.language
        self.name = template
        self.signing = signing or template

    def has(self, name: str) -> bool:
        """Whether the frame has an optional block (tanda_tangan_bawah: lines under a signer's name)."""
        return self.sandbox.block_owner(self.signing if name in SIGNING else self.name, name) is not None

    def block(self, name: str, extra: dict | None = None) -> str:
        return self.sandbox.render(self.signing if name in SIGNING else self.name, {**self.context, **(extra or {})},
                                   block=name)

    def lines(self, name: str, extra: dict | None = None) -> tuple[Content, ...]:
        return tuple(self.resolve.content(line.strip(), None) for line in self.block(name, extra).split("\n")
                     if line.strip())

    def paragraphs(self, name: str) -> tuple[Paragraph, ...]:
        return tuple(self.resolve.paragraph(p, None)
                     for p in markup.paragraphs(self.block(name), self.name, False, self.language))

    def article_title(self, clause, fields: dict) -> str:
        """An article of one field, in a document of several, says which field it belongs to
        (block judul_pasal_bidang of the frame, when it has one)."""
        if clause.sector not in fields or len(fields) < 2 or not self.sandbox.block_owner(self.name,
                                                                                         "judul_pasal_bidang"):
            return clause.title
        return source_text(self.lines("judul_pasal_bidang",
                                      {"judul": clause.title, "bidang_ini": fields[clause.sector]})[0])

    def signatures(self) -> tuple[Signature, ...]:
        """A column per signer (the parties; for a surat kuasa who receives and who gives it): role, office
        (one or more lines), name."""
        signatures = []
        signers = ([self.context["penerima_kuasa"], self.context["pemberi_kuasa"]]
                   if "pemberi_kuasa" in self.context else self.context["pihak"])
        for party in signers:
            sig = self.lines("tanda_tangan", {"p": party})
            if len(sig) < 3:
                raise DocgenError("block tanda_tangan must give at least three lines: role, office, name", self.name)
            office = tuple(itertools.chain(*(((Text("\n"),) if i else ()) + line for i, line in enumerate(sig[1:-1]))))
            below = self.lines("tanda_tangan_bawah", {"p": party}) if self.has("tanda_tangan_bawah") else ()
            signatures.append(Signature(source_text(sig[0]), office, sig[-1], below))
        return tuple(signatures)


def _keywords(request: Request, context: dict) -> tuple[str, ...]:
    """Document properties' keywords: document (for a surat kuasa: the PKS it authorises), programme,
    provinces, fields, kind and combination."""
    document = context.get("perjanjian") or context["dokumen"]
    words = [document["nama"], context["program"]["nama"],
             *(party["provinsi"]["nama"] for party in context["pihak"])]
    words += [field["nama"] for field in context["bidang_pks"]]
    return (*words, context["dokumen"]["jenis"], request.combination)
