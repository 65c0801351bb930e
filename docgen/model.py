"""The agreement tree: assembly produces it, every writer reads it, nothing else lives here.

The tree carries structure, never words docgen adds by itself: a reference is its target and
numbers, a list item its kind and position; docgen.language prints them for every writer.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Text:
    """Words printed as they are."""
    value: str


@dataclass(frozen=True)
class Position:
    """One list item on the way to the item a reference reaches: its kind and place in its list."""
    kind: str      # 'letter' (a., a)) or 'number' (1., 1))
    index: int     # 0 for the first item
    mark: str | None = None   # under signed numbering: the letter or number it keeps ('c1'), printed instead


@dataclass(frozen=True)
class Ref:
    """A cross-reference by structure: the article, ayat and list item it reaches (never its words)."""
    target: str                        # clause id of the article referred to
    pasal: int | str                   # that article's number ('5A' when inserted into a signed agreement)
    ayat: int | str | None = None      # the ayat's number ('2a' likewise), when the reference reaches into one
    ayat_label: str | None = None      # that ayat's [#label], if it has one (its number is then a bookmark)
    items: tuple[Position, ...] = ()   # the list items down to the one referred to
    label: str | None = None           # the [#label] referred to; None for the whole article
    within: bool = False               # written inside the article it refers to: no article number
    phrase: bool = False               # ref(): introduced by 'as referred to in'; pasal(): the numbers alone


@dataclass(frozen=True)
class Blank:
    """A value still to be filled in by hand (a document number, an unknown name)."""
    what: str
    source: str = ""         # the data file (and line) where it would be filled in


@dataclass(frozen=True)
class Change:
    """Words inserted or deleted inside a line, between two versions of a document (a redline)."""
    kind: str                       # 'ins' or 'del'
    content: tuple                  # Text, Ref and Blank nodes
    author: str
    date: str                       # ISO 8601


@dataclass(frozen=True)
class Revision:
    """A whole line or article inserted or deleted (a redline): its number, text and paragraph mark."""
    kind: str                       # 'ins' or 'del'
    author: str
    date: str                       # ISO 8601


Inline = Union[Text, Ref, Blank, Change]
Content = tuple[Inline, ...]


@dataclass(frozen=True)
class Item:
    """A list item: its kind and place give its printed label ('a.', '1.', 'a)', '1)')."""
    kind: str                          # 'letter' or 'number'
    index: int                         # 0 for the first item of its list
    close: str                         # '.' or ')' after the letter or number
    content: Content                   # final punctuation and conjunction already added
    items: tuple["Item", ...] = ()
    label: str | None = None           # [#label]: the name a reference uses
    change: Revision | None = None     # in a redline: the whole item inserted or deleted
    mark: str | None = None            # under signed numbering: the letter or number it keeps ('c1'), printed
                                       # instead of the one its place gives
    deleted: bool = False              # under signed numbering: deleted by an adendum, kept with its letter


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, an ayat when it has a number, with the list items that follow it."""
    content: Content
    items: tuple[Item, ...] = ()
    number: int | str | None = None    # the ayat number ('2a' inserted into a signed agreement), None when
                                       # the article has one paragraph
    label: str | None = None           # [#label]: the name a reference uses
    change: Revision | None = None     # in a redline: the whole ayat inserted or deleted
    deleted: bool = False              # under signed numbering: deleted by an adendum, kept with its number


@dataclass(frozen=True)
class Article:
    """A Pasal: its number, title and ayat; `source` is the clause file it came from.

    Its number is an int while the document numbers itself; a signed agreement keeps its numbers, so
    an article inserted later is '5A' (an adendum numbers its own articles 'I' and 'II'). A deleted
    article keeps its number, no title, and one paragraph saying it is deleted.
    """
    clause_id: str
    source: str
    number: int | str
    title: str
    paragraphs: tuple[Paragraph, ...]
    change: Revision | None = None     # in a redline: the whole article inserted or deleted
    notes: tuple[Content, ...] = ()    # footnotes on its heading (the consolidated text: the adendum that
                                       # changed it)
    amendments: tuple["Amendment", ...] = ()   # an adendum's Pasal I: its numbered changes, after its paragraphs
    deleted: bool = False              # under signed numbering: deleted by an adendum, kept with its number


@dataclass(frozen=True)
class Amendment:
    """One numbered change of an adendum: its formula, then the articles as they read after it."""
    point: Item                        # '1. Ketentuan Pasal 5 ayat (2) diubah sehingga Pasal 5 berbunyi …:'
    articles: tuple[Article, ...] = ()   # quoted whole; none when the change deletes


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
    draft: bool = True                 # marked as a draft until built with --final
    language: str = "id"               # the words file (templates/lang/<language>.yaml) it is printed with
    author: str = ""                   # document properties: the office that drafts it (creator)
    keywords: tuple[str, ...] = ()     # document properties: keywords


Line = Union[Paragraph, Item]


def walk(node, kind=None) -> Iterator:
    """Every node of the tree under `node` (itself included) in reading order; only `kind` when given."""
    if kind is None or isinstance(node, kind):
        yield node
    if isinstance(node, tuple):
        for child in node:
            yield from walk(child, kind)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, tuple) or dataclasses.is_dataclass(value):
                yield from walk(value, kind)


def mapped(node, kind, change):
    """The tree under `node` with every node of `kind` replaced by `change(node)`."""
    if isinstance(node, kind):
        return change(node)
    if isinstance(node, tuple):
        return tuple(mapped(child, kind, change) for child in node)
    if dataclasses.is_dataclass(node):
        return dataclasses.replace(node, **{
            f.name: mapped(getattr(node, f.name), kind, change) for f in dataclasses.fields(node)
            if isinstance(getattr(node, f.name), tuple) or dataclasses.is_dataclass(getattr(node, f.name))})
    return node


def lines(paragraphs: tuple[Paragraph, ...]) -> Iterator[tuple[int, Line]]:
    """Each paragraph (level 0) and list item (level 1 and deeper) in reading order."""
    def items(children: tuple[Item, ...], level: int):
        for item in children:
            yield level, item
            yield from items(item.items, level + 1)

    for paragraph in paragraphs:
        yield 0, paragraph
        yield from items(paragraph.items, 1)


def merged(parts) -> Content:
    """Inline parts with neighbouring Text nodes joined into one."""
    result: list = []
    for part in parts:
        if isinstance(part, Text) and result and isinstance(result[-1], Text):
            result[-1] = Text(result[-1].value + part.value)
        else:
            result.append(part)
    return tuple(result)


def shown(line: Line) -> Content:
    """The content a reader sees of a line: none when the whole line was deleted."""
    return () if line.change and line.change.kind == "del" else line.content


DOTS = "………………………"
