"""The agreement tree: assembly produces it, every writer reads it, nothing else lives here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Text:
    """Words printed as they are."""
    value: str


@dataclass(frozen=True)
class Ref:
    """A cross-reference, already resolved: `text` is what is printed ('Pasal 6 ayat (2)')."""
    target: str          # clause id of the article referred to
    label: str | None    # ayat label inside that article, if any
    text: str
    pasal: int | None = None   # the article number printed, None for 'ayat (2)' of the same article
    ayat: str | None = None    # the ayat number printed ('2'), if any


@dataclass(frozen=True)
class Blank:
    """A value still to be filled in by hand (a document number, an unknown name)."""
    what: str
    source: str = ""         # the data file (and line) where it would be filled in


@dataclass(frozen=True)
class Change:
    """Words inserted or deleted between two versions of a document (a redline)."""
    kind: str                       # 'ins' or 'del'
    content: tuple                  # Text, Ref and Blank nodes
    author: str
    date: str                       # ISO 8601


Inline = Union[Text, Ref, Blank, Change]
Content = tuple[Inline, ...]


@dataclass(frozen=True)
class Item:
    """A list item: huruf a., angka 1., a), 1) — label and final punctuation already set."""
    label: str
    content: Content
    items: tuple["Item", ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, an ayat when it has a number '(1)', with the list items that follow it."""
    content: Content
    items: tuple[Item, ...] = ()
    number: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Article:
    """A Pasal: its number, title and ayat; `source` is the clause file it came from."""
    clause_id: str
    source: str
    number: int
    title: str
    paragraphs: tuple[Paragraph, ...]
    change: Change | None = None    # in a redline: the whole article inserted or deleted


@dataclass(frozen=True)
class Signature:
    """One party's column of the signature block."""
    role: str
    office: Content
    name: Content
    below: tuple[Content, ...] = ()   # lines under the name, e.g. the NIP of an agency head


@dataclass(frozen=True)
class Table:
    """A table of plain cells; the first row is the header."""
    header: tuple[str, ...]
    rows: tuple[tuple[Content, ...], ...]


@dataclass(frozen=True)
class Annex:
    """A Lampiran, on a page of its own."""
    heading: tuple[Content, ...]
    table: Table
    signatures: tuple[Signature, ...] = ()   # the parties' signature block that closes the Lampiran


@dataclass(frozen=True)
class Page:
    """Paper, font and the paraf boxes of the footer."""
    width_mm: float
    height_mm: float
    font: str
    paraf: tuple[str, ...]


@dataclass(frozen=True)
class Agreement:
    """One document: title block, preamble, articles, closing, signatures, annexes."""
    kind: str                          # 'mou' or 'pks'
    combination: str                   # 'bali-ntb-ntt'
    name: str                          # output file stem: 'mou', 'pks-pariwisata'
    title: str                         # document properties: title
    subject: str                       # document properties: subject
    title_lines: tuple[Content, ...]
    number_lines: tuple[Content, ...]
    preamble: tuple[Paragraph, ...]
    articles: tuple[Article, ...]
    closing: tuple[Paragraph, ...]
    signatures: tuple[Signature, ...]
    annexes: tuple[Annex, ...]
    page: Page
    draft: bool = True                 # marked DRAF until built with --final


def merged(parts) -> Content:
    """Inline parts with neighbouring Text nodes joined into one."""
    result: list = []
    for part in parts:
        if isinstance(part, Text) and result and isinstance(result[-1], Text):
            result[-1] = Text(result[-1].value + part.value)
        else:
            result.append(part)
    return tuple(result)


def plain(content: Content) -> str:
    """The printed text of inline content; a Blank prints as a dotted line."""
    return "".join(_printed(part) for part in content)


def _printed(part: Inline) -> str:
    if isinstance(part, Text):
        return part.value
    if isinstance(part, Ref):
        return part.text
    if isinstance(part, Change):
        return plain(part.content) if part.kind == "ins" else ""
    return DOTS


DOTS = "………………………"
DRAFT_MARK = "DRAF"      # the watermark of a document not built with --final
