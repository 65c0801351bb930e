"""The Indonesian words file: numbers, dates, lists, and references printed from structure."""
import datetime as dt

import pytest

from docgen import language
from docgen.model import Position, Ref

from conftest import PROJECT

indonesian = language.load(PROJECT / "templates", "id")


@pytest.mark.parametrize("number, words", [
    (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (19, "sembilan belas"),
    (21, "dua puluh satu"), (100, "seratus"), (101, "seratus satu"), (111, "seratus sebelas"),
    (1000, "seribu"), (2025, "dua ribu dua puluh lima"), (2026, "dua ribu dua puluh enam"),
    (1_500_000_000, "satu miliar lima ratus juta"),
])
def test_number_words(number, words):
    assert indonesian.terbilang(number) == words


def test_digits_then_words():
    assert indonesian.bilangan(3) == "3 (tiga)"
    assert indonesian.bilangan(14) == "14 (empat belas)"


def test_money():
    assert indonesian.rupiah(1_500_000_000) == "Rp1.500.000.000,00 (satu miliar lima ratus juta rupiah)"


@pytest.mark.parametrize("day, name", [
    (24, "Senin"), (25, "Selasa"), (26, "Rabu"), (27, "Kamis"), (28, "Jumat"), (29, "Sabtu"), (30, "Minggu"),
])
def test_every_day_name(day, name):
    assert indonesian.hari(dt.date(2025, 11, day)) == name


def test_dates_in_words():
    signed = dt.date(2025, 11, 25)
    assert indonesian.tanggal(signed) == "25 November 2025"
    assert indonesian.tanggal_kata(signed) == \
        "tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima"
    assert indonesian.tanggal_kata(dt.date(2026, 1, 12)) == \
        "tanggal dua belas, bulan Januari, tahun dua ribu dua puluh enam"


def test_list_joining():
    assert indonesian.daftar(["PIHAK KESATU", "PIHAK KEDUA"]) == "PIHAK KESATU dan PIHAK KEDUA"
    assert indonesian.daftar(["a", "b", "c"]) == "a, b, dan c"
    assert indonesian.daftar(["a", "b"], "atau") == "a atau b"


def test_letters_of_items():
    assert [language.letters(i) for i in (0, 1, 25, 26)] == ["a", "b", "z", "aa"]


@pytest.mark.parametrize("ref, printed", [
    (Ref("jangka-waktu", 6), "Pasal 6"),
    (Ref("jangka-waktu", 6, phrase=True), "sebagaimana dimaksud dalam Pasal 6"),
    (Ref("jangka-waktu", 6, 2, "masa", label="masa", phrase=True), "sebagaimana dimaksud dalam Pasal 6 ayat (2)"),
    (Ref("jangka-waktu", 6, 2, "masa", label="masa", within=True, phrase=True), "sebagaimana dimaksud pada ayat (2)"),
    (Ref("ruang-lingkup", 2, 1, None, (Position("letter", 0),), "wisata"), "Pasal 2 ayat (1) huruf a"),
    (Ref("ruang-lingkup", 2, None, None, (Position("letter", 1), Position("number", 2)), "laut", phrase=True),
     "sebagaimana dimaksud dalam Pasal 2 huruf b angka 3"),
    (Ref("ruang-lingkup", 2, None, None, (Position("letter", 3),), "laut", within=True, phrase=True),
     "sebagaimana dimaksud pada huruf d"),
])
def test_references_are_printed_from_their_structure(ref, printed):
    words = indonesian.reference(ref)
    assert words.lead + words.text == printed
    # only the numbers of labelled places are bookmarks a DOCX field can show
    keys = [key for _, key in words.spans if key]
    assert keys[0] == ("article", ref.target) or ref.within
    if ref.label and ref.items:
        assert keys[-1] == ("item", ref.target, ref.label)
