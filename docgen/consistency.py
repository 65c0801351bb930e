"""The catalogue must hold together: a PKS stays inside its MoU, every delegated signatory has a surat kuasa."""
from __future__ import annotations

import datetime as dt
import re

from .errors import DocgenError
from .instruments import DATE, POWER_OF_ATTORNEY, TERM, Instrument
from .library import Library
from .model import Agreement
from .writers import text


def add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def where(instrument: Instrument, key: str, section) -> tuple[str, int | None]:
    """The file and line a value comes from: the catalogue entry when it sets it, else programme.yaml."""
    if key in instrument.lines:
        return instrument.path, instrument.lines[key]
    return section.path, section.lines.get(key)


def parent_parties(parent: Instrument, codes: tuple[str, ...], library: Library) -> tuple[str, ...]:
    """The MoU a PKS implements: the same parties if that MoU is made, else the smallest MoU that includes them."""
    including = [c for c in parent.combinations if set(codes) <= set(c)]
    if not including:
        path, line = where(parent, "kombinasi", library.programme["mou"])
        raise DocgenError(f"no {parent.id} has all of {', '.join(codes)} as parties, so they cannot make a PKS "
                          "under it; add their combination to its kombinasi", path, line)
    return min(including, key=len)


def check_annex_years(annex: dict, event: dict) -> None:
    """Every activity of a PKS's Lampiran falls within the PKS's term."""
    first = event["tanggal"].year
    last = add_years(event["tanggal"], int(event["jangka_waktu"])).year
    for number, activity in enumerate(annex.get("kegiatan") or [], start=1):
        years = [int(y) for y in re.findall(r"\d{4}", str(activity.get("tahun", "")))]
        if not years or min(years) < first or max(years) > last:
            raise DocgenError(f"activity {number} ('{activity.get('kegiatan', '')}') is set in "
                              f"{activity.get('tahun')}, outside the PKS's term {first}–{last}; write a year "
                              f"from {first} to {last}", annex.path, annex.lines.get("kegiatan"))


def scope_error(library: Library, slug: str) -> DocgenError:
    mou = library.programme["mou"]
    return DocgenError(f"sector '{slug}' is not in the scope of the Nota Kesepahaman; add it to mou.bidang "
                       "or do not build its PKS", mou.path, mou.lines.get("bidang"))


def check_pks(library: Library, catalogue, pks: Instrument, agreement: Agreement, language) -> None:
    """Raise a DocgenError naming the line to fix when one PKS would contradict its MoU."""
    check_dates(library, catalogue, pks)
    cited = language.tanggal_kata(_parent(catalogue, pks).event["tanggal"])
    if cited not in text.text(agreement, language):
        programme = library.programme
        raise DocgenError(f"the PKS does not cite the date of the Nota Kesepahaman ({cited}); its recitals "
                          "must use program.mou.tanggal", programme.path, programme.lines.get("konsiderans"))


def check_dates(library: Library, catalogue, pks: Instrument) -> None:
    """A PKS starts after its MoU, within the MoU's term, and ends no later than the MoU."""
    parent = _parent(catalogue, pks)
    programme = library.programme
    mou_start, pks_start = parent.event["tanggal"], pks.event["tanggal"]
    mou_end = add_years(mou_start, int(parent.event["jangka_waktu"]))
    pks_end = add_years(pks_start, int(pks.event["jangka_waktu"]))
    if pks_start < mou_start or pks_start >= mou_end:
        relation = "before" if pks_start < mou_start else "after the end of"
        raise DocgenError(f"{pks.id} is dated {_iso(pks_start)}, {relation} the Nota Kesepahaman it "
                          f"implements ({_iso(mou_start)}–{_iso(mou_end)}); correct "
                          f"its {DATE}", *where(pks, DATE, programme["pks"]))
    if pks_end > mou_end:
        raise DocgenError(f"{pks.id} would run until {_iso(pks_end)}, past the end of the Nota "
                          f"Kesepahaman on {_iso(mou_end)}; shorten its jangka_waktu",
                          *where(pks, "jangka_waktu", programme["pks"]))


def check_catalogue(library: Library, catalogue) -> None:
    """Every rule that ties instruments to each other; the first broken one is raised with its line."""
    for instrument in catalogue.instruments:
        if instrument.kind == "pks":
            _check_pks_entry(library, catalogue, instrument)
        elif instrument.kind == "surat-kuasa":
            _check_power_entry(library, catalogue, instrument)
        if instrument.status == "ditandatangani":
            _check_numbers_filled(library, catalogue, instrument)


def _parent(catalogue, pks: Instrument) -> Instrument:
    parent = catalogue.get(pks.parent) if pks.parent else None
    if parent is None or parent.kind != "mou":
        raise DocgenError(f"{pks.id} needs 'induk:', the id of the Nota Kesepahaman (jenis: mou) it implements",
                          pks.path, pks.line("induk"))
    return parent


def _check_pks_entry(library: Library, catalogue, pks: Instrument) -> None:
    parent = _parent(catalogue, pks)
    scope = set(library.programme["mou"].get("bidang") or library.sectors) | set(parent.themes)
    for field in pks.fields:
        if field.slug not in scope:
            raise DocgenError(f"bidang '{field.slug}' of {pks.id} is not in the scope of {parent.id}; add it to "
                              f"mou.bidang (a sector) or to the tema of {parent.id} (a theme), or remove it",
                              pks.path, pks.line("bidang"))
    outside = [c for c in pks.parties if c not in parent.parties]
    if outside:
        raise DocgenError(f"{', '.join(outside)} is a party of {pks.id} but not of {parent.id}; remove it from "
                          "pihak", pks.path, pks.line("pihak"))
    for codes in pks.combinations:
        parent_parties(parent, codes, library)
    check_dates(library, catalogue, pks)
    powers = catalogue.powers_for(pks)
    for code in pks.parties:
        if not pks.needs_power_of_attorney(code):
            continue
        granted = [p for p in powers if p.grantors is None or code in p.grantors]
        if not granted:
            raise DocgenError(f"the signatory of {pks.id} for {code} is not the governor and needs the governor's "
                              f"surat kuasa; add an instrument with jenis: surat-kuasa and untuk: {pks.id}",
                              pks.path, pks.line("penandatangan"))
        signed_on = value(library.numbers, ("surat_kuasa", pks.number_key, code, DATE))
        if signed_on is not None and (not isinstance(signed_on, dt.date) or signed_on >= pks.event["tanggal"]):
            numbers = library.numbers
            raise DocgenError(f"the surat kuasa of {code} for {pks.id} is dated {signed_on}, not before the PKS "
                              f"({_iso(pks.event['tanggal'])}); write its date YYYY-MM-DD, earlier "
                              "than the PKS", numbers.path, numbers.lines.get("surat_kuasa"))


def _check_power_entry(library: Library, catalogue, power: Instrument) -> None:
    pks = catalogue.get(power.authorises) if power.authorises else None
    if pks is None or pks.kind != "pks":
        raise DocgenError(f"{power.id} needs 'untuk:', the id of the PKS (jenis: pks) it authorises",
                          power.path, power.line("untuk"))
    for code in power.grantors or ():
        if not pks.needs_power_of_attorney(code):
            raise DocgenError(f"{power.id} names {code} as pemberi_kuasa, but the governor of {code} signs "
                              f"{pks.id} in person; remove {code}", power.path, power.line("pemberi_kuasa"))


def grantors(catalogue, power: Instrument) -> tuple[str, ...]:
    """The provinces whose governor gives this surat kuasa."""
    pks = catalogue.get(power.authorises)
    return tuple(c for c in pks.parties if pks.needs_power_of_attorney(c)
                 and (power.grantors is None or c in power.grantors))


def _check_numbers_filled(library: Library, catalogue, instrument: Instrument) -> None:
    if instrument.kind == "surat-kuasa":
        pks = catalogue.get(instrument.authorises)
        wanted = [("surat_kuasa", pks.number_key, code, part) for code in grantors(catalogue, instrument)
                  for part in POWER_OF_ATTORNEY]
    else:
        section = "mou" if instrument.kind == "mou" else "pks"
        prefix = (section,) if instrument.kind == "mou" else (section, instrument.number_key)
        wanted = [prefix + ("-".join(codes), code) for codes in instrument.combinations for code in codes]
    for keys in wanted:
        if value(library.numbers, keys) in (None, ""):
            raise DocgenError(f"{instrument.id} is marked ditandatangani but numbers.yaml has no "
                              f"{'.'.join(keys)}; fill it in, or set status: rencana", instrument.path,
                              instrument.line("status"))


def _iso(date: dt.date) -> str:
    return date.isoformat()


def value(data, keys: tuple[str, ...]):
    """The value at a path of keys in a data file, or None."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
