"""Agreement tree → .docx, with named styles a drafter can change in Word."""
from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt

from ..model import (DOTS, Agreement, Annex, Article, Blank, Change, Content, Item, Paragraph, Ref, Revision,
                     Signature, Table, Text, lines as tree_lines)
from .. import layout as layout_data
from ..layout import Layout
from . import ooxml

QUOTED = ("quoted",)   # the bookmarks of an article quoted by an adendum: prefixed, apart from the document's
ANCHOR_PREFIX = "K_"   # clause anchors: K_ + the clause id with '-' as '_' (ids never contain '_')
COMPATIBILITY_MODE = 15   # Word 2013 and later: the document does not open in "Compatibility Mode"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
# The paragraph styles: their layout is in templates/layout.yaml, their names in the words file.
ROLES = ("title", "number", "body", "article", "article_title", "paragraph", "item1", "item2", "item3", "item4",
         "signature", "annex_title", "table", "initials", "page_number", "footnote")
ITEM_STYLES = ("item1", "item2", "item3", "item4")


def style_names(language) -> dict[str, str]:
    """Each style of ROLES by the name the words file gives it."""
    names = {role: language.word("styles", role) for role in ROLES if not role.startswith("item")}
    names.update(zip(ITEM_STYLES, language.word("styles", "items")))
    names["footnote_reference"] = language.word("styles", "footnote_reference")   # a character style
    return names


def style_ids(language) -> dict[str, str]:
    """Each style of ROLES by its id in the document: its name without spaces."""
    return {role: name.replace(" ", "") for role, name in style_names(language).items()}


def write(agreement: Agreement, context) -> bytes:
    """The DOCX bytes of one agreement; `context.date` is stamped as created/modified (fixed).

    Pasal numbers are SEQ fields and references REF fields to bookmarks, so Word renumbers
    both after a Pasal is inserted by hand (F9); with the option plain_numbers, plain text.
    A signed agreement keeps its numbers (Pasal 5A, a deleted Pasal stays) and an adendum numbers
    its Pasal I, II: a SEQ field cannot count so, and these must never move, so their Pasal numbers
    are text inside the same bookmarks, and references to them stay REF fields.
    """
    document, layout = _document(agreement, context)
    writer = _Writer(document, layout, agreement, not context.options.get("plain_numbers", False),
                     context.language)
    writer.agreement(agreement)
    return _saved(document)


def write_matrix(agreement: Agreement, rows, context) -> bytes:
    """The change matrix: per changed clause, its number old → new, the old and the new text, and an
    empty column per party for its response. `agreement` is the newer version."""
    document, layout = _document(agreement, context)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    words = context.language.word("matrix")
    writer = _Writer(document, layout, agreement, False, context.language, landscape=True)
    writer.line((Text(words["title"]),), "title")
    for line in agreement.title_lines:
        writer.line(line, "title")
    writer.spacer()
    responses = [words["response"].format(s.role.rstrip(",")) for s in agreement.signatures]
    none = words["none"]
    cells = [tuple((Text(text or none),) for text in
                   (words["renumbered"].format(row.old_number or none, row.new_number or none),
                    row.old_text, row.new_text))
             + tuple(() for _ in responses) for row in rows]
    # a row may be longer than a page: it splits, and the header row repeats above its continuation
    writer.table(Table((words["article"], words["old"], words["new"], *responses), tuple(cells)),
                 layout.matrix_columns, rows_split=True)
    return _saved(document)


def _document(agreement: Agreement, context):
    """An empty document with the styles, page, language and properties of the agreement."""
    layout = layout_data.load(context.templates)
    document = docx.Document()
    _styles(document, agreement.page.font, context.language, layout)
    ooxml.document_language(document, context.language.word("page", "language_tag"))
    ooxml.compatibility_mode(document, COMPATIBILITY_MODE)
    _page(document, agreement, context.language, layout)
    _properties(document, agreement, context.date, context.language)
    return document, layout


def _saved(document) -> bytes:
    ooxml.drop_leftovers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return ooxml.normalised_zip(buffer.getvalue())


class _Writer:
    """A visitor with one method per node kind of the tree."""

    def __init__(self, document, layout: Layout, agreement: Agreement, fields: bool, language,
                 landscape: bool = False):
        self.document = document
        self.layout = layout
        paper = agreement.page.height_mm if landscape else agreement.page.width_mm
        self.text_width = Cm(layout.text_width_cm(paper))
        self.fields = fields
        self.language = language
        self.ids = style_ids(language)
        self.bookmarks = ooxml.Bookmarks()
        self.revisions = ooxml.Revisions()
        self.footnotes = ooxml.Footnotes(document, self.ids["footnote"], self.ids["footnote_reference"])
        # Pasal numbers are SEQ fields only while the document numbers itself 1..n; a signed agreement's
        # numbers (5A) and an adendum's (I, II) are text, still bookmarked, so references stay live
        numbers = [article.number for article in agreement.articles]
        self.sequence = fields and numbers == list(range(1, len(numbers) + 1)) and \
            all(type(n) is int for n in numbers)
        self.marks = bookmarked(agreement.articles)   # the numbers the document bookmarks
        self.quoted = False   # writing an article quoted by an adendum's change

    def agreement(self, agreement: Agreement) -> None:
        for line in agreement.title_lines:
            self.line(line, "title")
        self.spacer()
        for line in agreement.number_lines:
            self.line(line, "number")
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

    def article(self, article: Article):
        """A Pasal: heading, title, ayat, then an adendum's numbered changes; returns its last paragraph.
        Inside a change (self.quoted) it is indented, without clause anchor, with bookmarks of its own."""
        heading = self.indented(_paragraph(self.document, self.ids["article"]), 0.0)
        # the clause anchor: an invisible bookmark named after the clause id around the whole article
        anchor = None if self.quoted else self.bookmarks.start(heading, clause_anchor(article.clause_id))
        word = self.language.word("reference", "article")
        heading.add_run(word + " ")
        sequence = f"SEQ {word} \\* ARABIC" if self.sequence and not self.quoted else ""
        self.number(heading, ("article", article.clause_id), sequence, str(article.number))
        for index, note in enumerate(article.notes):   # Word's footnotes, numbered '1,2' on one heading
            self.content(self.footnotes.add(heading, "," if index else ""), note)
        last = heading
        if article.title:   # a deleted article of a signed agreement has none
            last = self.indented(self.line((Text(article.title),), "article_title"), 0.0)
        if article.change:  # a whole article inserted or deleted (redline)
            for p in dict.fromkeys((heading, last)):
                self.tracked(p, p.runs, article.change)
        for paragraph in article.paragraphs:
            last = self.paragraph(paragraph, self.layout.indent_cm if paragraph.number else 0.0,
                                  article.clause_id)
        last = self.amendments(article) or last
        if anchor is not None:
            self.bookmarks.end(last, anchor)
        return last

    def amendments(self, article: Article):
        """Each numbered change of an adendum's article: its formula as a list item, then the articles as
        they read after it, quoted whole under it. Returns the last paragraph, None without changes."""
        last = None
        for amendment in article.amendments:
            last = self.item(amendment.point, 0, 0.0)
            self.quoted = True
            for quoted in amendment.articles:
                last = self.article(quoted)
            self.quoted = False
        return last

    def indented(self, p, left: float, hanging: bool = False):
        """A paragraph of a quoted article moved right by one indent; others as their style has them."""
        if self.quoted:
            left += self.layout.indent_cm
            p.paragraph_format.left_indent = Cm(left)
            if hanging:
                p.paragraph_format.first_line_indent = Cm(-self.layout.indent_cm)
                p.paragraph_format.tab_stops.add_tab_stop(Cm(left))
        return p

    def key(self, key: tuple) -> tuple:
        """The bookmark of a number: a quoted article's are its own, apart from the document's."""
        return QUOTED + key if self.quoted else key

    def number(self, p, key: tuple, instruction: str, value: str) -> None:
        """A number others refer to: a bookmarked field, or plain text with --plain-numbers."""
        name = self.bookmarks.name(*self.key(key))
        if not self.fields or name in self.bookmarks.placed:
            p.add_run(value)
            return
        if instruction:
            self.bookmarks.around(p, name, lambda: ooxml.complex_field(p, instruction, value))
        else:
            self.bookmarks.around(p, name, lambda: p.add_run(value))

    def reference(self, p, key: tuple, value: str) -> None:
        """A live REF field to the number's bookmark when the document has it (a quoted article's
        references reach only what is quoted with it), else the number as text."""
        key = self.key(key)
        if self.fields and key in self.marks:
            ooxml.complex_field(p, f"REF {self.bookmarks.name(*key)} \\h", value)
        else:
            p.add_run(value)

    def tracked(self, p, runs, change: Revision) -> None:
        self.revisions.wrap(p, runs, change.kind, change.author, change.date)
        self.revisions.mark_paragraph(p, change.kind, change.author, change.date)

    def label(self, p, key: tuple | None, label: str, number: str) -> None:
        """The number or letter of an ayat or item inside `label` ('(2)', 'a.'): a bookmark when labelled."""
        before, _, after = label.partition(number)
        if key and self.fields:
            p.add_run(before)
            self.number(p, key, "", number)
            p.add_run(after + "\t")
        else:
            p.add_run(label + "\t")

    def line_start(self, p, line: Paragraph | Item, key: tuple | None, label: str, number: str) -> None:
        """A line's label, then its content; a whole line inserted or deleted is tracked, mark and all."""
        before = len(p.runs)
        if label:
            self.label(p, None if line.change else key, label, number)
        if line.change:
            self.revisions.wrap(p, p.runs[before:], line.change.kind, line.change.author, line.change.date)
            self.revisions.mark_paragraph(p, line.change.kind, line.change.author, line.change.date)
            start = len(p.runs)
            self.content(p, line.content)
            self.revisions.wrap(p, p.runs[start:], line.change.kind, line.change.author, line.change.date)
        else:
            self.content(p, line.content)

    def paragraph(self, paragraph: Paragraph, indent: float, clause_id: str | None = None):
        p = _paragraph(self.document, self.ids["paragraph" if paragraph.number else "body"])
        self.indented(p, indent, hanging=bool(paragraph.number))
        indent += self.layout.indent_cm if self.quoted else 0.0
        label = self.language.ayat_label(paragraph.number) if paragraph.number else ""
        key = ("para", clause_id, paragraph.label) if paragraph.label and clause_id else None
        self.line_start(p, paragraph, key, label, str(paragraph.number))
        for item in paragraph.items:
            p = self.item(item, 0, indent, clause_id)
        return p

    def item(self, item: Item, level: int, indent: float, clause_id: str | None = None):
        p = _paragraph(self.document, self.ids[ITEM_STYLES[level]])
        left = indent + (level + 1) * self.layout.indent_cm
        p.paragraph_format.left_indent = Cm(left)
        p.paragraph_format.first_line_indent = Cm(-self.layout.indent_cm)
        p.paragraph_format.tab_stops.add_tab_stop(Cm(left))
        key = ("item", clause_id, item.label) if item.label and clause_id else None
        self.line_start(p, item, key, self.language.item_label(item), self.language.position(item.kind, item.index, item.mark))
        for child in item.items:
            p = self.item(child, level + 1, indent, clause_id)
        return p

    def content(self, p, content: Content) -> None:
        for part in content:
            if isinstance(part, Text):
                _add_text(p, part.value)
            elif isinstance(part, Ref):
                printed = self.language.reference(part)
                if printed.lead:
                    _add_text(p, printed.lead)
                for text, key in printed.spans:
                    if key:
                        self.reference(p, key, text)
                    else:
                        p.add_run(text)
            elif isinstance(part, Blank):
                p.add_run(DOTS)
            elif isinstance(part, Change):
                before = len(p.runs)
                self.content(p, part.content)
                self.revisions.wrap(p, p.runs[before:], part.kind, part.author, part.date)

    def line(self, content: Content, style: str):
        p = _paragraph(self.document, self.ids[style])
        self.content(p, content)
        return p

    def spacer(self) -> None:
        _paragraph(self.document, self.ids["number"])

    def signatures(self, signatures: tuple[Signature, ...]) -> None:
        """A column per party: role and office, room for signature, seal and meterai, then the name."""
        self.spacer()
        table = self.document.add_table(rows=2, cols=len(signatures))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.widths(table, [100 / len(signatures)] * len(signatures))
        for row in table.rows:
            ooxml.cant_split(row)
        for top, bottom, signature in zip(table.rows[0].cells, table.rows[1].cells, signatures):
            role = top.paragraphs[0]
            _restyle(role, self.ids["signature"])
            role.add_run(signature.role)
            self.content(_paragraph(top, self.ids["signature"]), signature.office)
            name = bottom.paragraphs[0]
            _restyle(name, self.ids["signature"])
            name.paragraph_format.space_before = Cm(self.layout.signature_room_cm)
            for run in _runs(self, name, signature.name):
                run.bold = True
                run.underline = True
            for line in signature.below:
                self.content(_paragraph(bottom, self.ids["signature"]), line)

    def annex(self, annex: Annex) -> None:
        for index, line in enumerate(annex.heading):
            self.line(line, "annex_title").paragraph_format.page_break_before = index == 0 or None
        self.spacer()
        self.table(annex.table, self.layout.annex_columns)
        if annex.signatures:
            self.signatures(annex.signatures)

    def table(self, data: Table, columns: dict, rows_split: bool = False) -> None:
        """A bordered table whose header row repeats on every page; a row splits only when `rows_split`."""
        table = self.document.add_table(rows=1 + len(data.rows), cols=len(data.header))
        ooxml.table_borders(table)
        self.widths(table, layout_data.column_widths(columns, len(data.header)))
        ooxml.repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, data.header):
            _restyle(cell.paragraphs[0], self.ids["table"])
            cell.paragraphs[0].add_run(text).bold = True
        for row, values in zip(table.rows[1:], data.rows):
            if not rows_split:
                ooxml.cant_split(row)
            for cell, value in zip(row.cells, values):
                _restyle(cell.paragraphs[0], self.ids["table"])
                self.content(cell.paragraphs[0], value)


    def widths(self, table, percentages: list[float]) -> None:
        """Fixed column widths (percent of the text width) and the layout's cell margins, as in the PDF."""
        widths = [Emu(round(self.text_width * share / 100)) for share in percentages]
        ooxml.table_geometry(table, widths, self.layout.cell_padding_pt)


def bookmarked(articles: tuple[Article, ...], prefix: tuple = ()) -> set[tuple]:
    """The keys of the numbers the writer bookmarks: every Pasal's, a labelled ayat's and list item's
    (not of a line inserted or deleted whole), and those of the articles an adendum quotes (prefixed)."""
    found = set()
    for article in articles:
        found.add(prefix + ("article", article.clause_id))
        for _, line in tree_lines(article.paragraphs):
            if line.label and not line.change and (isinstance(line, Item) or line.number):
                kind = "item" if isinstance(line, Item) else "para"
                found.add(prefix + (kind, article.clause_id, line.label))
        for amendment in article.amendments:
            found |= bookmarked(amendment.articles, QUOTED)
    return found


def clause_anchor(clause_id: str) -> str:
    """The bookmark that marks a clause's article in the DOCX (ids are at most 38 characters)."""
    return ANCHOR_PREFIX + clause_id.replace("-", "_")


def anchored_clause(bookmark: str) -> str | None:
    """The clause id of an anchor bookmark, None for any other bookmark."""
    return bookmark[len(ANCHOR_PREFIX):].replace("_", "-") if bookmark.startswith(ANCHOR_PREFIX) else None


def _paragraph(container, style_id: str):
    """A new paragraph in `container` with a style, set by id (python-docx's lookup by name is slow)."""
    return _restyle(container.add_paragraph(), style_id)


def _restyle(p, style_id: str):
    p._p.get_or_add_pPr().style = style_id
    return p


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


def _styles(document, font: str, language, layout: Layout) -> None:
    """The named styles of layout.yaml on top of Normal, which carries the font and the line pitch."""
    styles = document.styles
    # the defaults of the document: no space after a paragraph, the line pitch of the text
    defaults = ooxml.child(ooxml.child(ooxml.child(styles.element, "w:docDefaults"), "w:pPrDefault"), "w:pPr")
    spacing = ooxml.child(defaults, "w:spacing")
    for name, value in (("w:before", "0"), ("w:after", "0"), ("w:line", str(round(layout.line_pt * 20))),
                        ("w:lineRule", "exact")):
        spacing.set(qn(name), value)
    normal = styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(layout.font_pt)
    ooxml.set_fonts(normal.element, font)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(layout.line_pt)
    fmt.space_before = fmt.space_after = Pt(0)
    # Word knows only "widow/orphan control" (two lines each); the PDF takes the same numbers
    fmt.widow_control = layout.orphans > 1 or layout.widows > 1
    names = style_names(language)
    for role in ROLES:
        data = layout.style(role)
        style = styles.add_style(names[role], WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        fmt = style.paragraph_format
        fmt.alignment = ALIGN[data.align]
        fmt.keep_with_next = data.keep_next
        fmt.space_before = Pt(data.before)
        fmt.space_after = Pt(data.after)
        style.font.bold = data.bold or None
        if data.font_pt:
            style.font.size = Pt(data.font_pt)
        if data.line_pt:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(data.line_pt)
        if data.outline:
            ooxml.outline_level(style, data.outline - 1)
    reference = styles.add_style(names["footnote_reference"], WD_STYLE_TYPE.CHARACTER)
    reference.font.superscript = True
    indent = layout.indent_cm
    ayat = styles[names["paragraph"]].paragraph_format
    ayat.left_indent = Cm(indent)
    ayat.first_line_indent = Cm(-indent)
    ayat.tab_stops.add_tab_stop(Cm(indent))
    for level, role in enumerate(ITEM_STYLES):
        fmt = styles[names[role]].paragraph_format
        fmt.left_indent = Cm(indent * (level + 2))
        fmt.first_line_indent = Cm(-indent)


def _page(document, agreement: Agreement, language, layout: Layout) -> None:
    page = agreement.page
    margin = layout.margin_cm
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    section.left_margin, section.right_margin = Cm(margin["left"]), Cm(margin["right"])
    section.top_margin, section.bottom_margin = Cm(margin["top"]), Cm(margin["bottom"])
    section.footer_distance = Cm(layout.footer_cm)
    footer = section.footer
    number_line = footer.paragraphs[0]
    ids = style_ids(language)
    _restyle(number_line, ids["page_number"])
    ooxml.simple_field(number_line, "PAGE", "1")
    box = layout.paraf_box_cm
    table = footer.add_table(rows=2, cols=len(page.paraf), width=Cm(box["width"] * len(page.paraf)))
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    ooxml.table_geometry(table, [Cm(box["width"])] * len(page.paraf), layout.cell_padding_pt)
    ooxml.table_borders(table)
    for row in table.rows:
        for cell in row.cells:
            _restyle(cell.paragraphs[0], ids["initials"])
    for cell, label in zip(table.rows[0].cells, page.paraf):
        cell.paragraphs[0].add_run(language.word("page", "paraf").format(label))
    table.rows[1].height = Cm(box["height"])
    # A footer must end with a paragraph: the page number goes below the boxes.
    footer._element.append(number_line._p)
    if agreement.draft:
        ooxml.watermark(section.header, language.word("page", "watermark"), page.font)


def _fit(text: str, limit: int = 255) -> str:
    """python-docx refuses core properties longer than 255 characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _properties(document, agreement: Agreement, date: dt.datetime, language) -> None:
    core = document.core_properties
    core.title = _fit(agreement.title)
    core.subject = _fit(agreement.subject)
    core.author = core.last_modified_by = _fit(agreement.author)
    core.comments = ""
    core.keywords = _fit("; ".join(agreement.keywords))
    core.category = language.plain(agreement.title_lines[0]) if agreement.title_lines else ""
    core.language = language.word("page", "language_tag")
    core.content_status = language.word("page", "status", "draft" if agreement.draft else "final")
    core.revision = 1
    core.created = core.modified = date
    ooxml.app_properties(document, agreement.author, f"{agreement.kind}.j2")
