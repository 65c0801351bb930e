"""The instrument catalogue: a PKS of several fields, the surat kuasa, and the rules that tie them together."""
import re
import subprocess
from pathlib import Path

import pytest

from conftest import assembler_for, docgen, words
from docgen.catalogue import Request
from docgen.errors import DocgenError
from docgen.writers.text import text

THEME = {
    "tema.yaml": """\
nama: uji tata kelola bersama
urusan: fungsi penunjang urusan pemerintahan
perangkat_daerah:
  bali: {nama: Badan Uji Provinsi Bali, alamat: ~, kepala: {nama: ~, jabatan: Kepala Badan Uji Provinsi Bali}}
  ntb: {nama: Badan Uji Provinsi Nusa Tenggara Barat, alamat: ~, kepala: {nama: ~, jabatan: Kepala Badan Uji}}
  ntt: {nama: Badan Uji Provinsi Nusa Tenggara Timur, alamat: ~, kepala: {nama: ~, jabatan: Kepala Badan Uji}}
""",
    "pks-ruang-lingkup.md": """\
---
id: uji-tema-pks-ruang-lingkup
title: OBJEK DAN RUANG LINGKUP
documents: [pks]
position: 30
---
Objek kerja sama bidang {{ bidang_ini.nama }} adalah tata kelola bersama.

[#lingkup] Ruang lingkup kerja sama bidang {{ bidang_ini.nama }} meliputi penyelarasan yang mendukung ruang lingkup {{ ref('pariwisata-pks-ruang-lingkup', 'lingkup') }}.
""",
    "pks-hak-kewajiban.md": """\
---
id: uji-tema-pks-hak-kewajiban
title: HAK DAN KEWAJIBAN
documents: [pks]
position: 50
---
{% for p in pihak %}
{{ p.peran }} melalui {{ bidang_ini.perangkat_daerah[loop.index0] }} melaksanakan ruang lingkup {{ ref('uji-tema-pks-ruang-lingkup', 'lingkup') }}.

{% endfor %}
{% if bidang_ini.koordinator %}
{{ bidang_ini.koordinator }} mengoordinasikan bidang {{ bidang_ini.nama }}.
{% endif %}
""",
    "lampiran.yaml": """\
kegiatan:
  - kegiatan: Penyusunan pedoman tata kelola bersama
    indikator: Tersusun dan disepakatinya pedoman tata kelola bersama
    target: 1 (satu) pedoman
    lokasi: Ibu kota provinsi PARA PIHAK secara bergiliran
    sumber_dana: APBD masing-masing PIHAK
    tahun: 2026
""",
}

CATALOGUE = """\
instrumen:
  - id: mou
    jenis: mou
    tema: [uji-tema]
  - id: pks-uji
    jenis: pks
    induk: mou
    templat: pks-regional.j2
    bidang:
      - pariwisata
      - bidang: uji-tema
        koordinator: ntb
    tanggal: 2026-02-10
    tempat: Kota Mataram, Provinsi Nusa Tenggara Barat
    tempat_provinsi: ntb
    tempat_lain: "{{ pihak[0].provinsi.ibu_kota }}"
    penandatangan:
      bali: gubernur
      ntb: {jabatan: Kepala Badan Uji Provinsi Nusa Tenggara Barat, nama: Ni Uji}
      ntt: {jabatan: ~, nama: ~}
    status: rencana
  - id: kuasa-uji
    jenis: surat-kuasa
    untuk: pks-uji
"""


@pytest.fixture
def regional(project_copy) -> Path:
    """The shipped clauses with a catalogue of its own: the MoU, a two-field PKS and its surat kuasa."""
    theme = project_copy / "clauses/uji-tema"
    theme.mkdir()
    for name, content in THEME.items():
        (theme / name).write_text(content, encoding="utf-8")
    (project_copy / "clauses/instruments.yaml").write_text(CATALOGUE, encoding="utf-8")
    return project_copy


def test_a_two_field_pks_and_its_surat_kuasa_build_for_every_combination(regional):
    result = docgen("build", "all", "--out", "out", cwd=regional)
    assert result.returncode == 0, result.stderr
    out = regional / "out"
    combos = ["bali-ntb-ntt", "bali-ntb", "bali-ntt", "ntb-ntt"]
    # the governor of Bali signs in person: only NTB and NTT give a surat kuasa, in every PKS they are party to
    stems = {f"{c}/{s}" for c in combos for s in ("mou", "pks-uji")}
    stems |= {f"{c}/kuasa-uji-{p}" for c in combos for p in ("ntb", "ntt") if p in c}
    assert {str(p.relative_to(out)) for p in out.rglob("*.*") if not p.name.startswith(".")} == \
        {f"{s}.{fmt}" for s in stems for fmt in ("docx", "pdf")}
    # every document of this catalogue passes every check: no PIHAK KETIGA, no absent province, no bad reference
    assert docgen("check", cwd=regional).returncode == 0
    pks = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", str(out / "bali-ntt/pks-uji.docx")],
                         capture_output=True, text=True, check=True).stdout
    flat = " ".join(pks.split())
    assert "PIHAK KETIGA" not in flat and "Nusa Tenggara Barat" not in flat
    assert "OBJEK DAN RUANG LINGKUP BIDANG UJI TATA KELOLA BERSAMA" in flat
    # NTB coordinates the theme, and is not a party here: nobody is named coordinator
    assert "mengoordinasikan bidang uji" not in flat
    # the governor of Bali signs in person, NTT's official on a surat kuasa
    assert "dalam jabatannya berdasarkan Keputusan Presiden" in flat
    assert "dalam hal ini bertindak untuk dan atas nama Pemerintah Provinsi Bali, berkedudukan" in flat
    assert "untuk dan atas nama Pemerintah Provinsi Nusa Tenggara Timur berdasarkan Surat Kuasa" in flat
    power = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", str(out / "bali-ntb/kuasa-uji-ntb.docx")],
                           capture_output=True, text=True, check=True).stdout
    power = " ".join(power.split())
    assert "SURAT KUASA" in power and "PEMBERI KUASA" in power and "PENERIMA KUASA" in power
    assert "NI UJI" in power and "Kepala Badan Uji Provinsi Nusa Tenggara Barat" in power
    assert "LALU MUHAMAD IQBAL" in power  # the governor of NTB gives it
    assert "Nusa Tenggara Timur" not in power and "PIHAK KETIGA" not in power
    assert "tanggal sepuluh, bulan Februari, tahun dua ribu dua puluh enam" in power  # the PKS it authorises


def test_numbering_and_references_run_across_the_fields(regional):
    assembler = assembler_for(regional)
    pks = assembler.agreement(Request("pks-uji", ("bali", "ntb", "ntt")))
    plain = assembler.language.plain
    numbers = {a.clause_id: a.number for a in pks.articles}
    assert [a.number for a in pks.articles] == list(range(1, len(pks.articles) + 1))
    # the fields in the order of the catalogue, each part of one field after the same part of the other
    order = ["pariwisata-pks-ruang-lingkup", "uji-tema-pks-ruang-lingkup",
             "pariwisata-pks-hak-kewajiban", "uji-tema-pks-hak-kewajiban"]
    assert sorted(order, key=numbers.get) == order
    assert numbers["uji-tema-pks-ruang-lingkup"] == numbers["pariwisata-pks-ruang-lingkup"] + 1
    body = " ".join(text(pks, assembler.language).split())
    # a reference from one field's article to the other field's
    assert f"ruang lingkup sebagaimana dimaksud dalam Pasal {numbers['pariwisata-pks-ruang-lingkup']} ayat (2)" \
        in body
    # the common article on implementation names the scope articles of both fields
    assert (f"Pasal {numbers['pariwisata-pks-ruang-lingkup']} sampai dengan "
            f"Pasal {numbers['uji-tema-pks-ruang-lingkup']}") in body
    # one Lampiran per field, numbered, in the order of the fields
    headings = [" ".join(plain(line) for line in annex.heading) for annex in pks.annexes]
    assert len(headings) == 2 and headings[0].startswith("LAMPIRAN I ") and headings[1].startswith("LAMPIRAN II ")
    assert "BIDANG PARIWISATA" in headings[0] and "BIDANG UJI TATA KELOLA BERSAMA" in headings[1]
    # the lead of a field comes from the catalogue: NTB, PIHAK KEDUA of the three
    assert "PIHAK KEDUA mengoordinasikan bidang uji tata kelola bersama" in body
    assert "Badan Uji Provinsi Nusa Tenggara Barat" in " ".join(plain(c) for row in pks.annexes[1].table.rows
                                                              for c in row)


# ---- each rule of the catalogue, broken ------------------------------------------------------

def line_of(path: Path, pattern: str, after: str | None = None) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    start = 0 if after is None else next(i for i, l in enumerate(lines) if re.search(after, l))
    return next(i for i, l in enumerate(lines) if i >= start and re.search(pattern, l)) + 1


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def refused(root: Path, where: str, message: str) -> None:
    result = docgen("build", "pks-uji", "--format", "docx", "--out", "out", cwd=root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"error: {where}: " in result.stderr and message in result.stderr, result.stderr
    assert not (root / "out").exists()


def test_a_field_outside_the_mou_scope(regional):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "    tema: [uji-tema]\n", "")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'^    bidang:')}", "not in the scope of mou")


def test_parties_outside_the_mou(regional):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "    tema: [uji-tema]\n", "    tema: [uji-tema]\n    pihak: [bali, ntb]\n")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'^  - id: pks-uji')}",
            "ntt is a party of pks-uji but not of mou")


@pytest.mark.parametrize("date, relation", [("2025-11-01", "before"), ("2031-02-10", "after the end of")])
def test_a_pks_dated_outside_the_mou(regional, date, relation):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "tanggal: 2026-02-10", f"tanggal: {date}")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, rf'tanggal: {date}')}",
            f"{relation} the Nota Kesepahaman")


def test_a_pks_running_past_the_mou(regional):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "    status: rencana\n", "    jangka_waktu: 5\n    status: rencana\n")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'jangka_waktu: 5')}", "past the end of the Nota")


def test_a_signatory_without_a_surat_kuasa(regional):
    catalogue = regional / "clauses/instruments.yaml"
    content = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(content[:content.index("  - id: kuasa-uji")], encoding="utf-8")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'^    penandatangan:')}",
            "needs the governor's surat kuasa")


def test_a_surat_kuasa_dated_on_or_after_its_pks(regional):
    numbers = regional / "clauses/numbers.yaml"
    edit(numbers, "surat_kuasa: {}", "surat_kuasa:\n  pks-uji:\n    ntb: {nomor: 180/12/2026, tanggal: 2026-02-10}")
    refused(regional, f"clauses/numbers.yaml:{line_of(numbers, r'^surat_kuasa:')}", "not before the PKS")
    # dated the day before, it is accepted
    edit(numbers, "tanggal: 2026-02-10", "tanggal: 2026-02-09")
    assert docgen("build", "kuasa-uji", "--parties", "bali,ntb", "--format", "docx", "--out", "out",
                  cwd=regional).returncode == 0


def test_a_signed_instrument_has_its_numbers(regional):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "    status: rencana\n", "    status: ditandatangani\n    tanggal_tanda_tangan: 2026-02-10\n")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'status: ditandatangani')}",
            "pks-uji is marked ditandatangani but numbers.yaml has no pks.pks-uji.bali-ntb-ntt.bali")


def test_catalogue_errors_name_the_line(regional):
    catalogue = regional / "clauses/instruments.yaml"
    edit(catalogue, "    jenis: surat-kuasa", "    jenis: surat-kuasaa")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'surat-kuasaa')}", "jenis must be one of")
    edit(catalogue, "    jenis: surat-kuasaa", "    jenis: surat-kuasa\n    tanggl: 2026-01-01")
    refused(regional, f"clauses/instruments.yaml:{line_of(catalogue, r'tanggl')}", "unknown key 'tanggl'")


def test_a_new_instrument_is_data_only(regional):
    """An instrument added to the catalogue builds with no change to Python."""
    catalogue = regional / "clauses/instruments.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + """\
  - id: pks-energi-bali-ntb
    jenis: pks
    induk: mou
    bidang: [energi]
    kombinasi: [bali-ntb]
    tanggal: 2026-03-02
""", encoding="utf-8")
    # its signatories are the heads of the energy agencies: the catalogue refuses it without their surat kuasa
    with pytest.raises(DocgenError, match="needs the governor's surat kuasa"):
        assembler_for(regional).catalogue.requests()
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + """\
  - id: kuasa-energi-bali-ntb
    jenis: surat-kuasa
    untuk: pks-energi-bali-ntb
""", encoding="utf-8")
    requests = assembler_for(regional).catalogue.requests("pks-energi-bali-ntb")
    assert [(r.name, r.codes) for r in requests] == [("pks-energi-bali-ntb", ("bali", "ntb"))]
    result = docgen("build", "all", "--parties", "bali,ntb", "--format", "docx", "--out", "out", cwd=regional)
    assert result.returncode == 0, result.stderr
    made = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", str(regional / "out/bali-ntb/pks-energi-bali-ntb.docx")],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(words(made))
    assert "Dinas Energi dan Sumber Daya Mineral Provinsi Nusa Tenggara Barat" in flat
    assert "tanggal dua, bulan Maret, tahun dua ribu dua puluh enam" in flat
    assert (regional / "out/bali-ntb/kuasa-energi-bali-ntb-bali.docx").exists()


def test_a_revision_from_before_the_catalogue_is_read_with_the_newer_one(project_copy, tmp_path):
    """docgen redline against an older revision: its MoU and sector PKS still build, clause by clause."""
    import shutil
    from docgen.redline import with_catalogue
    old = tmp_path / "old"
    shutil.copytree(project_copy / "clauses", old / "clauses")
    shutil.copytree(project_copy / "templates", old / "templates")
    (old / "clauses/instruments.yaml").unlink()
    shutil.rmtree(old / "clauses/integrasi-perencanaan")
    (old / "templates/surat-kuasa.j2").unlink()
    with pytest.raises(DocgenError, match="missing the instrument catalogue"):
        assembler_for(old)
    with_catalogue(old, project_copy)
    assembler = assembler_for(old)
    pks = assembler.agreement(Request("pks-energi", ("bali", "ntb")))
    assert "PERJANJIAN KERJA SAMA" in text(pks, assembler.language)
    assert assembler.agreement(Request("mou", ("bali", "ntb"))).articles
