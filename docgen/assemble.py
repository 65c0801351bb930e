"""Library + templates → Agreement tree: each document's clauses rendered, numbered and resolved.

The parts it joins know one thing each: catalogue (what can be built), sandbox (running
templates), context (the variables), references (numbers and labels), language (words).
"""
from __future__ import annotations

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
        self.contexts = ContextBuilder(library, self.catalogue, self.sandbox)

    def agreement(self, request: Request) -> Agreement:
        """The tree of one document, checked against its MoU when it is a PKS."""
        agreement = self._agreement(request)
        if request.kind == "pks":
            lib = self.library
            consistency.check_pks(lib.programme, lib.scope(), request.sector, agreement, self.language)
            consistency.check_annex_years(lib.annexes[request.sector], lib.programme)
        return agreement

    def _agreement(self, request: Request) -> Agreement:
        marks = Marks()
        context = self.contexts.build(request, marks)
        context["ref"] = lambda target, label=None: marks.add(self._call(target, label, True))
        context["pasal"] = lambda target, label=None: marks.add(self._call(target, label, False))
        drafts = [(clause, markup.paragraphs(self.sandbox.render(clause.path, context), clause.path, True,
                                             self.language))
                  for clause in self.library.articles(request.kind, request.sector)]
        resolve = Resolver(marks, Numbering(drafts), f"{request.kind} for {request.combination}", self.library)
        frame = _Frame(self, request, context, resolve)
        articles = tuple(Article(clause.id, clause.path, n, clause.title,
                                 tuple(resolve.paragraph(p, clause.id) for p in paragraphs))
                         for n, (clause, paragraphs) in enumerate(drafts, start=1))
        annexes = (self._annex(request.sector, context, frame, resolve),) if request.kind == "pks" else ()
        page = Page(*PAPER_MM[self.options.paper], self.options.font,
                    tuple(self.library.provinces[c]["singkatan"] for c in request.codes))
        return Agreement(
            kind=request.kind, combination=request.combination, name=request.name,
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

    def _annex(self, sector: str, context: dict, frame: "_Frame", resolve: Resolver) -> Annex:
        data = self.library.annexes.get(sector)
        if not data or not isinstance(data.get("kegiatan"), list) or not data["kegiatan"]:
            raise DocgenError("a PKS needs its programme of activities; add 'kegiatan:' with at least one "
                              "activity", getattr(data, "path", f"clauses/{sector}/lampiran.yaml"), 1)
        header = tuple(source_text(c) for c in frame.lines("lampiran_kolom"))
        rows = []
        for number, activity in enumerate(data["kegiatan"], start=1):
            missing = [key for key in ACTIVITY if key not in activity] if isinstance(activity, dict) else list(ACTIVITY)
            if missing:
                raise DocgenError(f"activity {number} needs {', '.join(ACTIVITY)}; add {missing[0]}", data.path,
                                  _item_line(activity, data.lines.get("kegiatan")))
            rows.append(_row(frame.block("lampiran_baris", {"k": activity, "n": number}), resolve))
        if any(len(row) != len(header) for row in rows):
            raise DocgenError(f"block lampiran_kolom gives {len(header)} columns but block lampiran_baris gives "
                              f"{len(rows[0])} cells; make them agree", "templates/pks.j2")
        return Annex(frame.lines("lampiran_judul"), Table(header, tuple(rows)), frame.signatures())


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


class _Frame:
    """The blocks of a document's frame template (title, preamble, closing, signatures), resolved."""

    def __init__(self, assembler: Assembler, request: Request, context: dict, resolve: Resolver):
        self.sandbox, self.context, self.resolve = assembler.sandbox, context, resolve
        self.language = assembler.language
        self.name = f"{request.kind}.j2"

    def has(self, name: str) -> bool:
        """Whether the frame has an optional block (tanda_tangan_bawah: lines under a signer's name)."""
        return name in self.sandbox.env.get_template(self.name).blocks

    def block(self, name: str, extra: dict | None = None) -> str:
        return self.sandbox.render(self.name, {**self.context, **(extra or {})}, block=name)

    def lines(self, name: str, extra: dict | None = None) -> tuple[Content, ...]:
        return tuple(self.resolve.content(line.strip(), None) for line in self.block(name, extra).split("\n")
                     if line.strip())

    def paragraphs(self, name: str) -> tuple[Paragraph, ...]:
        return tuple(self.resolve.paragraph(p, None)
                     for p in markup.paragraphs(self.block(name), self.name, False, self.language))

    def signatures(self) -> tuple[Signature, ...]:
        """A column per party: role, office (one or more lines), name."""
        signatures = []
        for party in self.context["pihak"]:
            sig = self.lines("tanda_tangan", {"p": party})
            if len(sig) < 3:
                raise DocgenError("block tanda_tangan must give at least three lines: role, office, name", self.name)
            office = tuple(itertools.chain(*(((Text("\n"),) if i else ()) + line for i, line in enumerate(sig[1:-1]))))
            below = self.lines("tanda_tangan_bawah", {"p": party}) if self.has("tanda_tangan_bawah") else ()
            signatures.append(Signature(source_text(sig[0]), office, sig[-1], below))
        return tuple(signatures)


def _keywords(request: Request, context: dict) -> tuple[str, ...]:
    """Document properties' keywords: document, programme, provinces, sector, kind and combination."""
    words = [context["dokumen"]["nama"], context["program"]["nama"],
             *(party["provinsi"]["nama"] for party in context["pihak"])]
    if request.sector:
        words.append(context["bidang_ini"]["nama"])
    return (*words, request.kind, request.combination)
