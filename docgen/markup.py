"""Rendered clause text → paragraphs (ayat) and list items, numbered and punctuated.

The syntax is described in clauses/README.md: blank lines separate paragraphs,
'- ' starts an item (huruf a. first), '+ ' an item numbered 1. first, two more
spaces of indent nest it, '[#label]' names an ayat.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import DocgenError
from .indonesian import huruf
from .model import Item, Paragraph, Text

MAX_LEVELS = 4
ITEM = re.compile(r"^( *)([-+]) (.*)$")
LABEL = re.compile(r"^\[#([a-z0-9-]+)\]\s*")
# What a drafter may have typed at the end of an item; assembly adds its own.
TRAILING = re.compile(r"\s*(?:;\s*(dan/atau|dan|atau)|[;.,])?\s*$")
LABEL_STYLES = {
    "-": (lambda i: huruf(i) + ".", lambda i: f"{i + 1}.", lambda i: huruf(i) + ")", lambda i: f"{i + 1})"),
    "+": (lambda i: f"{i + 1}.", lambda i: huruf(i) + ".", lambda i: f"{i + 1})", lambda i: huruf(i) + ")"),
}


@dataclass
class _Draft:
    text: str
    level: int = 0
    marker: str = "-"
    line: int = 0
    children: list["_Draft"] = field(default_factory=list)


def paragraphs(text: str, path: str, numbered: bool) -> tuple[Paragraph, ...]:
    """Parse rendered text; `numbered` numbers the paragraphs (1), (2) … when there are several.

    Messages give the line of the rendered text: the file's line, as long as no
    {% … %} line above it was dropped.
    """
    blocks: list[tuple[_Draft, list[_Draft]]] = []
    paragraph: _Draft | None = None
    items: list[_Draft] = []
    last: _Draft | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            paragraph, last = None, None
            continue
        match = ITEM.match(line)
        if match:
            indent, marker, body = match.groups()
            if paragraph is None:
                paragraph = _Draft("", line=number)
                items = []
                blocks.append((paragraph, items))
            if len(indent) % 2:
                raise DocgenError("list items are indented by multiples of two spaces",
                                  path, number)
            last = _Draft(body.strip(), len(indent) // 2, marker, number)
            if last.level >= MAX_LEVELS:
                raise DocgenError(f"lists nest at most {MAX_LEVELS} levels deep (UU 12/2011); "
                                  "move the item out or split the ayat", path, number)
            items.append(last)
        elif last is not None:
            last.text += " " + line.strip()
        elif paragraph is not None:
            paragraph.text = (paragraph.text + " " + line.strip()).strip()
        else:
            paragraph = _Draft(line.strip(), line=number)
            items = []
            blocks.append((paragraph, items))
    count = len(blocks)
    result = []
    for index, (para, flat) in enumerate(blocks):
        label = None
        found = LABEL.match(para.text)
        if found:
            label, para.text = found.group(1), para.text[found.end():]
        tree = _nest(flat, path)
        number = f"({index + 1})" if numbered and count > 1 else None
        result.append(Paragraph((Text(para.text),), _finish(tree, "."), number, label))
    return tuple(result)


def _nest(flat: list[_Draft], path: str) -> list[_Draft]:
    """Flat items with levels → a tree; a level may only go one deeper at a time."""
    roots: list[_Draft] = []
    stack: list[_Draft] = []
    for item in flat:
        if item.level > len(stack):
            raise DocgenError("this item is indented deeper than the item above it allows",
                              path, item.line)
        del stack[item.level:]
        (stack[-1].children if stack else roots).append(item)
        stack.append(item)
    return roots


def _finish(siblings: list[_Draft], final: str, level: int = 0, style=None) -> tuple[Item, ...]:
    """Number and punctuate one list: ';' after each item, the conjunction before the last."""
    if not siblings:
        return ()
    conjunction = "dan"
    stripped = []
    for item in siblings:
        match = TRAILING.search(item.text)
        if match.group(1):
            conjunction = match.group(1)
        stripped.append(item.text[: match.start()])
    if all(item.text.rstrip().endswith(";") for item in siblings):
        conjunction = ""  # every item typed with ';' alone: a list without a conjunction (recitals)
    # every item typed with '.': each ends with a period (definitions of a Ketentuan Umum, UU 12/2011)
    sentences = all(item.text.rstrip().endswith(".") for item in siblings)
    style = style or LABEL_STYLES[siblings[0].marker]
    result = []
    for index, (item, text) in enumerate(zip(siblings, stripped)):
        if sentences:
            ending = "."
        elif index == len(siblings) - 1:
            ending = final
        elif index == len(siblings) - 2 and conjunction:
            ending = f"; {conjunction}"
        else:
            ending = ";"
        if item.children:
            # The punctuation of an item with sub-items falls on its last sub-item.
            children = _finish(item.children, ending, level + 1, style)
            result.append(Item(style[level](index), (Text(text),), children))
        else:
            result.append(Item(style[level](index), (Text(text + ending),)))
    return tuple(result)
