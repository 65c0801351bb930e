"""Facts with a date and a source: which version of a fact holds on a signing date, and the lembar verifikasi.

Any mapping in the data files may carry `berlaku_sejak` / `berlaku_sampai` (dates,
YYYY-MM-DD, both inclusive) and `sumber` (a URL or a document reference; it holds for
everything under the mapping). A list of such mappings is one fact that changed
over time: a document uses the one version valid on its signing date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import DocgenError
from .model import DOTS, Agreement, Blank, walk

SINCE, UNTIL, SOURCE, NOTE = "berlaku_sejak", "berlaku_sampai", "sumber", "catatan"
META = {SINCE, UNTIL, SOURCE, NOTE}


def _where(data) -> tuple[str | None, int | None]:
    lines = getattr(data, "lines", {}) or {}
    return getattr(data, "path", None), min(lines.values()) if lines else None


def _is_version(value) -> bool:
    return isinstance(value, dict) and (SINCE in value or UNTIL in value)


def valid(data: dict, date: dt.date) -> bool:
    """Whether a fact with validity dates holds on `date`."""
    path, line = _where(data)
    for key in (SINCE, UNTIL):
        if data.get(key) is not None and not isinstance(data[key], dt.date):
            raise DocgenError(f"{key} must be a date written YYYY-MM-DD", path,
                              getattr(data, "lines", {}).get(key, line))
    since, until = data.get(SINCE), data.get(UNTIL)
    return (since is None or since <= date) and (until is None or date <= until)


def on(data, date: dt.date, what: str = "fact"):
    """`data` as it stands on `date`: every list of dated versions replaced by the version valid then."""
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data) and any(map(_is_version, data)):
        current = [v for v in data if valid(v, date)]
        if len(current) != 1:
            path, line = _where(data[0])
            state = "no version is" if not current else f"{len(current)} versions are"
            raise DocgenError(f"{state} valid on {date.isoformat()} for {what}; correct berlaku_sejak/"
                              "berlaku_sampai so that exactly one version holds on that date", path, line)
        return on(current[0], date, what)
    if isinstance(data, dict):
        if _is_version(data) and not valid(data, date):
            path, line = _where(data)
            raise DocgenError(f"no fact is valid on {date.isoformat()} for {what}: it holds from "
                              f"{data.get(SINCE) or '…'} to {data.get(UNTIL) or '…'}; add the version that holds "
                              "then (a list of versions with berlaku_sejak/berlaku_sampai)", path, line)
        result = type(data)({k: on(v, date, f"{what} {k}") for k, v in data.items()})
        for attribute in ("lines", "path"):
            if hasattr(data, attribute):
                setattr(result, attribute, getattr(data, attribute))
        return result
    if isinstance(data, list):
        return [on(v, date, what) for v in data]
    return data


def values(data, date: dt.date, what: str = "fact"):
    """`data` as on `date` without its sources and validity: what a clause can print."""
    def strip(value):
        if isinstance(value, dict):
            result = type(value)({k: strip(v) for k, v in value.items() if k not in META})
            for attribute in ("lines", "path"):
                if hasattr(value, attribute):
                    setattr(result, attribute, getattr(value, attribute))
            return result
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(on(data, date, what))


@dataclass(frozen=True)
class Fact:
    """One value a document prints, with where it comes from: a row of the lembar verifikasi."""
    document: str
    name: str                # 'bali gubernur nama'
    value: str               # as printed; a blank is the dotted line
    source: str              # `sumber` of the fact or of the mapping it belongs to; '' when none
    since: str
    until: str
    location: str            # file:line to correct it

    def row(self) -> list[str]:
        return [self.document, self.name, self.value, self.source or "TANPA SUMBER", self.since, self.until,
                self.location]


HEADER = ["dokumen", "fakta", "nilai", "sumber", "berlaku_sejak", "berlaku_sampai", "lokasi"]


def leaves(data, name: str = "", source: str = "", since=None, until=None, where: str = ""):
    """(name, value, source, since, until, file:line) of every value under `data`, sources inherited."""
    if isinstance(data, dict):
        source = str(data.get(SOURCE) or source)
        since, until = data.get(SINCE, since), data.get(UNTIL, until)
        lines, path = getattr(data, "lines", {}), getattr(data, "path", "")
        for key, value in data.items():
            if key in META:
                continue
            here = f"{path}:{lines[key]}" if key in lines else where
            yield from leaves(value, f"{name} {key}".strip(), source, since, until, here)
    elif isinstance(data, list):
        for index, value in enumerate(data, start=1):
            yield from leaves(value, f"{name} {index}", source, since, until, where)
    else:
        yield name, data, source, since, until, where


def printed(agreement: Agreement, sources: list[tuple[str, object]], text: str, language) -> list[Fact]:
    """The facts of `sources` (name prefix, data as on the signing date) that the document prints."""
    blanks = {b.source for b in walk(agreement, Blank)}
    flat = " ".join(text.split()).casefold()
    document = f"{agreement.combination}/{agreement.name}"
    facts, seen = [], set()
    for prefix, data in sources:
        for name, value, source, since, until, where in leaves(data, prefix):
            if value is None:
                shown = DOTS
                if where not in blanks:
                    continue
            else:
                shown = _shown(value, language)
                if not shown or " ".join(shown.split()).casefold() not in flat:
                    continue
            key = (name, shown, where)
            if key not in seen:
                seen.add(key)
                facts.append(Fact(document, name, shown, source, str(since or ""), str(until or ""), where))
    return facts


def _shown(value, language) -> str:
    if isinstance(value, dt.date):
        return language.tanggal_kata(value)
    if isinstance(value, bool):
        return ""
    return str(value)


def unsourced(data, name: str) -> list[DocgenError]:
    """A warning for every fact of `data` that neither it nor a mapping above it gives a source for."""
    warnings, seen = [], set()
    for fact, value, source, _since, _until, where in leaves(data, name):
        if source or where in seen:
            continue
        seen.add(where)
        path, _, line = where.rpartition(":")
        warnings.append(DocgenError(f"fact '{fact}' has no source; add 'sumber:' (a URL or a document "
                                    "reference) to it or to the mapping it belongs to",
                                    path or None, int(line) if line.isdigit() else None))
    return warnings


def _subset(data, keys):
    result = type(data)({k: data[k] for k in keys if k in data})
    for attribute in ("lines", "path"):
        if hasattr(data, attribute):
            setattr(result, attribute, getattr(data, attribute))
    return result


def of_document(library, agreement: Agreement, codes: tuple[str, ...], sector: str | None, text: str,
                language, event=None) -> list[Fact]:
    """Every fact `agreement` prints — governors, agencies, addresses, laws, dates, places — with its source.
    `event`: the document's date, place and term when the catalogue gives them (default: programme.yaml's)."""
    programme = library.programme
    event = event or programme[agreement.kind]
    date = event["tanggal"]
    # the event's date, place and term (not its titles or templates)
    printed_keys = [k for k in event if k == "tempat" or k == SOURCE or isinstance(event[k], (dt.date, int))]
    sources: list[tuple[str, object]] = [(f"program {agreement.kind}", _subset(event, printed_keys))]
    for code in codes:
        sources.append((code, on(library.provinces[code], date, f"provinsi {code}")))
        if sector:
            sources.append((f"{code} instansi", on(library.agencies[sector][code], date, f"instansi {sector} {code}")))
            special = (library.annexes.get(sector) or {}).get("peran_khusus") or {}
            if code in special:
                sources.append((f"{code} peran khusus", on(special[code], date)))
    sources.append(("dasar hukum", [e for e in programme.get("dasar_hukum", [])
                                    if isinstance(e, dict) and "teks" in e]))
    categories = programme.get("kategori_ksdd") or {}
    if "-".join(codes) in categories:
        category = categories["-".join(codes)]
        if SOURCE not in category and categories.get(SOURCE):
            category = type(category)({SOURCE: categories[SOURCE], **category})
            category.lines, category.path = categories["-".join(codes)].lines, categories.path
        sources.append(("kategori KSDD", category))
    return printed(agreement, sources, text, language)
