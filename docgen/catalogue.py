"""What can be built: the instruments of clauses/instruments.yaml, each for its combinations of provinces."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import consistency, instruments
from .errors import DocgenError
from .instruments import Instrument
from .library import Library

WHAT = instruments.KINDS + ("all",)     # besides an instrument's id, what `docgen build` can be asked for


@dataclass(frozen=True)
class Request:
    """One document to build: an instrument of the catalogue, its parties, and for a surat kuasa its grantor."""
    instrument: str
    codes: tuple[str, ...]
    grantor: str | None = None

    @property
    def name(self) -> str:
        return f"{self.instrument}-{self.grantor}" if self.grantor else self.instrument

    @property
    def combination(self) -> str:
        return "-".join(self.codes)

    def path(self, out: Path, suffix: str) -> Path:
        """Where an output of this document goes: out/<combination>/<name><suffix>."""
        return out / self.combination / f"{self.name}{suffix}"


class Catalogue:
    """The instruments one library can build (clauses/instruments.yaml), checked against each other."""

    def __init__(self, library: Library):
        self.library = library
        self.entries = instruments.load(library)
        self.instruments, self.themes, self.path = self.entries.instruments, self.entries.themes, self.entries.path

    def get(self, instrument_id: str | None) -> Instrument | None:
        return self.entries.get(instrument_id) if instrument_id else None

    def instrument(self, instrument_id: str) -> Instrument:
        found = self.get(instrument_id)
        if found is None:
            raise DocgenError(f"no instrument '{instrument_id}' in the catalogue; docgen list shows them", self.path)
        return found

    def of_kind(self, kind: str) -> list[Instrument]:
        return self.entries.of_kind(kind)

    def powers_for(self, pks: Instrument) -> list[Instrument]:
        return self.entries.powers_for(pks)

    def first(self, kind: str, sector: str | None = None) -> Request:
        """A request for the first instrument of a kind (of a sector's family), for its largest combination."""
        found = [i for i in self.of_kind(kind) if sector is None or i.sector == sector]
        if not found:
            raise DocgenError(f"no {kind} {sector or ''} in the catalogue", self.path)
        return self.requests(found[0].id)[0]

    def combinations(self) -> list[tuple[str, ...]]:
        """Every set of two or more provinces, the largest first, in provinces.yaml order."""
        return instruments.combinations(list(self.library.provinces))

    def parse_parties(self, text: str) -> tuple[str, ...]:
        """'ntb,bali' → ('bali', 'ntb'): known codes, at least two, in the order of provinces.yaml."""
        codes = [c.strip().lower() for c in re.split(r"[,\s]+", text) if c.strip()]
        known = list(self.library.provinces)
        for code in codes:
            if code not in known:
                raise DocgenError(f"unknown province '{code}' in --parties; use {', '.join(known)}")
        if len(set(codes)) < 2:
            raise DocgenError("an agreement needs at least two different provinces in --parties, like bali,ntb")
        return tuple(c for c in known if c in codes)

    def check_sector(self, slug: str) -> str:
        if slug not in self.library.sectors:
            raise DocgenError(f"unknown sector '{slug}'; use one of {', '.join(self.library.sectors)}")
        return slug

    def requests(self, what: str = "all", parties: tuple[str, ...] | None = None,
                 sector: str | None = None) -> list[Request]:
        """Every document `docgen build WHAT` makes, in catalogue order, combinations largest first.

        WHAT is an instrument id, a kind (mou, pks, surat-kuasa) or all; the catalogue is checked first.
        """
        if sector and what == "mou":
            raise DocgenError("--sector applies to a PKS; use 'docgen build pks --sector …'")
        if sector:
            self.check_sector(sector)
            if sector not in self.library.scope():
                raise consistency.scope_error(self.library, sector)
        consistency.check_catalogue(self.library, self)
        chosen = [i for i in self.instruments if what in ("all", i.kind, i.id)]
        if not chosen:
            raise DocgenError(f"'{what}' is neither an instrument nor a kind of the catalogue; use "
                              f"{', '.join(WHAT)} or an id that docgen list shows", self.path)
        if sector:
            chosen = [i for i in chosen if i.sector == sector or (i.kind == "surat-kuasa" and
                                                                 self.get(i.authorises).sector == sector)]
        result = []
        for instrument in chosen:
            if parties and instrument.kind == "pks" and parties not in instrument.combinations and instrument.parent:
                # not made for these parties: say why when it is because no MoU has them all
                consistency.parent_parties(self.get(instrument.parent), parties, self.library)
            for codes in instrument.combinations:
                if parties and codes != parties:
                    continue
                if instrument.kind == "surat-kuasa":
                    result += [Request(instrument.id, codes, code)
                               for code in consistency.grantors(self, instrument) if code in codes]
                else:
                    result.append(Request(instrument.id, codes))
        if parties and not result:
            raise DocgenError(f"no {what} is made for {'-'.join(parties)}; the catalogue lists its combinations "
                              "(kombinasi)", self.path)
        return result

    def select(self, documents: tuple[str, ...]) -> list[Request]:
        """The documents named 'mou', 'pks-pariwisata', 'bali-ntb' or 'bali-ntb/mou'; all when none is."""
        wanted = [r for r in self.requests() if not documents or any(
            d in (r.name, r.combination, f"{r.combination}/{r.name}") for d in documents)]
        if not wanted:
            raise DocgenError(f"no document matches {' '.join(documents)}; use e.g. mou, pks-pariwisata, "
                              "bali-ntb or bali-ntb/mou")
        return wanted
