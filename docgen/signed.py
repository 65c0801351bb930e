"""A signed agreement's numbers never move (UU 12/2011 Lampiran II, Bab II huruf D, on amendments).

`renumber(previous, current)` gives the current text the numbers of the previous, signed one: an
article inserted after Pasal 5 is Pasal 5A (then 5B), an ayat inserted after ayat (2) is ayat (2a),
a letter inserted after huruf c is huruf c1 (an angka after angka 4: angka 4a); a deleted article,
ayat or letter keeps its number and reads as deleted; every reference follows. Pure: trees in, a tree
out. The words a deleted part reads come from the words file (amendment: deleted).
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field

from .errors import DocgenError
from .language import letters
from .model import Agreement, Article, Item, Paragraph, Ref, Text, mapped
from .redline import content_key

NUMBER = re.compile(r"(\d+)([A-Za-z]*)(\d*)")


@dataclass
class Numbers:
    """What renumbering did, for the references: each article's number, and per article the signed number
    of each ayat and the mark of each first-level list item, by the numbers they had as built."""
    articles: dict = field(default_factory=dict)    # clause id → number
    ayat: dict = field(default_factory=dict)        # (clause id, ayat as built) → number kept
    items: dict = field(default_factory=dict)       # (clause id, ayat as built, index) → mark kept


def renumber(previous: Agreement, current: Agreement, words) -> Agreement:
    """`current` with the numbers of `previous` (the signed text, or the text as last amended)."""
    numbers = Numbers()
    before = {a.clause_id: a for a in previous.articles}
    order = {a.clause_id: i for i, a in enumerate(previous.articles)}
    now = {a.clause_id for a in current.articles}
    pending = [a for a in previous.articles if a.deleted or a.clause_id not in now]
    taken = {str(a.number) for a in previous.articles}
    placed: list[Article] = []
    last, last_index = None, -1
    kept = [a.clause_id in before and not before[a.clause_id].deleted for a in current.articles]
    for position, article in enumerate(current.articles):
        old = before.get(article.clause_id)
        if kept[position]:
            if order[old.clause_id] < last_index:
                raise DocgenError(f"{_shown(words, 'article', old.number)} of the signed text moved; a signed "
                                  "article keeps its place: delete it and insert a new article where it should go",
                                  article.source)
            while pending and order[pending[0].clause_id] < order[old.clause_id]:
                placed.append(_gone(pending.pop(0), words))
            last_index, number = order[old.clause_id], old.number
            article = _kept(old, article, words, numbers)
        elif not any(kept[position:]):   # added after the last article: the next number, nothing moves
            placed += [_gone(a, words) for a in pending]
            pending, number = [], _next(taken)
        else:
            number = _after(last, taken, article.source, words.word("amendment", "article"), upper=True)
        taken.add(str(number))
        numbers.articles[article.clause_id] = number
        placed.append(dataclasses.replace(article, number=number))
        last = number
    placed += [_gone(a, words) for a in pending]
    renumbered = dataclasses.replace(current, articles=tuple(placed))
    return mapped(renumbered, Ref, lambda ref: _followed(ref, numbers))


def _gone(article: Article, words) -> Article:
    """A deleted article: its number, and the words saying it is deleted."""
    return Article(article.clause_id, article.source, article.number, "",
                   (Paragraph((Text(words.word("amendment", "deleted")),)),), deleted=True)


def _shown(words, kind: str, number) -> str:
    return words.word("amendment", kind).format(number)


def _after(last, taken: set, source: str, shown: str, upper: bool = False):
    """The number of a part inserted after `last` where the signed numbering has no room: 5 → 5A, 5A → 5B;
    ayat 2 → 2a; huruf c → c1, angka 4 → 4a."""
    if last is None:
        raise DocgenError(f"a part inserted before {shown.format(1)} of a signed text has no number there; insert "
                          f"it after {shown.format(1)}", source)
    text = str(last)
    if text[-1].isdigit() and not text.isdigit() or text.isalpha():   # a letter item: c → c1, c1 → c2
        base, digits = re.match(r"(.*?)(\d*)$", text).groups()
        candidate = f"{base}{int(digits or 0) + 1}"
    else:
        base, letters = re.match(r"(\d+)(\D*)$", text).groups()
        letter = chr(ord(letters[-1]) + 1) if letters else ("A" if upper else "a")
        if not letter.isalpha():
            raise DocgenError(f"no number is left after {shown.format(text)}; insert the part elsewhere", source)
        candidate = f"{base}{letters[:-1]}{letter}"
    if candidate in taken:
        raise DocgenError(f"no number is free between {shown.format(text)} and {shown.format(candidate)} of the "
                          f"signed text; insert the part after {shown.format(candidate)}", source)
    return candidate


def _next(taken: set, kind: str = "number"):
    """The number after the last one of the signed text, for a part added at the end: Pasal 13 after
    Pasal 12 (or 12A), ayat (3) after ayat (2), huruf d after huruf c."""
    if kind == "letter":
        return letters(max(ord(t[0]) - ord("a") for t in taken) + 1)
    return max(int(NUMBER.match(str(t)).group(1)) for t in taken) + 1


def _kept(old: Article, new: Article, words, numbers: Numbers) -> Article:
    """An article of the signed text as it reads now, its ayat and first-level items with their signed numbers."""
    live = [p for p in old.paragraphs if not p.deleted]
    if not any(p.number for p in live) or not any(p.number for p in new.paragraphs):
        return new    # the signed article had no numbered ayat (or has none now): nothing to keep
    lines = _aligned(live, list(new.paragraphs))
    result: list[Paragraph] = []
    taken = {str(p.number) for p in old.paragraphs}
    last = None
    for position, (before, after) in enumerate(lines):
        if after is None:
            result.append(_deleted_ayat(before, words))
            last = before.number
            continue
        if before is not None:
            number = before.number
        elif not any(b is not None and a is not None for b, a in lines[position:]):
            number = _next(taken)
        else:
            number = _after(last, taken, new.source, words.word("amendment", "ayat"))
        taken.add(str(number))
        numbers.ayat[(new.clause_id, after.number)] = number
        items = _items(before, after, new, words, numbers) if before is not None else after.items
        result.append(dataclasses.replace(after, number=number, items=items))
        last = number
    gone = [p for p in old.paragraphs if p.deleted]
    return dataclasses.replace(new, paragraphs=_in_order(result + gone))


def _deleted_ayat(paragraph: Paragraph, words) -> Paragraph:
    return Paragraph((Text(words.word("amendment", "deleted")),), number=paragraph.number, deleted=True)


def _items(before: Paragraph, after: Paragraph, article: Article, words, numbers: Numbers) -> tuple[Item, ...]:
    """The first-level items of an ayat with the letters they were signed with; inserted ones get c1, c2."""
    if not before.items or not after.items:
        return after.items
    label = lambda item: item.mark or words.position(item.kind, item.index)
    live = [i for i in before.items if not i.deleted]
    taken = {label(i) for i in before.items}
    result, last = [], None
    pairs = _aligned(live, list(after.items))
    for position, (old, new) in enumerate(pairs):
        if new is None:
            result.append(dataclasses.replace(old, items=(), deleted=True, mark=label(old), content=(
                Text(words.word("amendment", "deleted_item")),)))
            last = label(old)
            continue
        if old is not None:
            mark = label(old)
        elif not any(o is not None and n is not None for o, n in pairs[position:]):
            mark = str(_next(taken, new.kind)) if new.kind == "number" else _next(taken, "letter")
        else:
            mark = _after(last, taken, article.source, words.word("amendment", "item"))
        taken.add(mark)
        numbers.items[(article.clause_id, after.number, new.index)] = mark
        result.append(dataclasses.replace(new, mark=mark))
        last = mark
    gone = [dataclasses.replace(i, mark=label(i)) for i in before.items if i.deleted]
    return tuple(_in_order(result + gone, lambda item: item.mark))


def _aligned(old: list, new: list) -> list[tuple]:
    """Old and new lines paired by their words: (old, new) kept or changed, (None, new) inserted,
    (old, None) deleted — in the new order, deleted ones where they stood."""
    matcher = difflib.SequenceMatcher(None, [content_key(x.content) for x in old],
                                      [content_key(x.content) for x in new], autojunk=False)
    pairs: list[tuple] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        kept = (i2 - i1) if op == "equal" else min(i2 - i1, j2 - j1) if op == "replace" else 0
        pairs += [(old[i1 + k], new[j1 + k]) for k in range(kept)]
        pairs += [(x, None) for x in old[i1 + kept:i2]]
        pairs += [(None, x) for x in new[j1 + kept:j2]]
    return pairs


def _in_order(lines: list, number=lambda line: line.number) -> tuple:
    """Lines sorted by their numbers (2 < 2a < 2b < 3; c < c1 < d), the order the signed text keeps."""
    def key(line):
        text = str(number(line))
        match = NUMBER.fullmatch(text)
        if match:
            return (int(match.group(1)), match.group(2).lower(), int(match.group(3) or 0))
        letters, digits = re.match(r"([a-z]*)(\d*)$", text).groups()
        return (len(letters), letters, int(digits or 0))
    return tuple(sorted(lines, key=key))


def _followed(ref: Ref, numbers: Numbers) -> Ref:
    """A reference with the numbers its target keeps."""
    ayat = numbers.ayat.get((ref.target, ref.ayat), ref.ayat)
    items = ref.items
    if items:
        mark = numbers.items.get((ref.target, ref.ayat, items[0].index))
        items = (dataclasses.replace(items[0], mark=mark),) + items[1:] if mark else items
    return dataclasses.replace(ref, pasal=numbers.articles.get(ref.target, ref.pasal), ayat=ayat, items=items)
