"""`docgen check`: one test per check, each on a changed copy of the small test library, exact file and line."""

from conftest import docgen


def check(root, *args):
    result = docgen("check", *args, cwd=root)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def reported(result):
    assert result.returncode != 0
    return result.stdout.strip().split("\n")


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def insert_line(root, relative, number, text):
    """Insert `text` so that it becomes line `number` of the file."""
    path = root / relative
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(number - 1, text)
    path.write_text("\n".join(lines), encoding="utf-8")


CLAUSE = "---\nid: {id}\ntitle: UJI\ndocuments: [mou]\nposition: 125\n---\n{body}\n"


def test_shipped_library_is_clean():  # the shipped library, whatever it holds
    result = docgen("check")
    assert result.returncode == 0, result.stdout
    assert "clean" in result.stdout


def test_header_missing(small):
    write(small, "clauses/common/tanpa-kepala.md", "Pasal tanpa kepala.\n")
    assert "clauses/common/tanpa-kepala.md:1: the file must start with a header" in reported(check(small))[0]


def test_header_malformed(small):
    write(small, "clauses/common/rusak.md", "---\nid: rusak\ntitle: [RUSAK\ndocuments: [mou]\n---\nIsi.\n")
    assert reported(check(small))[0].startswith("clauses/common/rusak.md:3: YAML error")


def test_header_unknown_key_and_value(small):
    write(small, "clauses/common/kunci.md",
          "---\nid: kunci\ntitle: KUNCI\ndocuments: [mou]\nposition: 1\nurutan: 2\n---\nIsi.\n")
    write(small, "clauses/common/nilai.md",
          "---\nid: nilai\ntitle: NILAI\ndocuments: [mou, perda]\nposition: 1\n---\nIsi.\n")
    lines = reported(check(small))
    assert any(l.startswith("clauses/common/kunci.md:6: unknown header key 'urutan'") for l in lines)
    assert any(l.startswith("clauses/common/nilai.md:4: documents must be") for l in lines)


def test_duplicate_clause_id(small):
    write(small, "clauses/common/salinan.md", CLAUSE.format(id="penutup", body="Isi."))
    lines = reported(check(small))
    assert any(l.startswith("clauses/common/salinan.md:2: clause id 'penutup' is already used by "
                            "clauses/common/penutup.md:2") for l in lines), lines


def test_unknown_sector_folder_and_sector_without_clauses(small):
    (small / "clauses/pariwisata").rename(small / "clauses/wisata")
    lines = reported(check(small))
    assert any(l.startswith("clauses/wisata: folder 'wisata' is not a sector") for l in lines), lines
    assert any(l.startswith("clauses/sectors.yaml:1: sector 'pariwisata' has no clauses") for l in lines), lines


def test_unknown_variable_found_statically(small):
    insert_line(small, "clauses/common/maksud-tujuan.md", 8, "Disepakati oleh {{ para_pihakk }}.\n")
    lines = reported(check(small))
    assert lines[0].startswith("clauses/common/maksud-tujuan.md:8: 'para_pihakk' is not a variable"), lines


def test_unknown_filter_found_statically(small):
    insert_line(small, "clauses/common/maksud-tujuan.md", 8, "Dibuat {{ 3 | bilangann }} kali.\n")
    lines = reported(check(small))
    assert lines[0].startswith("clauses/common/maksud-tujuan.md:8: template error: No filter named 'bilangann'"), lines


def test_reference_to_a_clause_that_does_not_exist(small):
    insert_line(small, "clauses/common/penutup.md", 7, "Lihat {{ ref('jangka-waktuu') }}.\n")
    lines = reported(check(small))
    assert lines[0].startswith("clauses/common/penutup.md:7: reference to 'jangka-waktuu'"), lines


def test_reference_to_a_clause_not_in_this_document(small):
    insert_line(small, "clauses/common/penutup.md", 7, "Lihat {{ ref('pks-jangka-waktu') }}.\n")
    lines = reported(check(small))
    assert lines[0] == ("clauses/common/penutup.md:7: reference to 'pks-jangka-waktu', which is not in the mou "
                        "for bali-ntb-ntt; fix the id or remove the reference"), lines


def test_third_party_role_in_a_two_party_document(small):
    write(small, "clauses/common/uji.md", CLAUSE.format(id="uji", body="PIHAK KETIGA menyimpan arsip."))
    lines = reported(check(small))
    assert any(l.startswith("clauses/common/uji.md:7: PIHAK KETIGA in the mou of bali-ntb") for l in lines), lines


def test_province_that_is_not_a_party(small):
    write(small, "clauses/common/uji.md",
          CLAUSE.format(id="uji", body="Arsip disimpan di\nKupang oleh PARA PIHAK."))
    lines = reported(check(small))
    assert any(l.startswith("clauses/common/uji.md:8: 'Kupang' is named in the mou of bali-ntb") for l in lines), lines


def test_mandatory_article_missing(small):
    (small / "clauses/common/penutup.md").unlink()
    lines = reported(check(small))
    rules = (small / "clauses/rules.yaml").read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(rules, 1) if "judul: PENUTUP" in text)
    assert any(l.startswith(f"clauses/rules.yaml:{line}: the mou of bali-ntb-ntt has no article 'PENUTUP'")
               for l in lines), lines


def test_count_disagreeing_with_its_words(small):
    insert_line(small, "clauses/common/maksud-tujuan.md", 8, "Laporan dibuat 3 (dua) kali setahun.\n")
    lines = reported(check(small))
    assert "clauses/common/maksud-tujuan.md:8: '3 (dua)': 3 is 'tiga'; make the digits and the words agree" in lines


def test_final_fails_on_blanks(small):
    result = docgen("check", "--final", cwd=small)
    lines = reported(result)
    assert any(l.startswith("clauses/numbers.yaml:") and "still blank" in l for l in lines)
    assert any(l.startswith("clauses/agencies.yaml:") and "kepala nama" in l for l in lines)


def test_final_build_refuses_blanks_then_drops_the_draft_mark(small):
    refused = docgen("build", "mou", "--parties", "bali,ntb", "--final", "--out", "out", cwd=small)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: clauses/numbers.yaml:") and "still blank" in refused.stderr
    assert not (small / "out").exists()

    numbers = small / "clauses/numbers.yaml"
    numbers.write_text(numbers.read_text(encoding="utf-8").replace(
        "mou: {}", 'mou:\n  bali-ntb:\n    bali: "075/17/KSD/2025"\n    ntb: "120/45/PEM/2025"'), encoding="utf-8")
    provinces = small / "clauses/provinces.yaml"   # what the governors' komparisi still lacks
    provinces.write_text(provinces.read_text(encoding="utf-8").replace("kode_pos: ~", "kode_pos: '80000'").replace(
        "keputusan_presiden: {nomor: ~, tentang: ~}", "keputusan_presiden: {nomor: 1/P Tahun 2025, tentang: Uji}"),
        encoding="utf-8")
    built = docgen("build", "mou", "--parties", "bali,ntb", "--final", "--out", "out", cwd=small)
    assert built.returncode == 0, built.stderr
    import zipfile
    from pypdf import PdfReader
    with zipfile.ZipFile(small / "out/bali-ntb/mou.docx") as package:
        assert "<cp:contentStatus>Final</cp:contentStatus>" in package.read("docProps/core.xml").decode()
        assert not any("DRAF" in package.read(n).decode() for n in package.namelist() if "header" in n)
        assert "NOMOR : 075/17/KSD/2025" in package.read("word/document.xml").decode()
    assert "DRAF" not in (PdfReader(small / "out/bali-ntb/mou.pdf").metadata.get("/Keywords") or "")


def test_province_named_in_the_recitals_data(small):
    programme = small / "clauses/programme.yaml"
    text = programme.read_text(encoding="utf-8")
    programme.write_text(text.replace("memiliki potensi yang saling melengkapi",
                                      "memiliki potensi yang saling melengkapi bersama Kupang"), encoding="utf-8")
    line = next(n for n, l in enumerate(programme.read_text(encoding="utf-8").split("\n"), 1) if "bersama Kupang" in l)
    lines = reported(check(small))
    assert f"clauses/programme.yaml:{line}: 'Kupang' is named in the mou of bali-ntb, but is not a party; use the " \
           "party variables (pihak) instead of a province's name" in lines, lines


def test_a_non_utf8_annex_is_reported_not_a_crash(small):
    annex = small / "clauses/pariwisata/lampiran.yaml"
    annex.write_bytes(annex.read_bytes().replace("Penyusunan".encode(), "P\xe9nyusunan".encode("latin-1"), 1))
    lines = reported(check(small))
    assert "clauses/pariwisata/lampiran.yaml:2: not UTF-8 text; save the file as UTF-8" in lines, lines
