"""Agreement tree → .docx, with named styles a drafter can change in Word."""
from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Mm, Pt

from ..model import (DOTS, DRAFT_MARK, Agreement, Annex, Article, Blank, Change, Content, Item, Paragraph, Ref, Signature,
                     Table, Text, plain)
from . import ooxml

ANCHOR_PREFIX = "K_"   # clause anchors: K_ + the clause id with '-' as '_' (ids never contain '_')
INDENT_CM = 1.0          # width of an ayat number or a list label
FONT_SIZE = Pt(12)

# Style name → (alignment, bold, keep with next, space before pt, space after pt)
STYLES = {
    "Judul Naskah": (WD_ALIGN_PARAGRAPH.CENTER, True, True, 0, 0),
    "Nomor Naskah": (WD_ALIGN_PARAGRAPH.CENTER, False, True, 0, 0),
    "Isi": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 6),
    "Pasal": (WD_ALIGN_PARAGRAPH.CENTER, True, True, 12, 0),
    "Judul Pasal": (WD_ALIGN_PARAGRAPH.CENTER, True, True, 0, 6),
    "Ayat": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 6),
    "Huruf": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 3),
    "Angka": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 3),
    "Butir Tingkat 3": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 3),
    "Butir Tingkat 4": (WD_ALIGN_PARAGRAPH.JUSTIFY, False, False, 0, 3),
    "Tanda Tangan": (WD_ALIGN_PARAGRAPH.CENTER, False, True, 0, 0),
    "Judul Lampiran": (WD_ALIGN_PARAGRAPH.CENTER, True, True, 0, 0),
    "Isi Tabel": (WD_ALIGN_PARAGRAPH.LEFT, False, False, 0, 0),
    "Paraf": (WD_ALIGN_PARAGRAPH.CENTER, False, False, 0, 0),
}
ITEM_STYLES = ("Huruf", "Angka", "Butir Tingkat 3", "Butir Tingkat 4")


def write(agreement: Agreement, date: dt.datetime, fields: bool = True) -> bytes:
    """The DOCX bytes of one agreement; `date` is stamped as created/modified (fixed for reproducibility).

    With `fields`, Pasal numbers are SEQ fields and references REF fields to bookmarks, so
    Word renumbers both after a Pasal is inserted by hand (F9); without, plain text.
    """
    document = docx.Document()
    _styles(document, agreement.page.font)
    _page(document, agreement)
    _properties(document, agreement, date)
    writer = _Writer(document, fields)
    writer.agreement(agreement)
    return _saved(document)


def write_matrix(agreement: Agreement, rows, date: dt.datetime) -> bytes:
    """The change matrix (matriks perubahan): per changed clause, Pasal old → new, the old and the new
    text, and an empty column per party for its response. `agreement` is the newer version."""
    document = docx.Document()
    _styles(document, agreement.page.font)
    _page(document, agreement)
    _properties(document, agreement, date)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    writer = _Writer(document, fields=False)
    writer.line((Text("MATRIKS PERUBAHAN"),), "Judul Naskah")
    for line in agreement.title_lines:
        writer.line(line, "Judul Naskah")
    writer.spacer()
    responses = [f"Tanggapan {s.role.rstrip(',')}" for s in agreement.signatures]
    cells = [tuple((Text(text or "–"),) for text in
                   (f"{row.old_number or '–'} → {row.new_number or '–'}", row.old_text, row.new_text))
             + tuple(() for _ in responses) for row in rows]
    writer.table(Table(("Pasal", "Rumusan Semula", "Rumusan Menjadi", *responses), tuple(cells)))
    return _saved(document)


def _saved(document) -> bytes:
    ooxml.drop_leftovers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return ooxml.normalised_zip(buffer.getvalue())


class _Writer:
    """A visitor with one method per node kind of the tree."""

    def __init__(self, document, fields: bool):
        self.document = document
        self.fields = fields
        self.bookmarks = ooxml.Bookmarks()
        self.revisions = ooxml.Revisions()

    def agreement(self, agreement: Agreement) -> None:
        for line in agreement.title_lines:
            self.line(line, "Judul Naskah")
        self.spacer()
        for line in agreement.number_lines:
            self.line(line, "Nomor Naskah")
        self.spacer()
        for paragraph in agreement.preamble:
            self.paragraph(paragraph, 0.0)
        for article in agreement.articles:
            self.article(article)
        for paragraph in agreement.closing:
            self.paragraph(paragraph, 0.0).paragraph_format.keep_with_next = True
        self.signatures(agreement.signatures)
        for annex in agreement.annexes:
            self.annex(annex)

    def article(self, article: Article) -> None:
        heading = _paragraph(self.document, "Pasal")
        # the clause anchor: an invisible bookmark named after the clause id around the whole article
        anchor = self.bookmarks.start(heading, clause_anchor(article.clause_id))
        heading.add_run("Pasal ")
        self.number(heading, ("Pasal", article.clause_id), "SEQ Pasal \\* ARABIC", str(article.number))
        last = self.line((Text(article.title),), "Judul Pasal")
        if article.change:  # a whole article inserted or deleted (redline)
            for p in (heading, last):
                self.tracked(p, p.runs, article.change)
        for paragraph in article.paragraphs:
            last = self.paragraph(paragraph, INDENT_CM if paragraph.number else 0.0, article.clause_id)
        self.bookmarks.end(last, anchor)

    def number(self, p, key: tuple, instruction: str, value: str) -> None:
        """A number others refer to: a bookmarked field, or plain text with --plain-numbers."""
        if not self.fields:
            p.add_run(value)
            return
        name = self.bookmarks.name(*key)
        if instruction:
            self.bookmarks.around(p, name, lambda: ooxml.complex_field(p, instruction, value))
        else:
            self.bookmarks.around(p, name, lambda: p.add_run(value))

    def reference(self, p, key: tuple, value: str) -> None:
        if self.fields:
            ooxml.complex_field(p, f"REF {self.bookmarks.name(*key)} \\h", value)
        else:
            p.add_run(value)

    def tracked(self, p, runs, change: Change) -> None:
        self.revisions.wrap(p, runs, change.kind, change.author, change.date)
        self.revisions.mark_paragraph(p, change.kind, change.author, change.date)

    def label(self, p, text: str, content: Content) -> None:
        """A number or letter; inside the change when the whole line was inserted or deleted."""
        run = p.add_run(text)
        whole = _whole_change(content)
        if whole:
            self.revisions.wrap(p, [run], whole.kind, whole.author, whole.date)

    def paragraph(self, paragraph: Paragraph, indent: float, clause_id: str | None = None):
        if paragraph.number and _whole_change(paragraph.content):
            p = _paragraph(self.document, "Ayat")
            self.label(p, paragraph.number + "\t", paragraph.content)
        elif paragraph.number:
            p = _paragraph(self.document, "Ayat")
            if paragraph.label and clause_id:
                p.add_run("(")
                self.number(p, ("Ayat", clause_id, paragraph.label), "", paragraph.number.strip("()"))
                p.add_run(")\t")
            else:
                p.add_run(paragraph.number + "\t")
        else:
            p = _paragraph(self.document, "Isi")
        self.content(p, paragraph.content)
        for item in paragraph.items:
            p = self.item(item, 0, indent)
        return p

    def item(self, item: Item, level: int, indent: float) -> None:
        p = _paragraph(self.document, ITEM_STYLES[level])
        left = indent + (level + 1) * INDENT_CM
        p.paragraph_format.left_indent = Cm(left)
        p.paragraph_format.first_line_indent = Cm(-INDENT_CM)
        p.paragraph_format.tab_stops.add_tab_stop(Cm(left))
        self.label(p, item.label + "\t", item.content)
        self.content(p, item.content)
        for child in item.items:
            p = self.item(child, level + 1, indent)
        return p

    def content(self, p, content: Content) -> None:
        whole = _whole_change(content)
        if whole:  # an inserted or deleted line: its paragraph mark too
            self.revisions.mark_paragraph(p, whole.kind, whole.author, whole.date)
        for part in content:
            if isinstance(part, Text):
                _add_text(p, part.value)
            elif isinstance(part, Ref):
                if part.pasal is not None:
                    p.add_run("Pasal ")
                    self.reference(p, ("Pasal", part.target), str(part.pasal))
                    if part.ayat:
                        p.add_run(" ")
                if part.ayat:
                    p.add_run("ayat (")
                    self.reference(p, ("Ayat", part.target, part.label), part.ayat)
                    p.add_run(")")
            elif isinstance(part, Blank):
                p.add_run(DOTS)
            elif isinstance(part, Change):
                before = len(p.runs)
                self.content(p, part.content)
                self.revisions.wrap(p, p.runs[before:], part.kind, part.author, part.date)

    def line(self, content: Content, style: str):
        p = _paragraph(self.document, style)
        self.content(p, content)
        return p

    def spacer(self) -> None:
        _paragraph(self.document, "Nomor Naskah")

    def signatures(self, signatures: tuple[Signature, ...]) -> None:
        """A column per party: role and office, room for signature, seal and meterai, then the name."""
        self.spacer()
        table = self.document.add_table(rows=2, cols=len(signatures))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row in table.rows:
            ooxml.cant_split(row)
        for top, bottom, signature in zip(table.rows[0].cells, table.rows[1].cells, signatures):
            role = top.paragraphs[0]
            _restyle(role, "Tanda Tangan")
            role.add_run(signature.role)
            self.content(_paragraph(top, "Tanda Tangan"), signature.office)
            name = bottom.paragraphs[0]
            _restyle(name, "Tanda Tangan")
            name.paragraph_format.space_before = Cm(2.6)
            for run in _runs(self, name, signature.name):
                run.bold = True
                run.underline = True
            for line in signature.below:
                self.content(_paragraph(bottom, "Tanda Tangan"), line)

    def annex(self, annex: Annex) -> None:
        _paragraph(self.document, "Judul Lampiran").add_run().add_break(WD_BREAK.PAGE)
        for line in annex.heading:
            self.line(line, "Judul Lampiran")
        self.spacer()
        self.table(annex.table)
        if annex.signatures:
            self.signatures(annex.signatures)

    def table(self, data: Table) -> None:
        """A bordered table whose header row repeats on every page; a row never splits."""
        table = self.document.add_table(rows=1 + len(data.rows), cols=len(data.header))
        ooxml.table_borders(table)
        ooxml.repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, data.header):
            _restyle(cell.paragraphs[0], "Isi Tabel")
            cell.paragraphs[0].add_run(text).bold = True
        for row, values in zip(table.rows[1:], data.rows):
            ooxml.cant_split(row)
            for cell, value in zip(row.cells, values):
                _restyle(cell.paragraphs[0], "Isi Tabel")
                self.content(cell.paragraphs[0], value)


def clause_anchor(clause_id: str) -> str:
    """The bookmark that marks a clause's article in the DOCX (ids are at most 38 characters)."""
    return ANCHOR_PREFIX + clause_id.replace("-", "_")


def anchored_clause(bookmark: str) -> str | None:
    """The clause id of an anchor bookmark, None for any other bookmark."""
    return bookmark[len(ANCHOR_PREFIX):].replace("_", "-") if bookmark.startswith(ANCHOR_PREFIX) else None


def _paragraph(container, style: str):
    """A new paragraph in `container` with a named style (set by id: python-docx's lookup by name is slow)."""
    p = container.add_paragraph()
    p._p.get_or_add_pPr().style = style.replace(" ", "")
    return p


def _restyle(p, style: str):
    p._p.get_or_add_pPr().style = style.replace(" ", "")
    return p


def _whole_change(content: Content) -> Change | None:
    return content[0] if len(content) == 1 and isinstance(content[0], Change) else None


def _runs(writer: _Writer, p, content: Content):
    before = len(p.runs)
    writer.content(p, content)
    return p.runs[before:]


def _add_text(p, text: str) -> None:
    """Text with line breaks kept (a signer's office can run over two lines)."""
    for index, piece in enumerate(text.split("\n")):
        run = p.add_run()
        if index:
            run.add_break()
        if piece:
            run.add_text(piece)


def _styles(document, font: str) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = font
    normal.font.size = FONT_SIZE
    ooxml.set_fonts(normal.element, font)
    ooxml.set_language(normal.element, "id-ID")
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.space_after = Pt(0)
    for name, (alignment, bold, keep, before, after) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        fmt = style.paragraph_format
        fmt.alignment = alignment
        fmt.keep_with_next = keep
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        style.font.bold = bold or None
    ayat = styles["Ayat"].paragraph_format
    ayat.left_indent = Cm(INDENT_CM)
    ayat.first_line_indent = Cm(-INDENT_CM)
    ayat.tab_stops.add_tab_stop(Cm(INDENT_CM))
    for level, name in enumerate(ITEM_STYLES):
        fmt = styles[name].paragraph_format
        fmt.left_indent = Cm(INDENT_CM * (level + 2))
        fmt.first_line_indent = Cm(-INDENT_CM)
    for name in ("Isi Tabel", "Paraf"):
        styles[name].font.size = Pt(10)
        styles[name].paragraph_format.line_spacing = 1.0


def _page(document, agreement: Agreement) -> None:
    page = agreement.page
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(3.5)
    section.footer_distance = Cm(1)
    footer = section.footer
    number_line = footer.paragraphs[0]
    _restyle(number_line, "Paraf")
    ooxml.simple_field(number_line, "PAGE", "1")
    table = footer.add_table(rows=2, cols=len(page.paraf), width=Cm(2.2 * len(page.paraf)))
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    table.autofit = False
    ooxml.table_borders(table)
    for column in table.columns:
        column.width = Cm(2.2)
    for row in table.rows:
        for cell in row.cells:  # Word and LibreOffice read the width of each cell
            cell.width = Cm(2.2)
            _restyle(cell.paragraphs[0], "Paraf")
    for cell, label in zip(table.rows[0].cells, page.paraf):
        cell.paragraphs[0].add_run(f"Paraf {label}")
    table.rows[1].height = Cm(0.9)
    # A footer must end with a paragraph: the page number goes below the boxes.
    footer._element.append(number_line._p)
    if agreement.draft:
        ooxml.watermark(section.header, DRAFT_MARK, page.font)


def _fit(text: str, limit: int = 255) -> str:
    """python-docx refuses core properties longer than 255 characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _properties(document, agreement: Agreement, date: dt.datetime) -> None:
    core = document.core_properties
    core.title = _fit(agreement.title)
    core.subject = _fit(agreement.subject)
    core.author = ""
    core.comments = ""
    core.last_modified_by = ""
    core.keywords = f"{agreement.kind}; {agreement.combination}"
    core.category = plain(agreement.title_lines[0]) if agreement.title_lines else ""
    core.language = "id-ID"
    core.content_status = "Draf" if agreement.draft else "Final"
    core.revision = 1
    core.created = core.modified = date
