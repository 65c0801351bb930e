"""Numbers, dates and lists as Indonesian legal drafting writes them (UU 12/2011 Lampiran II)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

LOCALE = "id"


def terbilang(number: int) -> str:
    """Number in words: 2025 → 'dua ribu dua puluh lima'."""
    return num2words(int(number), lang=LOCALE)


def bilangan(number: int) -> str:
    """Digits then words in brackets: 3 → '3 (tiga)'."""
    return f"{int(number)} ({terbilang(number)})"


def rupiah(amount: int) -> str:
    """'Rp1.500.000.000,00 (satu miliar lima ratus juta rupiah)'."""
    digits = format_decimal(int(amount), format="#,##0.00", locale=LOCALE)
    return f"Rp{digits} ({terbilang(amount)} rupiah)"


def hari(date: dt.date) -> str:
    """Day name: Senin … Minggu."""
    return format_date(date, "EEEE", locale=LOCALE)


def bulan(date: dt.date) -> str:
    """Month name: Januari … Desember."""
    return format_date(date, "MMMM", locale=LOCALE)


def tanggal(date: dt.date) -> str:
    """'25 November 2025'."""
    return f"{date.day} {bulan(date)} {date.year}"


def tanggal_kata(date: dt.date) -> str:
    """'tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima'."""
    return f"tanggal {terbilang(date.day)}, bulan {bulan(date)}, tahun {terbilang(date.year)}"


def daftar(items: Iterable[object], conjunction: str = "dan") -> str:
    """Join words as a sentence does: 'a dan b', 'a, b, dan c'."""
    words = [str(item) for item in items]
    if len(words) <= 2:
        return f" {conjunction} ".join(words)
    return ", ".join(words[:-1]) + f", {conjunction} " + words[-1]


def huruf(index: int) -> str:
    """0 → 'a', 25 → 'z', 26 → 'aa' (letters of list items)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def romawi(number: int) -> str:
    """1 → 'I', 4 → 'IV': the numbering of Lampiran I, II, … (UU 12/2011 Lampiran II)."""
    result = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        result += letters * count
    return result


FILTERS = {
    "romawi": romawi,
    "terbilang": terbilang,
    "bilangan": bilangan,
    "rupiah": rupiah,
    "hari": hari,
    "bulan": bulan,
    "tanggal": tanggal,
    "tanggal_kata": tanggal_kata,
    "daftar": daftar,
}
