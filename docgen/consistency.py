"""A PKS must agree with the MoU it implements: scope, term, parties, and the date it cites."""
from __future__ import annotations

import datetime as dt
import re

from .errors import DocgenError
from .model import Agreement
from .writers import text

DATE = next(iter({"tanggal": "the key of a signing date in programme.yaml"}))


def add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def mou_parties(programme: dict, combinations: list[tuple[str, ...]], codes: tuple[str, ...]) -> tuple[str, ...]:
    """The MoU a PKS implements: the same parties if that MoU is made, else the smallest MoU that includes them."""
    mou = programme["mou"]
    made = mou.get("kombinasi")
    candidates = [c for c in combinations if made is None or "-".join(c) in made]
    including = [c for c in candidates if set(codes) <= set(c)]
    if not including:
        raise DocgenError(f"no Nota Kesepahaman has all of {', '.join(codes)} as parties, so they cannot make "
                          "a PKS under it; add their combination to mou.kombinasi",
                          mou.path, mou.lines.get("kombinasi"))
    return min(including, key=len)


def check_annex_years(annex: dict, programme: dict) -> None:
    """Every activity of a PKS's Lampiran falls within the PKS's term."""
    terms = programme["pks"]
    first = terms["tanggal"].year
    last = add_years(terms["tanggal"], int(terms["jangka_waktu"])).year
    for number, activity in enumerate(annex.get("kegiatan") or [], start=1):
        years = [int(y) for y in re.findall(r"\d{4}", str(activity.get("tahun", "")))]
        if not years or min(years) < first or max(years) > last:
            raise DocgenError(f"activity {number} ('{activity.get('kegiatan', '')}') is set in "
                              f"{activity.get('tahun')}, outside the PKS's term {first}–{last}; write a year "
                              f"from {first} to {last}", annex.path, annex.lines.get("kegiatan"))


def check_pks(programme: dict, scope: list[str], sector: str, pks: Agreement, language) -> None:
    """Raise a DocgenError naming programme.yaml when the PKS would contradict its MoU."""
    mou, terms = programme["mou"], programme["pks"]
    if sector not in scope:
        raise DocgenError(f"sector '{sector}' is not in the scope of the Nota Kesepahaman; add it to mou.bidang "
                          "or do not build its PKS", mou.path, mou.lines.get("bidang"))
    mou_start, pks_start = mou[DATE], terms[DATE]
    for data, value in ((mou, mou_start), (terms, pks_start)):
        if not isinstance(value, dt.date):
            raise DocgenError(f"{DATE} must be a date written YYYY-MM-DD", data.path, data.lines.get(DATE))
    if pks_start < mou_start:
        raise DocgenError(f"the PKS is dated {language.tanggal(pks_start)}, before the Nota Kesepahaman it "
                          f"implements ({language.tanggal(mou_start)}); correct pks.{DATE}",
                          terms.path, terms.lines.get(DATE))
    mou_end = add_years(mou_start, int(mou["jangka_waktu"]))
    pks_end = add_years(pks_start, int(terms["jangka_waktu"]))
    if pks_end > mou_end:
        raise DocgenError(f"the PKS would run until {language.tanggal(pks_end)}, past the end of the Nota "
                          f"Kesepahaman on {language.tanggal(mou_end)}; shorten pks.jangka_waktu",
                          terms.path, terms.lines.get("jangka_waktu"))
    cited = language.tanggal_kata(mou_start)
    if cited not in text.text(pks, language):
        raise DocgenError(f"the PKS does not cite the date of the Nota Kesepahaman ({cited}); its recitals "
                          f"must use program.mou.{DATE}", programme.path, programme.lines.get("konsiderans"))
