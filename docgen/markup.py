"""Rendered clause text → paragraphs (ayat) and list items, numbered and punctuated.

The syntax is described in clauses/README.md: blank lines separate paragraphs,
'- ' starts an item (huruf a. first), '+ ' an item numbered 1. first, two more
spaces of indent nest it, '[#label]' names an ayat or an item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import DocgenError
from .model import Item, Paragraph, Text

MAX_LEVELS = 4
ITEM = re.compile(r"^( *)([-+]) (.*)$")
LABEL = re.compile(r"^\[#([a-z0-9-]+)\]\s*")


def _trailing(language) -> re.Pattern:
    """What a drafter may have typed at the end of an item (assembly adds its own): a conjunction or a mark."""
    choices = "|".join(re.escape(c) for c in language.word("lists", "conjunctions"))
    return re.compile(rf"\s*(?:;\s*({choices})|[;.,])?\s*$")


@dataclass
class _Draft:
    text: str
    level: int = 0
    marker: str = "-"
    line: int = 0
    label: str | None = None
    children: list["_Draft"] = field(default_factory=list)


def paragraphs(text: str, path: str, numbered: bool, language) -> tuple[Paragraph, ...]:
    """Parse rendered text; `numbered` numbers the paragraphs (1), (2) … when there are several.

    Messages give the line of the rendered text: the file's line, as long as no
    {% … %} line above it was dropped.
    """
    blocks = _blocks(text, path)
    count = len(blocks)
    result = []
    for index, (para, flat) in enumerate(blocks):
        label, para.text = _label(para.text)
        tree = _nest(flat, path)
        number = index + 1 if numbered and count > 1 else None
        result.append(Paragraph((Text(para.text),), _finish(tree, ".", language), number, label))
    return tuple(result)


def _label(text: str) -> tuple[str | None, str]:
    found = LABEL.match(text)
    return (found.group(1), text[found.end():]) if found else (None, text)


def _blocks(text: str, path: str) -> list[tuple[_Draft, list[_Draft]]]:
    """Paragraphs, each with its items in a flat list that knows their levels."""
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
            label, body = _label(body.strip())
            last = _Draft(body, len(indent) // 2, marker, number, label)
            if last.level >= MAX_LEVELS:
                raise DocgenError(f"lists nest at most {MAX_LEVELS} levels deep (UU 12/2011); "
                                  "move the item out or split the paragraph", path, number)
            items.append(last)
        elif last is not None:
            last.text += " " + line.strip()
        elif paragraph is not None:
            paragraph.text = (paragraph.text + " " + line.strip()).strip()
        else:
            paragraph = _Draft(line.strip(), line=number)
            items = []
            blocks.append((paragraph, items))
    return blocks


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


def _finish(siblings: list[_Draft], final: str, language, level: int = 0, style=None) -> tuple[Item, ...]:
    """Number and punctuate one list: ';' after each item, the conjunction before the last."""
    if not siblings:
        return ()
    conjunction = language.word("lists", "conjunction")
    trailing = _trailing(language)
    stripped = []
    for item in siblings:
        match = trailing.search(item.text)
        if match.group(1):
            conjunction = match.group(1)
        stripped.append(item.text[: match.start()])
    if all(item.text.rstrip().endswith(";") for item in siblings):
        conjunction = ""  # every item typed with ';' alone: a list without a conjunction (recitals)
    # every item typed with '.': each ends with a period (definitions of a Ketentuan Umum, UU 12/2011)
    sentences = all(item.text.rstrip().endswith(".") for item in siblings)
    style = style or language.word("lists", "styles", siblings[0].marker)
    kind, close = style[level][:-1], style[level][-1]
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
            children = _finish(item.children, ending, language, level + 1, style)
            result.append(Item(kind, index, close, (Text(text),), children, item.label))
        else:
            result.append(Item(kind, index, close, (Text(text + ending),), (), item.label))
    return tuple(result)
