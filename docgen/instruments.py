"""The instrument catalogue (clauses/instruments.yaml): which documents exist, who signs them, when and where.

Every entry is validated here; every problem names the catalogue's file and line. A family entry
(`keluarga: bidang`) stands for one instrument per sector of the MoU's scope, so the per-sector PKS
and their surat kuasa need no entry of their own.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from .errors import DocgenError
from .library import ID_PATTERN, Library, LineDict, display, load_data

KINDS = ("mou", "pks", "surat-kuasa")
STATUSES = ("rencana", "ditandatangani")
GOVERNOR = "gubernur"
AGENCY_HEAD = "perangkat-daerah"           # the head of the field's agency (agencies.yaml or the theme's tema.yaml)
FAMILIES = ("bidang",)
# The keys of a catalogue entry (clauses/README.md), each with what it holds.
KEYS = {"id": "the output file name", "jenis": "its kind", "judul": "its title, over programme.yaml's",
        "pokok": "the subject of a PKS of several fields", "bidang": "a PKS's fields",
        "tema": "the themes in an MoU's scope", "induk": "the MoU a PKS implements",
        "untuk": "the PKS a surat kuasa authorises", "pemberi_kuasa": "the provinces that grant a surat kuasa",
        "penandatangan": "who signs for each party", "pihak": "its provinces", "kombinasi": "its combinations",
        "tanggal": "its date", "tempat": "its place", "tempat_provinsi": "the province of its place",
        "tempat_lain": "its place when that province is not a party", "jangka_waktu": "its term in years",
        "status": "rencana or ditandatangani", "tanggal_tanda_tangan": "the date it was signed",
        "nomor": "the key of its numbers in numbers.yaml", "templat": "its frame in templates/",
        "konsiderans": "its own recitals", "sumber": "the sources of its facts",
        "keluarga": "a family of instruments", "catatan": "a note",
        "revisi": "once signed: the git revision (tag or commit) of the library it was signed from",
        "mengubah": "an adendum: the signed instrument it amends"}
DATE = next(key for key in KEYS if key == "tanggal")
SIGNED_ON = next(key for key in KEYS if key == "tanggal_tanda_tangan")
TERM = next(key for key in KEYS if key == "jangka_waktu")
TITLE = next(key for key in KEYS if key == "judul")
# The keys of a surat kuasa in numbers.yaml (surat_kuasa.<PKS>.<province>).
POWER_OF_ATTORNEY = {"nomor": "its number", "tanggal": "its date, before the PKS's"}
FIELD_KEYS = {"bidang", "nama", "koordinator", "sumber"}
ADENDUM = "adendum"
# The keys of an adendum (jenis: adendum): it is numbered by its order among those of the instrument it amends.
ADENDUM_KEYS = {"jenis", "mengubah", "tanggal", "tempat", "status", "tanggal_tanda_tangan", "revisi", "nomor",
                "templat", "konsiderans", "sumber", "catatan"}
SIGNATORY_KEYS = {"perangkat_daerah", "jabatan", "nama", "alamat", "sumber"}
FILE = "instruments.yaml"


@dataclass(frozen=True)
class Field:
    """One field (bidang or tema) a PKS covers, in the order its articles and Lampiran appear."""
    slug: str
    name: str | None          # the name the instrument gives it, when it differs from sectors.yaml / tema.yaml
    lead: str | None          # the province that coordinates this field, if the instrument names one


@dataclass(frozen=True)
class Instrument:
    """One entry of the catalogue, with the family expanded and the defaults of its kind filled in."""
    id: str
    kind: str
    fields: tuple[Field, ...]
    parent: str | None
    authorises: str | None              # surat kuasa: the id of the PKS it authorises
    grantors: tuple[str, ...] | None    # surat kuasa: provinces whose governor grants one (None: all that need one)
    signatories: dict                   # province code → 'gubernur', 'perangkat-daerah' or a LineDict
    parties: tuple[str, ...]
    combinations: tuple[tuple[str, ...], ...]
    event: dict                         # tanggal, tempat, jangka_waktu … over the programme's defaults
    status: str
    signed_on: dt.date | None
    number_key: str                     # key of its numbers in numbers.yaml
    template: str                       # frame template under templates/
    subject: str | None                 # what the PKS is about, when it covers several fields
    themes: tuple[str, ...]             # MoU: themes in its scope besides the sectors of mou.bidang
    recitals: tuple[str, ...] | None    # its own recitals instead of programme.yaml's konsiderans of its kind
    path: str
    lines: dict                         # key → line of the entry, for messages
    sector: str | None = None           # the sector a family member was generated for
    revision: str | None = None         # signed: the git revision of the library it was signed from

    def line(self, key: str | None = None) -> int:
        return self.lines.get(key, self.lines.get("id", 1)) if key else self.lines.get("id", 1)

    def signatory(self, code: str):
        return self.signatories.get(code, GOVERNOR)

    def needs_power_of_attorney(self, code: str) -> bool:
        """A PKS signed for a province by anyone but its governor needs the governor's surat kuasa."""
        return self.kind == "pks" and self.signatory(code) != GOVERNOR


@dataclass(frozen=True)
class Adendum:
    """An amendment of a signed instrument (jenis: adendum): the n-th of that instrument, in catalogue order."""
    id: str                             # <instrument>-adendum-<n>: its output file name and numbers.yaml key
    amends: str                         # the id of the instrument it amends
    ordinal: int                        # n: ADENDUM PERTAMA is 1
    date: dt.date | None                # None: not known yet (a dotted line)
    place: str | None
    status: str
    signed_on: dt.date | None
    revision: str | None                # signed: the revision of the library whose text it enacts
    template: str
    recitals: tuple[str, ...]
    path: str
    lines: dict

    def line(self, key: str | None = None) -> int:
        return self.lines.get(key, self.lines.get("jenis", 1)) if key else self.lines.get("jenis", 1)

    @property
    def signed(self) -> bool:
        return self.status == "ditandatangani"


@dataclass(frozen=True)
class Theme:
    """A field that is none of the sectors: a folder under clauses/ with its own tema.yaml."""
    slug: str
    data: LineDict


@dataclass(frozen=True)
class Entries:
    instruments: tuple[Instrument, ...]
    themes: dict
    path: str
    adenda: tuple[Adendum, ...] = ()

    def adenda_of(self, instrument_id: str) -> list[Adendum]:
        return [a for a in self.adenda if a.amends == instrument_id]

    def get(self, instrument_id: str) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)

    def of_kind(self, kind: str) -> list[Instrument]:
        return [i for i in self.instruments if i.kind == kind]

    def powers_for(self, pks: Instrument) -> list[Instrument]:
        return [i for i in self.instruments if i.kind == "surat-kuasa" and i.authorises == pks.id]


def combinations(codes: list[str]) -> list[tuple[str, ...]]:
    """Every set of two or more of `codes`, the largest first, in the given order."""
    return [c for size in range(len(codes), 1, -1) for c in itertools.combinations(codes, size)]


def load_themes(root: Path, sectors: dict) -> dict:
    """Themes: every folder of clauses/ with a tema.yaml (name, urusan, agency per province)."""
    themes = {}
    for folder in sorted((root / "clauses").iterdir()):
        if folder.is_dir() and (folder / "tema.yaml").exists():
            data = load_data(folder / "tema.yaml")
            if folder.name in sectors:
                raise DocgenError(f"'{folder.name}' is a sector of sectors.yaml; a theme needs a name of its own",
                                  data.path, 1)
            if not isinstance(data.get("nama"), str):
                raise DocgenError("a theme needs 'nama:', its name as it reads inside a sentence", data.path, 1)
            themes[folder.name] = Theme(folder.name, data)
    return themes


def load(library: Library) -> Entries:
    """Read and validate clauses/instruments.yaml against the library; expand families."""
    path = library.root / "clauses" / FILE
    if not path.exists():
        raise DocgenError(f"missing the instrument catalogue; create clauses/{FILE} (see clauses/README.md)",
                          display(path))
    data = load_data(path)
    shown = data.path
    entries = data.get("instrumen")
    if not isinstance(entries, list) or not entries:
        raise DocgenError("the catalogue needs 'instrumen:', a list of instruments", shown, data.lines.get("instrumen", 1))
    themes = load_themes(library.root, library.sectors)
    instruments: list[Instrument] = []
    adenda: list[Adendum] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise DocgenError("each instrument is a mapping that starts with 'id:'", shown, data.lines.get("instrumen"))
        if entry.get("jenis") == ADENDUM:
            adenda.append(_adendum(entry, library, shown, adenda))
            continue
        for instrument in _expand(entry, library):
            instruments.append(_instrument(instrument, entry, library, themes, shown))
    instruments = [_within_parent(i, instruments) for i in instruments]
    instruments = [_as_authorised(i, instruments) for i in instruments]
    seen: dict[str, Instrument] = {}
    for instrument in instruments:
        if instrument.id in seen:
            raise DocgenError(f"instrument id '{instrument.id}' is already used at line {seen[instrument.id].line()}; "
                              "give this instrument another id", shown, instrument.line())
        seen[instrument.id] = instrument
    for adendum in adenda:
        amended = seen.get(adendum.amends)
        if amended is None or amended.kind == "surat-kuasa":
            raise DocgenError(f"mengubah names no MoU or PKS of the catalogue ('{adendum.amends}'); write the id of "
                              "the instrument this adendum amends", shown, adendum.line("mengubah"))
    return Entries(tuple(instruments), themes, shown, tuple(adenda))


def _adendum(entry: LineDict, library: Library, shown: str, earlier: list[Adendum]) -> Adendum:
    """One adendum entry, validated; its number is its place among the adenda of the same instrument."""
    def fail(message: str, key: str = "jenis"):
        raise DocgenError(message, shown, entry.lines.get(key, entry.lines.get("jenis")))

    unknown = sorted(set(entry) - ADENDUM_KEYS)
    if unknown:
        fail(f"unknown key '{unknown[0]}' for an adendum; allowed: {', '.join(sorted(ADENDUM_KEYS))}", unknown[0])
    amends = entry.get("mengubah")
    if not isinstance(amends, str):
        fail("an adendum needs 'mengubah:', the id of the signed instrument it amends", "mengubah")
    status = entry.get("status", "rencana")
    if status not in STATUSES:
        fail(f"status must be {' or '.join(STATUSES)}", "status")
    for key in (DATE, SIGNED_ON):
        if entry.get(key) is not None and not isinstance(entry[key], dt.date):
            fail(f"{key} must be a date written YYYY-MM-DD", key)
    revision = entry.get("revisi")
    if status == "ditandatangani" and not (isinstance(entry.get(SIGNED_ON), dt.date) and isinstance(revision, str)):
        fail(f"an adendum marked ditandatangani needs {SIGNED_ON}: YYYY-MM-DD and revisi: the tag or commit of the "
             "library it was signed from", "status")
    template = entry.get("templat", "adendum.j2")
    if not isinstance(template, str) or "/" in template or not (library.root / "templates" / template).exists():
        fail(f"templat '{template}' is not a file of templates/; write the name of a frame there", "templat")
    recitals = entry.get("konsiderans") or []
    if not isinstance(recitals, list) or not all(isinstance(r, str) for r in recitals):
        fail("konsiderans must be a list of recitals, each starting with 'bahwa'", "konsiderans")
    ordinal = 1 + sum(1 for a in earlier if a.amends == amends)
    if any(a.amends == amends and not a.signed for a in earlier):
        fail(f"an earlier adendum of '{amends}' is not signed yet; sign it (status: ditandatangani) before "
             "drafting the next", "status")
    place = entry.get("tempat")
    return Adendum(f"{amends}-{ADENDUM}-{ordinal}", amends, ordinal, entry.get(DATE),
                   str(place) if place else None, status, entry.get(SIGNED_ON),
                   str(revision) if revision is not None else None, template, tuple(recitals), shown,
                   dict(entry.lines))


def _within_parent(instrument: Instrument, instruments: list[Instrument]) -> Instrument:
    """A PKS that lists no combinations is made for those inside a combination of its MoU."""
    parent = next((i for i in instruments if i.id == instrument.parent), None)
    if instrument.kind != "pks" or "kombinasi" in instrument.lines or parent is None:
        return instrument
    inside = tuple(c for c in instrument.combinations if any(set(c) <= set(p) for p in parent.combinations))
    return dataclasses.replace(instrument, combinations=inside)


def _as_authorised(instrument: Instrument, instruments: list[Instrument]) -> Instrument:
    """A surat kuasa is made for the combinations of the PKS it authorises."""
    pks = next((i for i in instruments if i.id == instrument.authorises), None)
    if instrument.kind != "surat-kuasa" or pks is None:
        return instrument
    return dataclasses.replace(instrument, combinations=pks.combinations)


def _expand(entry: LineDict, library: Library) -> list[tuple[dict, str | None]]:
    family = entry.get("keluarga")
    if family is None:
        return [(dict(entry), None)]
    if family not in FAMILIES:
        raise DocgenError(f"unknown family '{family}'; use keluarga: bidang (one instrument per sector)",
                          entry.path, entry.lines.get("keluarga"))
    scope = library.programme["mou"].get("bidang") or list(library.sectors)
    return [(_substituted(entry, slug), slug) for slug in scope]


def _substituted(entry: dict, slug: str):
    def fill(value):
        if isinstance(value, str):
            return value.replace("{bidang}", slug)
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value
    return {key: fill(value) for key, value in entry.items()}


def _instrument(generated: tuple[dict, str | None], entry: LineDict, library: Library, themes: dict,
                shown: str) -> Instrument:
    values, sector = generated
    line = entry.lines.get

    def fail(message: str, key: str | None = None):
        raise DocgenError(message, shown, line(key) if key else line("id", line("keluarga")))

    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        fail(f"unknown key '{unknown[0]}'; allowed: {', '.join(sorted(KEYS))}", unknown[0])
    instrument_id = values.get("id")
    if not isinstance(instrument_id, str) or not ID_PATTERN.match(instrument_id) or len(instrument_id) > 40:
        fail("id must be lowercase words joined by '-', like 'pks-regional' (the output file name)", "id")
    kind = values.get("jenis")
    if kind not in KINDS:
        fail(f"jenis must be one of {', '.join(KINDS)}", "jenis")
    codes = list(library.provinces)
    parties = values.get("pihak") or codes
    if not isinstance(parties, list) or any(p not in codes for p in parties) or len(set(parties)) < 2:
        fail(f"pihak must list at least two provinces of provinces.yaml ({', '.join(codes)})", "pihak")
    parties = tuple(c for c in codes if c in parties)
    combos = combinations(list(parties))
    # the MoU's combinations may also be given in programme.yaml (mou.kombinasi), as before the catalogue
    listed = values.get("kombinasi", library.programme["mou"].get("kombinasi") if kind == "mou" else None)
    if listed is not None:
        names = {"-".join(c): c for c in combos}
        if not isinstance(listed, list) or any(name not in names for name in listed):
            fail(f"kombinasi must list combinations of its parties, like {next(iter(names))}", "kombinasi")
        combos = [names[name] for name in names if name in listed]
    fields = _fields(values, kind, library, themes, parties, fail)
    signatories = _signatories(values, kind, parties, fields, fail)
    event, status, signed_on = _event(values, kind, library, fail)
    grantors = values.get("pemberi_kuasa")
    if grantors is not None and (not isinstance(grantors, list) or any(g not in codes for g in grantors)):
        fail(f"pemberi_kuasa must list province codes ({', '.join(codes)})", "pemberi_kuasa")
    template = values.get("templat", f"{kind}.j2")
    # a frame that is there but not a regular file is refused where it is read, with its own name
    if not isinstance(template, str) or "/" in template or not (library.root / "templates" / template).exists():
        fail(f"templat '{template}' is not a file of templates/; write the name of a frame there", "templat")
    themes_in_scope = tuple(values.get("tema") or ())
    for theme in themes_in_scope:
        if theme not in themes:
            fail(f"unknown theme '{theme}'; a theme is a folder of clauses/ with a tema.yaml", "tema")
    subject = values.get("pokok")
    recitals = values.get("konsiderans")
    if recitals is not None and (not isinstance(recitals, list) or not all(isinstance(r, str) for r in recitals)):
        fail("konsiderans must be a list of recitals, each starting with 'bahwa'", "konsiderans")
    revision = values.get("revisi")
    if revision is not None and not isinstance(revision, str):
        fail("revisi must be a git tag or commit, like mou-ditandatangani", "revisi")
    return Instrument(
        revision=revision, id=instrument_id, kind=kind, fields=fields, parent=values.get("induk"), authorises=values.get("untuk"),
        grantors=tuple(grantors) if grantors is not None else None, signatories=signatories, parties=parties,
        combinations=tuple(combos), event=event, status=status, signed_on=signed_on,
        number_key=str(values.get("nomor", instrument_id)), template=template,
        subject=str(subject) if subject else None, themes=themes_in_scope,
        recitals=tuple(recitals) if recitals is not None else None, path=shown,
        lines=dict(entry.lines), sector=sector)


def _event(values: dict, kind: str, library: Library, fail) -> tuple[dict, str, dt.date | None]:
    """Date, place, term and status: the entry's own over the programme's defaults for its kind."""
    status = values.get("status", "rencana")
    if status not in STATUSES:
        fail(f"status must be {' or '.join(STATUSES)}", "status")
    signed_on = values.get(SIGNED_ON)
    if status == "ditandatangani" and not isinstance(signed_on, dt.date):
        fail(f"an instrument marked ditandatangani needs {SIGNED_ON}: YYYY-MM-DD", "status")
    for key in (DATE, SIGNED_ON):
        if key in values and values[key] is not None and not isinstance(values[key], dt.date):
            fail(f"{key} must be a date written YYYY-MM-DD", key)
    term = values.get(TERM)
    if term is not None and (isinstance(term, bool) or not isinstance(term, int) or term < 1):
        fail(f"{TERM} must be a whole number of years, like 3", TERM)
    place_province = values.get("tempat_provinsi")
    if place_province is not None and place_province not in library.provinces:
        fail(f"tempat_provinsi must be a province code ({', '.join(library.provinces)})", "tempat_provinsi")
    defaults = library.programme.get(kind, {}) if kind in ("mou", "pks") else {}
    event = {**defaults, **{k: values[k] for k in (DATE, "tempat", "tempat_provinsi", "tempat_lain", TERM)
                            if k in values}}
    if TITLE in values:
        event[TITLE] = values[TITLE]
    if kind in ("mou", "pks") and not isinstance(event.get(DATE), dt.date):
        fail(f"the {kind} needs a date: {DATE}: YYYY-MM-DD here or in programme.yaml", DATE)
    return event, status, signed_on


def _fields(values: dict, kind: str, library: Library, themes: dict, parties, fail) -> tuple[Field, ...]:
    raw = values.get("bidang")
    if kind != "pks":
        if raw is not None and kind == "surat-kuasa":
            fail("a surat kuasa has no bidang: it authorises the PKS named in 'untuk'", "bidang")
        return ()
    if not isinstance(raw, list) or not raw:
        fail("a PKS needs 'bidang:', the list of sectors or themes it covers", "bidang")
    fields = []
    for item in raw:
        spec = item if isinstance(item, dict) else {"bidang": item}
        unknown = sorted(set(spec) - FIELD_KEYS)
        if unknown:
            fail(f"unknown key '{unknown[0]}' in a bidang; allowed: {', '.join(sorted(FIELD_KEYS))}", "bidang")
        slug = spec.get("bidang")
        if slug not in library.sectors and slug not in themes:
            fail(f"'{slug}' is neither a sector of sectors.yaml nor a theme (a folder with tema.yaml); "
                 "fix the name or add the theme", "bidang")
        lead = spec.get("koordinator")
        if lead is not None and lead not in library.provinces:
            fail(f"koordinator of '{slug}' must be a province code ({', '.join(library.provinces)})", "bidang")
        fields.append(Field(slug, spec.get("nama"), lead))
    if len({f.slug for f in fields}) != len(fields):
        fail("a bidang is listed twice; list each field once", "bidang")
    return tuple(fields)


def _signatories(values: dict, kind: str, parties, fields, fail) -> dict:
    """Who signs for each party: the governor, the head of the field's agency, or a named official."""
    raw = values.get("penandatangan", GOVERNOR if kind != "pks" else AGENCY_HEAD)
    if kind == "surat-kuasa":
        return {code: GOVERNOR for code in parties}
    per_party = raw if isinstance(raw, dict) else {code: raw for code in parties}
    result = {}
    for code in parties:
        who = per_party.get(code)
        if who is None:
            fail(f"penandatangan names no signatory for '{code}'; add it", "penandatangan")
        if isinstance(who, dict):
            unknown = sorted(set(who) - SIGNATORY_KEYS)
            if unknown:
                fail(f"unknown key '{unknown[0]}' for a signatory; allowed: {', '.join(sorted(SIGNATORY_KEYS))}",
                     "penandatangan")
            if kind == "mou":
                fail("the governor signs a Nota Kesepahaman (PP 28/2018, article 2); write penandatangan: gubernur",
                     "penandatangan")
        elif who == AGENCY_HEAD:
            if kind != "pks" or len(fields) != 1:
                fail("penandatangan: perangkat-daerah needs a PKS of exactly one bidang, whose agency signs; "
                     "for several bidang name the official per province", "penandatangan")
        elif who != GOVERNOR:
            fail(f"penandatangan must be {GOVERNOR}, {AGENCY_HEAD} or, per province, the official "
                 "(perangkat_daerah, jabatan, nama)", "penandatangan")
        result[code] = who
    return result


def field_data(library: Library, catalogue, field: Field) -> dict:
    """The name, urusan and lead of one field, as clauses see it (bidang_ini)."""
    theme = catalogue.themes.get(field.slug)
    data = theme.data if theme else library.sectors[field.slug]
    name = field.name or data["nama"]
    # the id of its ruang lingkup article: <slug>-pks-ruang-lingkup unless the theme names another
    scope = data.get("ruang_lingkup", f"{field.slug}-pks-ruang-lingkup") if theme else f"{field.slug}-pks-ruang-lingkup"
    return {"slug": field.slug, "nama": name, "judul": name.upper(), "urusan": data.get("urusan", ""),
            "urusan_bidang": data.get("urusan_bidang", data["nama"]), "tema": theme is not None,
            "ruang_lingkup": scope}


def field_agency(library: Library, catalogue, slug: str, code: str):
    """The agency (perangkat daerah) that carries a field in one province, with where it is written."""
    theme = catalogue.themes.get(slug)
    if theme:
        agencies = theme.data.get("perangkat_daerah") or {}
        where = (theme.data.path, theme.data.lines.get("perangkat_daerah", 1))
    else:
        agencies = library.agencies.get(slug) or {}
        where = (library.agencies.path, library.agencies.lines.get(slug, 1))
    agency = agencies.get(code) if isinstance(agencies, dict) else None
    if not agency:
        raise DocgenError(f"no agency for '{slug}' and province '{code}'; add it", *where)
    return agency

