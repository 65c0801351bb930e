import datetime as dt

import pytest

from docgen import indonesian


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
    assert [indonesian.huruf(i) for i in (0, 1, 25, 26)] == ["a", "b", "z", "aa"]
