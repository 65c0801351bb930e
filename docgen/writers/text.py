"""Agreement tree → plain text lines in reading order (for checks, tests and diffs)."""
from __future__ import annotations

from ..model import Agreement, Paragraph, lines as tree_lines, shown


def lines(agreement: Agreement, language) -> list[str]:
    """Every printed line of the document body, in the order the DOCX and PDF show them."""
    plain = language.plain
    out = [plain(line) for line in agreement.title_lines + agreement.number_lines]
    out += paragraphs(agreement.preamble, language)
    for article in agreement.articles:
        out += [language.article_heading(article.number), article.title]
        out += paragraphs(article.paragraphs, language)
    out += paragraphs(agreement.closing, language)
    out += signatures(agreement.signatures, language)
    for annex in agreement.annexes:
        out += [plain(line) for line in annex.heading]
        out.append(" ".join(annex.table.header))
        out += [" ".join(plain(cell) for cell in row) for row in annex.table.rows]
        out += signatures(annex.signatures, language)
    return out


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
