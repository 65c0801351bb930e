"""The words docgen prints by itself, read from templates/lang/<code>.yaml, and the one place
that turns the tree's structure (references, list labels, ayat numbers) into printed words."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

from .errors import DocgenError
from .library import display, load_data
from .model import DOTS, Blank, Change, Content, Item, Ref, Text

DEFAULT = "id"


@dataclass(frozen=True)
class Printed:
    """A reference as printed: `lead` (unlinked words) then spans; a span that is a number carries
    the key of the bookmark it shows, so the DOCX can make it a REF field and the PDF a link."""
    lead: str
    spans: tuple[tuple[str, tuple | None], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.spans)


class Language:
    """One language's words, number and date spelling, and list conventions."""

    def __init__(self, data: dict, path: str):
        self.data, self.path = data, path
        self.locale = str(self.word("locale"))

    def word(self, *keys: str):
        """A value of the words file; a missing one is an error naming the file."""
        value = self.data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise DocgenError(f"the words file has no '{'.'.join(keys)}'; add it", self.path,
                                  getattr(self.data, "lines", {}).get(keys[0]))
            value = value[key]
        return value

    # ---- numbers, dates and lists (also the filters a clause may use) --------------------------

    def terbilang(self, number: int) -> str:
        """A number in words: 2025 → 'dua ribu dua puluh lima'."""
        return num2words(int(number), lang=self.locale)

    def bilangan(self, number: int) -> str:
        """Digits then words in brackets: 3 → '3 (tiga)'."""
        return self.word("numbers", "with_words").format(int(number), self.terbilang(number))

    def rupiah(self, amount: int) -> str:
        digits = format_decimal(int(amount), format=self.word("numbers", "money_format"), locale=self.locale)
        return self.word("numbers", "money").format(digits, self.terbilang(amount))

    def hari(self, date: dt.date) -> str:
        """The name of the day of the week."""
        return format_date(date, "EEEE", locale=self.locale)

    def bulan(self, date: dt.date) -> str:
        """The name of the month."""
        return format_date(date, "MMMM", locale=self.locale)

    def tanggal(self, date: dt.date) -> str:
        return self.word("dates", "date").format(day=date.day, month=self.bulan(date), year=date.year)

    def tanggal_kata(self, date: dt.date) -> str:
        """A date with day and year in words, as the opening of an agreement writes it."""
        return self.word("dates", "in_words").format(day=self.terbilang(date.day), month=self.bulan(date),
                                                     year=self.terbilang(date.year))

    def daftar(self, items: Iterable[object], conjunction: str | None = None) -> str:
        """Join words as a sentence does: 'a and b', 'a, b, and c'."""
        words = [str(item) for item in items]
        conjunction = conjunction or self.word("lists", "conjunction")
        if len(words) <= 2:
            return f" {conjunction} ".join(words)
        return self.word("lists", "join").format(", ".join(words[:-1]), conjunction, words[-1])

    def filters(self) -> dict:
        """The Jinja filters of clauses/README.md."""
        return {"terbilang": self.terbilang, "bilangan": self.bilangan, "rupiah": self.rupiah,
                "hari": self.hari, "bulan": self.bulan, "tanggal": self.tanggal,
                "tanggal_kata": self.tanggal_kata, "daftar": self.daftar, "romawi": roman}

    # ---- the tree's structure in words -----------------------------------------------------

    def position(self, kind: str, index: int, mark: str | None = None) -> str:
        """The letter or number of a list item: ('letter', 0) → 'a', ('number', 0) → '1'; the mark
        it keeps under signed numbering ('c1') when it has one."""
        if mark:
            return mark
        return letters(index) if kind == "letter" else str(index + 1)

    def item_label(self, item: Item) -> str:
        return self.position(item.kind, item.index, item.mark) + item.close

    def ayat_label(self, number: int | str) -> str:
        return self.word("reference", "ayat_number").format(number)

    def article_heading(self, number: int | str) -> str:
        return f"{self.word('reference', 'article')} {number}"

    def reference(self, ref: Ref) -> Printed:
        """The one way every writer prints a reference: 'as referred to in Pasal 6 ayat (2) huruf a'."""
        spans: list[tuple[str, tuple | None]] = []
        if not ref.within:
            spans += [(self.word("reference", "article") + " ", None), (str(ref.pasal), ("article", ref.target))]
        if ref.ayat is not None:
            before, _, after = self.word("reference", "ayat_number").partition("{}")
            key = ("para", ref.target, ref.ayat_label) if ref.ayat_label else None
            spans += [(" " if spans else "", None), (f"{self.word('reference', 'ayat')} {before}", None), (str(ref.ayat), key),
                      (after, None)]
        for depth, step in enumerate(ref.items):
            key = ("item", ref.target, ref.label) if depth == len(ref.items) - 1 else None
            spans += [((" " if spans else "") + self.word("reference", "items", step.kind) + " ", None),
                      (self.position(step.kind, step.index, step.mark), key)]
        lead = ""
        if ref.phrase:
            lead = self.word("reference", "same" if ref.within else "other")
        return Printed(lead, tuple((text, key) for text, key in spans if text))

    def plain(self, content: Content) -> str:
        """The printed text of inline content; a Blank prints as a dotted line, deleted words not at all."""
        out = []
        for part in content:
            if isinstance(part, Text):
                out.append(part.value)
            elif isinstance(part, Ref):
                printed = self.reference(part)
                out.append(printed.lead + printed.text)
            elif isinstance(part, Change):
                out.append(self.plain(part.content) if part.kind == "ins" else "")
            elif isinstance(part, Blank):
                out.append(DOTS)
        return "".join(out)


def roman(number: int) -> str:
    """1 → 'I', 4 → 'IV': the numbering of several annexes (Lampiran I, II, …)."""
    result = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        result += digits * count
    return result


def letters(index: int) -> str:
    """0 → 'a', 25 → 'z', 26 → 'aa' (letters of list items)."""
    result = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord("a") + rest) + result
    return result


def load(templates: Path, code: str = DEFAULT) -> Language:
    """The words of one language, from templates/lang/<code>.yaml."""
    return _load(templates / "lang" / f"{code}.yaml")


@lru_cache(maxsize=8)
def _load(path: Path) -> Language:
    if not path.is_file():
        raise DocgenError("no words file for this language; create it (see templates/lang/id.yaml)", display(path))
    return Language(load_data(path), display(path))

