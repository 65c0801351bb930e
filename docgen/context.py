"""The variables a clause can use (clauses/README.md): parties, roles, sectors, programme, recitals."""
from __future__ import annotations

import datetime as dt

from . import consistency, facts
from .catalogue import Catalogue, Request
from .errors import DocgenError
from .library import Library
from .model import Blank
from .sandbox import Marks, Sandbox


# Functions a clause calls (assembly binds them per document): name → what it prints.
FUNCTIONS = {"ref": "a reference introduced by words", "pasal": "a reference as numbers only"}
# The keys of a party's surat_kuasa (the governor's power of attorney to sign a PKS), from numbers.yaml.
POWER_OF_ATTORNEY = {"nomor": "its number", "tanggal": "its date"}


class ContextBuilder:
    """Builds the template context of one document from the library's data."""

    def __init__(self, library: Library, catalogue: Catalogue, sandbox: Sandbox):
        self.library, self.catalogue, self.sandbox = library, catalogue, sandbox

    def names(self) -> set[str]:
        """The names a clause can use: the context of any document, with ref() and pasal()."""
        codes = tuple(self.library.provinces)[:2]
        return set(self.build(Request("mou", codes), Marks())) | set(FUNCTIONS)

    def build(self, request: Request, marks: Marks) -> dict:
        """The context of one document; unknown values (~) become blanks through `marks`."""
        programme = self.library.programme
        roles = list(programme["peran"])
        if len(request.codes) > len(roles):
            raise DocgenError(f"programme.yaml names {len(roles)} roles (peran) but the agreement has "
                              f"{len(request.codes)} parties; add a role", programme.path,
                              programme.lines.get("peran"))
        parties = [self._party(request, code, role, marks) for code, role in zip(request.codes, roles)]
        document = programme[request.kind]
        context = {
            "dokumen": {"jenis": request.kind, "nama": document["nama"], "judul": document["judul"]},
            "pihak": parties,
            "peran": [p["peran"] for p in parties],
            "para_pihak": programme["para_pihak"],
            "bidang": [self._sector(slug) for slug in self.library.scope()],
            "bidang_ini": self._sector(request.sector) if request.sector else None,
        }
        context["program"] = self._programme(context, request.codes)
        # the KSDD category is a legal judgement per combination: a blank to fill until it is in the data
        categories = programme.get("kategori_ksdd") or {}
        category = categories.get(request.combination) or _unknown(programme, ("kategori", "alasan"))
        context["ksdd"] = filled(facts.values(category, signing_date(programme, request.kind)), marks,
                                 f"kategori_ksdd {request.combination}")
        recitals = programme.get("konsiderans", {})
        context["konsiderans"] = [self.sandbox.render_string(str(r), context, recitals, request.kind)
                                  for r in recitals.get(request.kind, [])]
        context["dasar_hukum"] = self._legal_basis(request.codes, context)
        return context

    def _legal_basis(self, codes: tuple[str, ...], context: dict) -> list[str]:
        """The dasar hukum: fixed entries and `per_pihak` entries (one per party), in the order of `urut`."""
        cited = []
        for entry in self.library.programme.get("dasar_hukum", []):
            if not isinstance(entry, dict):
                cited.append(("", str(entry)))
            elif "per_pihak" in entry:
                for party in context["pihak"]:
                    local = {**context, "p": party}
                    cited.append((self.sandbox.render_string(str(entry.get("urut", "")), local, entry, "urut"),
                                  self.sandbox.render_string(str(entry["per_pihak"]), local, entry, "per_pihak")))
            elif set(entry.get("pihak", [])) <= set(codes):
                cited.append((str(entry.get("urut", "")), str(entry["teks"])))
        return [text for _, text in sorted(cited, key=lambda pair: pair[0])]

    def _party(self, request: Request, code: str, role: str, marks: Marks) -> dict:
        lib = self.library
        numbers = lib.numbers
        mou_codes = request.codes
        if request.kind == "pks":  # a PKS cites the numbers of the MoU it implements
            mou_codes = consistency.mou_parties(lib.programme, self.catalogue.combinations(), request.codes)
        signed = signing_date(lib.programme, request.kind)   # the facts valid then are the ones printed
        province = filled(facts.values(lib.provinces[code], signed, f"provinces {code}"), marks, f"provinces {code}")
        party = {"kode": code, "peran": role, "pemerintah": province["pemerintah"], "provinsi": province,
                 "nomor_mou": _number(numbers, ("mou", "-".join(mou_codes), code), marks, role)}
        if request.kind == "mou":
            party["nomor"] = party["nomor_mou"]
            party["penandatangan"] = province["gubernur"]
            return party
        sector = request.sector
        agency = lib.agencies.get(sector, {}).get(code)
        if not agency:
            raise DocgenError(f"no agency for sector '{sector}' and province '{code}'; add it",
                              lib.agencies.path, lib.agencies.lines.get(sector, 1))
        party["instansi"] = filled(facts.values(agency, signed, f"agencies {sector} {code}"), marks,
                                   f"agencies {sector} {code}")
        # a lead role the programme gives this province in this sector (lampiran.yaml: peran_khusus)
        special = (lib.annexes.get(sector) or {}).get("peran_khusus") or {}
        party["peran_khusus"] = filled(facts.values(special[code], signed), marks,
                                       f"peran_khusus {sector} {code}") if code in special else None
        party["penandatangan"] = party["instansi"]["kepala"]
        party["nomor"] = _number(numbers, ("pks", sector, request.combination, code), marks, role)
        party["surat_kuasa"] = {key: _number(numbers, ("surat_kuasa", sector, code, key), marks, role)
                                for key in POWER_OF_ATTORNEY}
        return party

    def _programme(self, context: dict, codes: tuple[str, ...]) -> dict:
        """programme.yaml, its name rendered (it names the parties), and a signing place that is a party's."""
        programme = self.library.programme
        program = dict(programme)
        program["nama"] = self.sandbox.render_string(str(programme["nama"]), context, programme, "nama")
        program["penyusun"] = self.sandbox.render_string(str(programme.get("penyusun", "")), context, programme,
                                                         "penyusun")
        for key in ("mou", "pks"):
            event = programme[key]
            if event.get("tempat_provinsi") and event["tempat_provinsi"] not in codes:
                # never name a province that is not a party: sign elsewhere
                program[key] = {**event, "tempat": self.sandbox.render_string(
                    str(event.get("tempat_lain", "")), context, event, "tempat_lain")}
        return program

    def _sector(self, slug: str) -> dict:
        data = self.library.sectors[slug]
        return {"slug": slug, "nama": data["nama"], "judul": data["nama"].upper(), "urusan": data.get("urusan", ""),
                "urusan_bidang": data.get("urusan_bidang", data["nama"])}


def _unknown(data, keys: tuple[str, ...]):
    """Unknown values (~) at the place of `data` where they would be filled in."""
    blank = type(data)({key: None for key in keys})
    blank.path, blank.lines = data.path, {key: data.lines.get("kategori_ksdd") or 1 for key in keys}
    return blank


def signing_date(programme: dict, kind: str) -> dt.date:
    """The date a document is signed on: the facts valid then are the ones it uses."""
    event = programme[kind]
    if not isinstance(event.get("tanggal"), dt.date):
        raise DocgenError("the signing date must be written YYYY-MM-DD", event.path, event.lines.get("tanggal"))
    return event["tanggal"]


def filled(data, marks: Marks, what: str, where: str = ""):
    """A copy of data in which every unknown value (~) is a blank to fill in by hand."""
    if isinstance(data, dict):
        lines = getattr(data, "lines", {})
        path = getattr(data, "path", "")
        return {k: filled(v, marks, f"{what} {k}", f"{path}:{lines[k]}" if k in lines else where)
                for k, v in data.items()}
    if isinstance(data, list):
        return [filled(v, marks, what, where) for v in data]
    if data is None:
        return marks.add(Blank(what, where))
    return data


def _number(numbers: dict, keys: tuple[str, ...], marks: Marks, role: str) -> str:
    """A document number (or date) from numbers.yaml, or a blank naming its place there."""
    value = numbers
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if value in (None, ""):
        return marks.add(Blank(f"numbers {'.'.join(keys)} ({role})", f"{numbers.path}:{numbers.lines.get(keys[0], 1)}"))
    return str(value)
