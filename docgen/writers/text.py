"""Agreement tree → plain text lines in reading order (for checks, tests and diffs)."""
from __future__ import annotations

from ..model import Agreement, Article, Content, Item, Paragraph, lines as tree_lines, shown


def lines(agreement: Agreement, language) -> list[str]:
    """Every printed line of the document body, in the order the DOCX and PDF show them."""
    plain = language.plain
    out = [plain(line) for line in agreement.title_lines + agreement.number_lines]
    out += paragraphs(agreement.preamble, language)
    notes: list[Content] = []
    for article in agreement.articles:
        out += article_lines(article, language, notes)
    out += paragraphs(agreement.closing, language)
    out += signatures(agreement.signatures, language)
    for annex in agreement.annexes:
        out += [plain(line) for line in annex.heading]
        out.append(" ".join(annex.table.header))
        out += [" ".join(plain(cell) for cell in row) for row in annex.table.rows]
        out += signatures(annex.signatures, language)
    return out


def article_lines(article: Article, language, notes: list[Content]) -> list[str]:
    """A Pasal: its heading with a mark [n] per footnote (numbered through the document), its title
    unless it has none (deleted), its ayat, an adendum's numbered changes each followed by the Pasal it
    quotes, then its footnotes as lines '[n] text'."""
    first = len(notes) + 1
    notes += article.notes
    marks = [f"[{n}]" for n in range(first, len(notes) + 1)]
    out = [" ".join([language.article_heading(article.number), *marks])]
    out += [article.title] if article.title else []
    out += paragraphs(article.paragraphs, language)
    for amendment in article.amendments:
        out += items((amendment.point,), language)
        for quoted in amendment.articles:
            out += article_lines(quoted, language, notes)
    out += [f"{mark} {language.plain(note)}" for mark, note in zip(marks, article.notes)]
    return out


def items(children: tuple[Item, ...], language) -> list[str]:
    return paragraphs((Paragraph((), children),), language)[1:]


def signatures(columns, language) -> list[str]:
    """Role and office of each column, then the names, then the lines under them (NIP)."""
    plain = language.plain
    return ([f"{s.role} {plain(s.office)}" for s in columns] + [plain(s.name) for s in columns]
            + [plain(line) for s in columns for line in s.below])


def paragraphs(paragraphs: tuple[Paragraph, ...], language) -> list[str]:
    """Each ayat and list item as a line: its number or label, then its text."""
    out = []
    for _, line in tree_lines(paragraphs):
        if isinstance(line, Paragraph):
            head = f"{language.ayat_label(line.number)} " if line.number else ""
        else:
            head = f"{language.item_label(line)} "
        out.append(head + language.plain(shown(line)))
    return out


def text(agreement: Agreement, language) -> str:
    return "\n".join(lines(agreement, language))


def write(agreement: Agreement, context) -> bytes:
    return (text(agreement, context.language) + "\n").encode()
