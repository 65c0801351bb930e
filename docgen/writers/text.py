"""Agreement tree → plain text lines in reading order (for checks, tests and diffs)."""
from __future__ import annotations

from ..model import Agreement, Item, Paragraph, plain


def lines(agreement: Agreement) -> list[str]:
    """Every printed line of the document body, in the order the DOCX and PDF show them."""
    out = [plain(line) for line in agreement.title_lines + agreement.number_lines]
    for paragraph in agreement.preamble:
        out += _paragraph(paragraph)
    for article in agreement.articles:
        out += [f"Pasal {article.number}", article.title]
        for paragraph in article.paragraphs:
            out += _paragraph(paragraph)
    for paragraph in agreement.closing:
        out += _paragraph(paragraph)
    out += _signatures(agreement.signatures)
    for annex in agreement.annexes:
        out += [plain(line) for line in annex.heading]
        out.append(" ".join(annex.table.header))
        out += [" ".join(plain(cell) for cell in row) for row in annex.table.rows]
        out += _signatures(annex.signatures)
    return out


def _signatures(signatures) -> list[str]:
    return ([f"{s.role} {plain(s.office)}" for s in signatures] + [plain(s.name) for s in signatures]
            + [plain(line) for s in signatures for line in s.below])


def text(agreement: Agreement) -> str:
    return "\n".join(lines(agreement))


def _paragraph(paragraph: Paragraph) -> list[str]:
    head = f"{paragraph.number} " if paragraph.number else ""
    return [head + plain(paragraph.content)] + [line for item in paragraph.items for line in _item(item)]


def _item(item: Item) -> list[str]:
    return [f"{item.label} {plain(item.content)}"] + [line for child in item.items for line in _item(child)]
