"""Numbering and cross-references: article numbers, where each [#label] sits, tokens → Ref nodes."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import DocgenError
from .library import Clause, Library
from .model import Content, Item, Paragraph, Position, Ref, Text, merged
from .sandbox import TOKEN, Marks


@dataclass(frozen=True)
class RefCall:
    """A ref() or pasal() call met while rendering, resolved once every article has its number."""
    target: str
    label: str | None
    phrase: bool       # ref() introduces the reference with words; pasal() gives the numbers alone
    path: str
    line: int


@dataclass(frozen=True)
class Anchor:
    """Where a [#label] sits in its article: the ayat, and the list items down to a labelled item."""
    ayat: int | None
    ayat_label: str | None
    items: tuple[Position, ...] = ()


class Numbering:
    """The number of every article of one document and the place of every label in it."""

    def __init__(self, drafts: list[tuple[Clause, tuple[Paragraph, ...]]]):
        self.numbers = {clause.id: n for n, (clause, _) in enumerate(drafts, start=1)}
        self.anchors: dict[str, dict[str, Anchor]] = {}
        for clause, paragraphs in drafts:
            found: dict[str, Anchor] = {}
            for paragraph in paragraphs:
                if paragraph.label:
                    _add(found, paragraph.label, Anchor(paragraph.number, paragraph.label), clause)
                _items(found, paragraph.items, Anchor(paragraph.number, paragraph.label), clause)
            self.anchors[clause.id] = found


def _items(found: dict, items: tuple[Item, ...], parent: Anchor, clause: Clause) -> None:
    for item in items:
        anchor = Anchor(parent.ayat, parent.ayat_label, parent.items + (Position(item.kind, item.index),))
        if item.label:
            _add(found, item.label, anchor, clause)
        _items(found, item.items, anchor, clause)


def _add(found: dict, label: str, anchor: Anchor, clause: Clause) -> None:
    if label in found:
        raise DocgenError(f"label '[#{label}]' is used twice in this article", clause.path)
    found[label] = anchor


class Resolver:
    """Turns token-bearing text into inline nodes once every article has its number."""

    def __init__(self, marks: Marks, numbering: Numbering, where: str, library: Library):
        self.marks, self.numbering, self.where, self.library = marks, numbering, where, library

    def paragraph(self, paragraph: Paragraph, article: str | None) -> Paragraph:
        return Paragraph(self.content(source_text(paragraph.content), article),
                         tuple(self.item(i, article) for i in paragraph.items),
                         paragraph.number, paragraph.label)

    def item(self, item: Item, article: str | None) -> Item:
        return Item(item.kind, item.index, item.close, self.content(source_text(item.content), article),
                    tuple(self.item(i, article) for i in item.items), item.label)

    def content(self, text: str, article: str | None) -> Content:
        parts: list = []
        position = 0
        for match in TOKEN.finditer(text):
            if match.start() > position:
                parts.append(Text(text[position:match.start()]))
            value = self.marks.items[int(match.group(1))]
            parts.append(self._ref(value, article) if isinstance(value, RefCall) else value)
            position = match.end()
        if position < len(text):
            parts.append(Text(text[position:]))
        return merged(parts)

    def _ref(self, call: RefCall, article: str | None) -> Ref:
        numbers = self.numbering.numbers
        if call.target not in numbers:
            where = (f"not in the {self.where}" if self.library.clause(call.target)
                     else "not a clause id of the library")
            raise DocgenError(f"reference to '{call.target}', which is {where}; fix the id or remove the reference",
                              call.path, call.line)
        if call.label is None:
            return Ref(call.target, numbers[call.target], phrase=call.phrase)
        anchor = self.numbering.anchors.get(call.target, {}).get(call.label)
        if anchor is None:
            raise DocgenError(f"clause '{call.target}' has no paragraph or item labelled [#{call.label}]",
                              call.path, call.line)
        if anchor.ayat is None and not anchor.items:
            raise DocgenError(f"[#{call.label}] labels the only paragraph of '{call.target}', which has no "
                              "number; refer to the article without the label", call.path, call.line)
        within = call.target == article
        return Ref(call.target, numbers[call.target], anchor.ayat, anchor.ayat_label, anchor.items, call.label,
                   within, call.phrase)


def source_text(content: Content) -> str:
    """Inline content back to a string (tokens included) — only for content assembly made itself."""
    return "".join(p.value for p in content if isinstance(p, Text))
