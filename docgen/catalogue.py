"""What can be built: the documents of a library, for which combinations of provinces and sectors."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import DocgenError
from .library import Library

WHAT = ("mou", "pks", "all")     # what `docgen build` and `docgen redline` can be asked for


@dataclass(frozen=True)
class Request:
    """One document to build: kind, parties and (for a PKS) sector."""
    kind: str
    codes: tuple[str, ...]
    sector: str | None = None

    @property
    def name(self) -> str:
        return self.kind if self.kind == "mou" else f"pks-{self.sector}"

    @property
    def combination(self) -> str:
        return "-".join(self.codes)

    def path(self, out: Path, suffix: str) -> Path:
        """Where an output of this document goes: out/<combination>/<name><suffix>."""
        return out / self.combination / f"{self.name}{suffix}"


class Catalogue:
    """The documents one library can build."""

    def __init__(self, library: Library):
        self.library = library

    def combinations(self) -> list[tuple[str, ...]]:
        """Every set of two or more provinces, the largest first, in provinces.yaml order."""
        codes = list(self.library.provinces)
        return [combo for size in range(len(codes), 1, -1) for combo in itertools.combinations(codes, size)]

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
        """Every document `docgen build WHAT` makes, MoU first, combinations largest first."""
        if sector and what == "mou":
            raise DocgenError("--sector applies to a PKS; use 'docgen build pks --sector …'")
        combos = [parties] if parties else self.combinations()
        result = []
        if what in ("mou", "all"):
            result += [Request("mou", codes) for codes in combos]
        if what in ("pks", "all"):
            sectors = [self.check_sector(sector)] if sector else self.library.scope()
            result += [Request("pks", codes, slug) for codes in combos for slug in sectors]
        return result

    def select(self, documents: tuple[str, ...]) -> list[Request]:
        """The documents named 'mou', 'pks-pariwisata', 'bali-ntb' or 'bali-ntb/mou'; all when none is."""
        wanted = [r for r in self.requests() if not documents or any(
            d in (r.name, r.combination, f"{r.combination}/{r.name}") for d in documents)]
        if not wanted:
            raise DocgenError(f"no document matches {' '.join(documents)}; use e.g. mou, pks-pariwisata, "
                              "bali-ntb or bali-ntb/mou")
        return wanted
