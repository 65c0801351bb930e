"""The variables a clause can use (clauses/README.md): parties, roles, sectors, programme, recitals."""
from __future__ import annotations

import datetime as dt

from . import consistency, facts, instruments
from .catalogue import Catalogue, Request
from .errors import DocgenError
from .instruments import POWER_OF_ATTORNEY, Instrument
from .library import Library
from .model import Blank
from .sandbox import Marks, Sandbox


# Functions a clause calls (assembly binds them per document): name → what it prints.
FUNCTIONS = {"ref": "a reference introduced by words", "pasal": "a reference as numbers only"}


class ContextBuilder:
    """Builds the template context of one document from the library's data."""

    def __init__(self, library: Library, catalogue: Catalogue, sandbox: Sandbox, language):
        self.library, self.catalogue, self.sandbox, self.language = library, catalogue, sandbox, language

    def names(self) -> set[str]:
        """The names a clause can use: the context of an MoU and of a PKS, with ref() and pasal()."""
        names = set(FUNCTIONS)
        for kind in ("mou", "pks"):
            if self.catalogue.of_kind(kind):
                names |= set(self.build(self.catalogue.first(kind), Marks()))
        return names

    def frame_names(self) -> set[str]:
        """The names a frame can use besides a clause's: those of a surat kuasa."""
        if not self.catalogue.of_kind("surat-kuasa"):
            return set()
        return set(self.build(self.catalogue.first("surat-kuasa"), Marks()))

    def build(self, request: Request, marks: Marks) -> dict:
        """The context of one document; unknown values (~) become blanks through `marks`."""
        instrument = self.catalogue.instrument(request.instrument)
        if instrument.kind == "surat-kuasa":
            return self._power_of_attorney(instrument, request, marks)
        return self.agreement(instrument, request.codes, marks)

    def agreement(self, instrument: Instrument, codes: tuple[str, ...], marks: Marks) -> dict:
        programme = self.library.programme
        roles = list(programme["peran"])
        if len(codes) > len(roles):
            raise DocgenError(f"programme.yaml names {len(roles)} roles (peran) but the agreement has "
                              f"{len(codes)} parties; add a role", programme.path, programme.lines.get("peran"))
        kind = instrument.kind
        parent = self.catalogue.get(instrument.parent) or instrument
        mou_codes = codes if kind == "mou" else consistency.parent_parties(parent, codes, self.library)
        document = {**programme.get(kind, {}), **instrument.event}
        signed = signing_date(document, instrument)   # the facts valid then are the ones printed
        parties = [self._party(instrument, code, role, mou_codes, codes, signed, marks)
                   for code, role in zip(codes, roles)]
        fields = [self._field(f, parties, signed, marks) for f in instrument.fields]
        context = {
            "dokumen": {"jenis": kind, "id": instrument.id, "nama": document["nama"], "judul": document["judul"],
                        "status": instrument.status,
                        "pokok": (self._subject(instrument, fields) or {}).get("nama"),
                        # the parties are the provincial governments, not their agencies
                        "pihak_pemerintah": any(instrument.signatory(c) != instruments.AGENCY_HEAD for c in codes)},
            "pihak": parties,
            "peran": [p["peran"] for p in parties],
            "para_pihak": programme["para_pihak"],
            "bidang": [self._sector(slug) for slug in self.library.scope()],
            "bidang_ini": self._subject(instrument, fields),
            "bidang_pks": fields,
        }
        context["program"] = self._programme(instrument, parent, document, codes, context)
        # the KSDD category is a legal judgement per combination: a blank to fill until it is in the data
        combination = "-".join(codes)
        categories = programme.get("kategori_ksdd") or {}
        category = categories.get(combination) or _unknown(programme, ("kategori", "alasan"))
        context["ksdd"] = filled(facts.values(category, signed), marks, f"kategori_ksdd {combination}")
        if instrument.recitals is not None:
            context["konsiderans"] = [self.sandbox.render_string(r, context, instrument, "konsiderans")
                                      for r in instrument.recitals]
        else:
            recitals = programme.get("konsiderans", {})
            context["konsiderans"] = [self.sandbox.render_string(str(r), context, recitals, kind)
                                      for r in recitals.get(kind, [])]
        context["dasar_hukum"] = self._legal_basis(codes, context)
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

    def _subject(self, instrument: Instrument, fields: list[dict]) -> dict | None:
        """What a PKS is about: its one field, or for several the instrument's `pokok` (or their names)."""
        if len(fields) == 1:
            return fields[0]
        if not fields:
            return None
        name = instrument.subject or self.language.daftar([f["nama"] for f in fields])
        return {"slug": None, "nama": name, "judul": name.upper(), "urusan": "", "urusan_bidang": name, "tema": False,
                "koordinator": None, "ruang_lingkup": None, "perangkat_daerah": []}

    def _party(self, instrument: Instrument, code: str, role: str, mou_codes, codes, signed: dt.date,
               marks: Marks) -> dict:
        lib = self.library
        province = filled(facts.values(lib.provinces[code], signed, f"provinces {code}"), marks, f"provinces {code}")
        party = {"kode": code, "peran": role, "pemerintah": province["pemerintah"], "provinsi": province,
                 "nomor_mou": _number(lib.numbers, ("mou", "-".join(mou_codes), code), marks, role)}
        if instrument.kind == "mou":
            party["nomor"] = party["nomor_mou"]
            party["penandatangan"] = province["gubernur"]
            return party
        party.update(self._signatory(instrument, code, province, role, signed, marks))
        # a lead role the programme gives this province in this field (lampiran.yaml: peran_khusus)
        special = {}
        for field in instrument.fields:
            special = {**((lib.annexes.get(field.slug) or {}).get("peran_khusus") or {}), **special}
        party["peran_khusus"] = filled(facts.values(special[code], signed), marks,
                                       f"peran_khusus {code}") if code in special else None
        party["nomor"] = _number(lib.numbers, ("pks", instrument.number_key, "-".join(codes), code), marks, role)
        return party

    def _signatory(self, instrument: Instrument, code: str, province: dict, role: str, signed: dt.date,
                   marks: Marks) -> dict:
        """Who signs for the Pemerintah Provinsi of one province, and where: a surat kuasa when not the governor."""
        who = instrument.signatory(code)
        government = {"nama": province["pemerintah"], "alamat": province["alamat"],
                      "kode_pos": province.get("kode_pos", ""), "kepala": province["gubernur"]}
        if who == instruments.GOVERNOR:
            return {"instansi": government, "penandatangan": province["gubernur"], "surat_kuasa": None}
        if who == instruments.AGENCY_HEAD:
            slug = instrument.fields[0].slug
            agency = instruments.field_agency(self.library, self.catalogue, slug, code)
            party = {"instansi": filled(facts.values(agency, signed, f"agencies {slug} {code}"), marks,
                                        f"agencies {slug} {code}")}
            party["penandatangan"] = party["instansi"]["kepala"]
        else:
            where = f"{instrument.path}:{instrument.line('penandatangan')}"
            what = f"instruments {instrument.id} penandatangan {code}"
            official = filled({"nama": who.get("nama"), "nip": who.get("nip"), "jabatan": who.get("jabatan")},
                              marks, what, where)
            party = {"instansi": government, "penandatangan": official}
        numbers = self.library.numbers
        keys = ("surat_kuasa", instrument.number_key, code)
        party["surat_kuasa"] = {key: self._date(numbers, keys + (key,), marks, role) for key in POWER_OF_ATTORNEY}
        return party

    def _date(self, numbers: dict, keys: tuple[str, ...], marks: Marks, role: str) -> str:
        """A value of numbers.yaml as the document prints it (a date in words), or a blank."""
        value = _number(numbers, keys, marks, role)
        found = consistency.value(numbers, keys)
        return self.language.tanggal(found) if isinstance(found, dt.date) else value

    def _field(self, field, parties: list[dict], signed: dt.date, marks: Marks) -> dict:
        data = instruments.field_data(self.library, self.catalogue, field)
        # the role of the party that leads the field, when it is a party
        data["koordinator"] = next((p["peran"] for p in parties if p["kode"] == field.lead), None)
        # the agency that carries the field, for each party in order
        data["perangkat_daerah"] = [
            filled(facts.values(instruments.field_agency(self.library, self.catalogue, field.slug, p["kode"]),
                                signed, f"agencies {field.slug} {p['kode']}"), marks,
                   f"agencies {field.slug} {p['kode']}")["nama"] for p in parties]
        return data

    def _power_of_attorney(self, instrument: Instrument, request: Request, marks: Marks) -> dict:
        """A surat kuasa: the context of the PKS it authorises, and who grants and receives the power."""
        pks = self.catalogue.get(instrument.authorises)
        context = self.agreement(pks, request.codes, marks)
        grantee = next(p for p in context["pihak"] if p["kode"] == request.grantor)
        giver = {"kode": request.grantor, "kuasa": "pemberi", "provinsi": grantee["provinsi"],
                 "pemerintah": grantee["pemerintah"], "penandatangan": grantee["provinsi"]["gubernur"]}
        receiver = {**grantee, "kuasa": "penerima"}
        context.update({
            "dokumen": {"jenis": instrument.kind, "id": instrument.id, "status": instrument.status},
            "perjanjian": {**context["dokumen"], "tanggal": context["program"]["pks"]["tanggal"],
                           "tempat": context["program"]["pks"]["tempat"]},
            "pemberi_kuasa": giver, "penerima_kuasa": receiver, "surat_kuasa": grantee["surat_kuasa"]})
        return context

    def _programme(self, instrument: Instrument, parent: Instrument, document: dict, codes, context: dict) -> dict:
        """programme.yaml as clauses see it: its name rendered (it names the parties), the dates and places of
        this instrument and of its MoU, and a signing place that is a party's."""
        programme = self.library.programme
        program = dict(programme)
        program["nama"] = self.sandbox.render_string(str(programme["nama"]), context, programme, "nama")
        program["penyusun"] = self.sandbox.render_string(str(programme.get("penyusun", "")), context, programme,
                                                         "penyusun")
        events = {"mou": {**programme["mou"], **parent.event}, instrument.kind: document}
        for key, event in events.items():
            program[key] = event
            if event.get("tempat_provinsi") and event["tempat_provinsi"] not in codes:
                # never name a province that is not a party: sign elsewhere
                own = key == instrument.kind and "tempat_lain" in instrument.lines
                program[key] = {**event, "tempat": self.sandbox.render_string(
                    str(event.get("tempat_lain", "")), context, instrument if own else programme[key], "tempat_lain")}
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


def signing_date(document: dict, instrument: Instrument) -> dt.date:
    """The date a document is signed on (the catalogue's, else the programme's): the facts valid then are used."""
    if not isinstance(document.get(instruments.DATE), dt.date):
        raise DocgenError("the signing date must be written YYYY-MM-DD", instrument.path,
                          instrument.line(instruments.DATE))
    return document[instruments.DATE]


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
