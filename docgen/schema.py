"""The shape of the data files: every key docgen itself reads, checked once when the library is loaded.

A value written `~` is a blank to fill by hand where the documents allow one (TEXT_OR_BLANK);
keys docgen's own code reads must be there with the right kind of value, so a malformed file
ends in one line naming the file, the line and the fix, never in a traceback.
"""
from __future__ import annotations

import datetime as dt

from .errors import DocgenError

TEXT, TEXT_OR_BLANK, DATE, YEARS, TEXTS = "text", "text or ~", "date", "years", "texts"
MAX_YEARS = 100   # a term is a whole number of years; anything above this is a typing error

EVENT = {"nama": TEXT, "judul": TEXT, "tanggal": DATE, "tempat": TEXT_OR_BLANK, "jangka_waktu": YEARS}
PROGRAMME = {"nama": TEXT, "peran": TEXTS, "para_pihak": TEXT, "mou": EVENT, "pks": EVENT}
PROVINCE = {"nama": TEXT, "singkatan": TEXT, "pemerintah": TEXT, "ibu_kota": TEXT,
            "gubernur": {"nama": TEXT_OR_BLANK, "jabatan": TEXT_OR_BLANK}}
SECTOR = {"nama": TEXT}
AGENCY = {"nama": TEXT_OR_BLANK, "kepala": {"nama": TEXT_OR_BLANK, "jabatan": TEXT_OR_BLANK}}

FIXES = {
    TEXT: "write the text",
    TEXT_OR_BLANK: "write the text, or ~ while it is unknown",
    DATE: "write a date as YYYY-MM-DD",
    YEARS: f"write a whole number of years from 1 to {MAX_YEARS}",
    TEXTS: "write a list of texts, like [PIHAK KESATU, PIHAK KEDUA]",
}


def validate(data: dict, provinces: dict, sectors: dict, agencies: dict) -> None:
    """Raise a DocgenError at the first value docgen cannot use."""
    _shape(data, PROGRAMME, "")
    bidang = data["mou"].get("bidang")
    if bidang is not None and (not isinstance(bidang, list) or not all(isinstance(s, str) for s in bidang)):
        _fail(data["mou"], "bidang", "mou.bidang", "write a list of sector slugs of sectors.yaml")
    if "konsiderans" in data:
        _mapping(data, "konsiderans", "konsiderans")
        for kind, recitals in data["konsiderans"].items():
            if not _fits(recitals, TEXTS):
                _fail(data["konsiderans"], kind, f"konsiderans.{kind}", FIXES[TEXTS])
    for entry in data.get("dasar_hukum") or []:
        text = entry.get("teks", entry.get("per_pihak")) if isinstance(entry, dict) else None
        if not (isinstance(entry, str) and entry.strip()) and not (
                _fits(text, TEXT) and _fits(entry.get("pihak", ["-"]), TEXTS)):
            _fail(data, "dasar_hukum", "an entry of dasar_hukum",
                  "write each entry as a text, or as teks: (the text) or per_pihak: (the text per party), "
                  "with pihak: [province codes] if it is cited only when they are parties")
    if not provinces:
        raise DocgenError("no provinces; add at least two provincial governments", getattr(provinces, "path", None))
    for code in provinces:
        _entry(provinces, code, PROVINCE)
    for slug in sectors:
        _entry(sectors, slug, SECTOR)
    for slug in agencies:
        _mapping(agencies, slug, slug)
        for code in agencies[slug]:
            _entry(agencies[slug], code, AGENCY, f"{slug}.{code}")


def _entry(parent: dict, key: str, shape: dict, name: str | None = None) -> None:
    _mapping(parent, key, name or key)
    for version in _versions(parent[key]):
        _shape(version, shape, f"{name or key}.")


def _mapping(parent: dict, key: str, name: str) -> None:
    value = parent.get(key)
    if not (isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))):
        _fail(parent, key, name, "write its keys indented under it (or a list of its dated versions)")


def _versions(value) -> list[dict]:
    """A mapping, or the dated versions of a fact that changed over time (see facts.py): each is checked."""
    return value if isinstance(value, list) else [value]


def _shape(data: dict, shape: dict, prefix: str) -> None:
    for key, kind in shape.items():
        name = prefix + key
        if key not in data:
            raise DocgenError(f"'{name}' is missing; add it ({FIXES[kind] if isinstance(kind, str) else 'see clauses/README.md'})",
                              getattr(data, "path", None), _near(data))
        if isinstance(kind, dict):
            _mapping(data, key, name)
            for version in _versions(data[key]):
                _shape(version, kind, name + ".")
        elif not _fits(data[key], kind):
            _fail(data, key, name, FIXES[kind])


def _fits(value, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str) and bool(value.strip())
    if kind == TEXT_OR_BLANK:
        return value is None or isinstance(value, str)
    if kind == DATE:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == YEARS:
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_YEARS
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _fail(data: dict, key: str, name: str, fix: str) -> None:
    shown = repr(data.get(key)) if not isinstance(data.get(key), (dict, list)) else "this value"
    if len(shown) > 40:
        shown = shown[:37] + "…"
    raise DocgenError(f"'{name}' is {shown}; {fix}", getattr(data, "path", None),
                      getattr(data, "lines", {}).get(key) or _near(data))


def _near(data: dict) -> int | None:
    """The line of a mapping's first key: where a missing key belongs."""
    lines = getattr(data, "lines", {})
    return min(lines.values()) if lines else 1
