"""Facts carry their date and source: the version valid on the signing date, and the lembar verifikasi."""
import csv
import io

import yaml

from docgen import facts
from docgen import language as languages
from docgen.writers import text as text_writer

from conftest import PROJECT, assembler_for, docgen, request_of


def text(agreement) -> str:
    return text_writer.text(agreement, languages.load(PROJECT / "templates"))


def pks(assembler, codes, sector):
    return request_of(assembler, "pks", codes, sector)


def shipped_data(name):
    return yaml.safe_load((PROJECT / "clauses" / f"{name}.yaml").read_text(encoding="utf-8"))


def dated_agency(root, versions: str) -> None:
    """Replace the Bali tourism agency of agencies.yaml by `versions` (YAML lines indented for it)."""
    path = root / "clauses/agencies.yaml"
    source = path.read_text(encoding="utf-8")
    start = source.index("  bali:", source.index("pariwisata:"))
    end = source.index("  ntb:", start)
    path.write_text(source[:start] + "  bali:\n" + versions + source[end:], encoding="utf-8")


VERSION = """    - sumber: {source}
      {validity}
      nama: {name}
      alamat: Jalan Contoh Nomor 1, Denpasar
      kode_pos: "80000"
      kepala:
        nama: ~
        nip: ~
        jabatan: Kepala {name}
"""


def test_a_fact_ended_before_the_signing_date_gives_way_to_its_replacement(project_copy):
    signed = yaml.safe_load((project_copy / "clauses/programme.yaml").read_text(encoding="utf-8"))["pks"]["tanggal"]
    day_before = signed.fromordinal(signed.toordinal() - 1)
    dated_agency(project_copy,
                 VERSION.format(source="Perda lama", validity=f"berlaku_sampai: {day_before.isoformat()}",
                                name="Dinas Lama Provinsi Bali")
                 + VERSION.format(source="Perda baru", validity=f"berlaku_sejak: {signed.isoformat()}",
                                  name="Dinas Baru Provinsi Bali"))
    body = text(pks(assembler_for(project_copy), ("bali", "ntb"), "pariwisata"))
    assert "Dinas Baru Provinsi Bali" in body
    assert "Dinas Lama" not in body

    listed = docgen("facts", "bali-ntb/pks-pariwisata", "--format", "csv", cwd=project_copy)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    name = next(r for r in rows if r["fakta"] == "bali instansi nama")
    assert (name["nilai"], name["sumber"], name["berlaku_sejak"]) == ("Dinas Baru Provinsi Bali", "Perda baru",
                                                                      signed.isoformat())


def test_no_fact_valid_on_the_signing_date_is_an_error_at_its_line(project_copy):
    single = VERSION.format(source="Perda lama", validity="berlaku_sampai: 2025-06-30", name="Dinas Lama Provinsi Bali")
    dated_agency(project_copy, "\n".join(line[2:] for line in single.split("\n")).replace("- sumber", "  sumber"))
    result = docgen("check", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout
    source = (project_copy / "clauses/agencies.yaml").read_text(encoding="utf-8").split("\n")
    line = next(n for n, l in enumerate(source, 1) if "sumber: Perda lama" in l)
    assert any(l.startswith(f"clauses/agencies.yaml:{line}: no fact is valid on") for l in result.stdout.split("\n")), \
        result.stdout


def test_a_fact_without_a_source_is_a_warning(project_copy):
    path = project_copy / "clauses/provinces.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(n for n, l in enumerate(lines) if l.startswith("  sumber:"))
    del lines[first]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = docgen("check", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    warned = [l for l in result.stderr.split("\n") if l.endswith("(warning)")]
    assert warned and all(l.startswith("clauses/provinces.yaml:") and "has no source" in l for l in warned)


def test_facts_lists_every_governor_agency_and_address_with_its_source(shipped):
    provinces, agencies = shipped_data("provinces"), shipped_data("agencies")
    mou = docgen("facts", "bali-ntb-ntt/mou", "--format", "csv")
    assert mou.returncode == 0, mou.stderr
    rows = list(csv.DictReader(io.StringIO(mou.stdout)))
    assert rows and all(r["dokumen"] == "bali-ntb-ntt/mou" for r in rows)
    for code, province in provinces.items():
        for fact, value in ((f"{code} gubernur nama", province["gubernur"]["nama"]),
                            (f"{code} alamat", province["alamat"])):
            row = next(r for r in rows if r["fakta"] == fact)
            assert row["nilai"] == value and row["sumber"] not in ("", "TANPA SUMBER")

    pks = docgen("facts", "bali-ntb/pks-pariwisata", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(pks.stdout)))
    signed = shipped.library.programme["pks"]["tanggal"]
    for code in ("bali", "ntb"):
        agency = facts.on(shipped.library.agencies["pariwisata"][code], signed)
        for key in ("nama", "alamat"):
            row = next(r for r in rows if r["fakta"] == f"{code} instansi {key}")
            assert row["sumber"] == str(agency["sumber"])
            assert row["nilai"] == (agency[key] or row["nilai"])
    assert not any(r["fakta"].startswith("ntt") for r in rows)

    table = docgen("facts", "bali-ntb/pks-pariwisata")
    assert table.returncode == 0 and "sumber" in table.stdout and "clauses/agencies.yaml" in table.stdout
