"""After signing: the signed numbering, the adendum generated from git, the consolidated text.

Each test works on a small library under git: a three-article MoU of three provinces (Pasal 1 MAKSUD
DAN TUJUAN, Pasal 2 JANGKA WAKTU, Pasal 3 PENUTUP) is tagged as signed, then edited.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from docgen.assemble import Assembler
from docgen.history import History
from docgen.library import load
from docgen.writers import text as text_writer

from conftest import docgen, libreoffice_convert, pdf_body_text, small_library, words

GIT = ["git", "-c", "user.name=Biro Hukum", "-c", "user.email=biro.hukum@example.org"]
CHANGED = "Ketentuan Pasal 1 ayat (2) diubah sehingga Pasal 1 berbunyi sebagai berikut:"
INSERTED = "Di antara Pasal 1 dan Pasal 2 disisipkan 1 (satu) pasal, yakni Pasal 1A, sehingga berbunyi sebagai berikut:"
DELETED = "Pasal 3 dihapus."
NUMBERS = ("mou:\n  bali-ntb-ntt: {bali: 075/11/KSD/2025, ntb: 120/45/KSD/2025, ntt: BU.075/3/2025}\n"
           "adendum:\n  mou-adendum-1:\n    bali-ntb-ntt: {bali: 075/2/KSD/2026, ntb: 120/7/KSD/2026, ntt: BU.075/1/2026}\n")


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def catalogue(root: Path, *extra: str) -> None:
    """The MoU marked signed from tag mou-ditandatangani, for the three provinces; adendum entries after it."""
    (root / "clauses" / "instruments.yaml").write_text(
        "instrumen:\n  - id: mou\n    jenis: mou\n    kombinasi: [bali-ntb-ntt]\n    status: ditandatangani\n"
        "    tanggal_tanda_tangan: 2025-11-25\n    revisi: mou-ditandatangani\n" + FAMILIES + "".join(extra),
        encoding="utf-8")


# the PKS of each sector and their surat kuasa, as in the small library
FAMILIES = ("  - keluarga: bidang\n    id: pks-{bidang}\n    jenis: pks\n    induk: mou\n    bidang: [\"{bidang}\"]\n"
            "    nomor: \"{bidang}\"\n  - keluarga: bidang\n    id: surat-kuasa-pks-{bidang}\n    jenis: surat-kuasa\n"
            "    untuk: pks-{bidang}\n")


ADENDUM_1 = "  - jenis: adendum\n    mengubah: mou\n    tanggal: 2026-12-15\n    tempat: Kota Mataram\n"


@pytest.fixture
def signed(tmp_path) -> Path:
    """A three-article MoU, committed and tagged as signed; then marked signed in the catalogue."""
    root = small_library(tmp_path / "perjanjian")
    clauses = root / "clauses"
    for path in [clauses / "common" / "ruang-lingkup.md", *clauses.glob("*/mou.md")]:
        path.unlink()
    edit(clauses / "rules.yaml", "    - {judul: JANGKA WAKTU, sumber: regional practice, sumber_terverifikasi: false}\n"
         "    - {judul: PENUTUP, sumber: regional practice, sumber_terverifikasi: false}\n  pks:", "  pks:")
    edit(clauses / "instruments.yaml", "    jenis: mou\n", "    jenis: mou\n    kombinasi: [bali-ntb-ntt]\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Nota Kesepahaman sebagaimana ditandatangani")
    git(root, "tag", "mou-ditandatangani")
    catalogue(root)
    (clauses / "numbers.yaml").write_text(NUMBERS, encoding="utf-8")
    return root


def amend(root: Path) -> None:
    """(a) change ayat (2) of Pasal 1, (b) insert an article between Pasal 1 and 2 that refers to Pasal 2,
    (c) delete Pasal 3."""
    clauses = root / "clauses" / "common"
    edit(clauses / "maksud-tujuan.md", "meningkatkan kesejahteraan", "meningkatkan daya saing dan kesejahteraan")
    (clauses / "koordinasi.md").write_text(
        "---\nid: koordinasi\ntitle: KOORDINASI\ndocuments: [mou]\nposition: 40\n---\n"
        "PARA PIHAK melaksanakan koordinasi paling sedikit 1 (satu) kali dalam setahun selama jangka waktu "
        "{{ ref('jangka-waktu', 'masa') }}.\n", encoding="utf-8")
    (clauses / "penutup.md").unlink()


def history(root: Path, scratch: Path) -> tuple[History, Assembler]:
    assembler = Assembler(load(root))
    return History(assembler, scratch), assembler


def adendum_tree(root: Path, tmp_path: Path):
    found, assembler = history(root, tmp_path / "revisions")
    instrument = assembler.catalogue.instrument("mou")
    states, target = found.plan(instrument, None, None)
    return found.adendum(assembler.catalogue.requests("mou")[0], states, target), assembler


def formulas(tree) -> list[str]:
    return [point.point.content[0].value for point in tree.articles[0].amendments]


def test_the_adendum_lists_each_change_in_its_formula_in_article_order(signed, tmp_path):
    amend(signed)
    (tree, before, after), _ = adendum_tree(signed, tmp_path)
    assert formulas(tree) == [CHANGED, INSERTED, DELETED]
    assert [a.number for a in tree.articles] == ["I", "II"]
    quoted = [[(a.number, a.title) for a in point.articles] for point in tree.articles[0].amendments]
    assert quoted == [[(1, "MAKSUD DAN TUJUAN")], [("1A", "KOORDINASI")], []]
    assert "ADENDUM PERTAMA" in [text_writer.lines(tree, Assembler(load(signed)).language)[0]]


def test_the_consolidated_text_keeps_the_signed_numbers_and_references_follow_them(signed, tmp_path):
    amend(signed)
    catalogue(signed, ADENDUM_1)
    found, assembler = history(signed, tmp_path / "revisions")
    tree = found.consolidated(assembler.catalogue.requests("mou")[0])
    assert [a.number for a in tree.articles] == [1, "1A", 2, 3]
    assert [a.deleted for a in tree.articles] == [False, False, False, True]
    # the reference written in the inserted Pasal 1A to Pasal 2 prints the signed number
    inserted = assembler.language.plain(tree.articles[1].paragraphs[0].content)
    assert "sebagaimana dimaksud dalam Pasal 2 ayat (1)" in inserted
    notes = [[assembler.language.plain(n) for n in a.notes] for a in tree.articles]
    date = "tanggal 15 Desember 2026"
    numbers = "Nomor 075/2/KSD/2026, 120/7/KSD/2026 dan BU.075/1/2026"
    assert notes == [[f"Diubah dengan Adendum Pertama {numbers} {date}."],
                     [f"Disisipkan dengan Adendum Pertama {numbers} {date}."], [],
                     [f"Dihapus dengan Adendum Pertama {numbers} {date}."]]
    assert tree.title_lines[0][0].value == "NASKAH KONSOLIDASI"


def test_an_inserted_ayat_and_letter_take_the_signed_numbers_and_references_keep_theirs(signed, tmp_path):
    term = signed / "clauses" / "common" / "jangka-waktu.md"
    edit(term, "\n\n[#berakhir]", "\n\nPARA PIHAK dapat memperpanjang jangka waktu {{ ref('jangka-waktu', 'masa') }} "
               "berdasarkan hasil evaluasi bersama.\n\n[#berakhir]")
    edit(term, "- [#tercapai]", "- salah satu PIHAK mengakhirinya dengan pemberitahuan tertulis\n- [#tercapai]")
    (tree, before, after), assembler = adendum_tree(signed, tmp_path)
    article = next(a for a in after.articles if a.clause_id == "jangka-waktu")
    assert [p.number for p in article.paragraphs] == [1, "1a", 2, 3]
    assert [assembler.language.item_label(i) for i in article.paragraphs[2].items] == ["a.", "a1.", "b.", "c."]
    # ayat (3) still refers to ayat (2) huruf b, as signed, though both moved down in the text
    assert "sebagaimana dimaksud pada ayat (2) huruf b" in assembler.language.plain(article.paragraphs[3].content)
    assert formulas(tree) == ["Ketentuan Pasal 2 ayat (2) diubah dan di antara ayat (1) dan ayat (2) disisipkan "
                              "1 (satu) ayat, yakni ayat (1a) sehingga Pasal 2 berbunyi sebagai berikut:"]


def test_two_successive_adenda(signed, tmp_path):
    amend(signed)
    catalogue(signed, ADENDUM_1)
    git(signed, "add", "-A")
    git(signed, "commit", "-qm", "Adendum Pertama")
    git(signed, "tag", "adendum-pertama")
    catalogue(signed, ADENDUM_1.replace("    tempat", "    status: ditandatangani\n    tanggal_tanda_tangan: 2026-12-15\n"
                                        "    revisi: adendum-pertama\n    tempat"),
              "  - jenis: adendum\n    mengubah: mou\n    tanggal: 2027-06-01\n    tempat: Kota Kupang\n")
    edit(signed / "clauses" / "common" / "maksud-tujuan.md", "daya saing", "daya saing, konektivitas,")
    (tree, before, after), assembler = adendum_tree(signed, tmp_path)
    lines = text_writer.lines(tree, assembler.language)
    assert lines[0] == "ADENDUM KEDUA"
    assert formulas(tree) == [CHANGED]
    found, _ = history(signed, tmp_path / "again")
    consolidated = found.consolidated(assembler.catalogue.requests("mou")[0])
    notes = [assembler.language.plain(n) for n in consolidated.articles[0].notes]
    assert [n.split(" Nomor")[0] for n in notes] == ["Diubah dengan Adendum Pertama", "Diubah dengan Adendum Kedua"]
    assert "tanggal 1 Juni 2027" in notes[1]
    # the recitals cite the amended MoU and the first adendum by their numbers and dates
    body = " ".join(lines)
    assert "telah diubah dengan Adendum Pertama Nomor 075/2/KSD/2026" in body
    assert "pada hari Selasa, tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima" in body
    # the governors sign as they signed the MoU: in office by a Keputusan Presiden
    assert body.count(", dalam jabatannya berdasarkan Keputusan Presiden Nomor") == 3


def test_docgen_adendum_writes_docx_pdf_and_redline_with_the_same_words(signed, tmp_path):
    amend(signed)
    catalogue(signed, ADENDUM_1)
    out = tmp_path / "out"
    result = docgen("adendum", "mou", "--from", "mou-ditandatangani", "--out", str(out), cwd=signed)
    assert result.returncode == 0, result.stderr
    folder = out / "bali-ntb-ntt"
    assert sorted(p.name for p in folder.iterdir()) == ["mou-adendum-1.docx", "mou-adendum-1.pdf",
                                                       "mou-adendum-1.redline.docx", "mou-adendum-1.redline.pdf"]
    converted = tmp_path / "lo"
    libreoffice_convert([folder / "mou-adendum-1.docx"], "txt:Text (encoded):UTF8", converted)
    docx_words = words((converted / "mou-adendum-1.txt").read_text(encoding="utf-8"))
    pdf_words = words(pdf_body_text(folder / "mou-adendum-1.pdf"))
    body = lambda found: [w for w in found if w != "DRAF"]
    assert body(docx_words) == body(pdf_words)
    text = " ".join(docx_words)
    for formula in (CHANGED, INSERTED, DELETED):
        assert formula in text
    assert text.index(CHANGED) < text.index(INSERTED) < text.index(DELETED)
    pandoc = subprocess.run(["pandoc", "-t", "plain", str(folder / "mou-adendum-1.redline.docx"),
                             "--track-changes=all"], capture_output=True, text=True, check=True).stdout
    assert "daya saing dan" in pandoc and "KOORDINASI" in pandoc


def test_building_a_signed_instrument_keeps_its_numbers_and_the_signed_text_is_rebuilt_as_it_was(signed, tmp_path):
    amend(signed)
    out = tmp_path / "out"
    result = docgen("build", "mou", "--format", "text", "--out", str(out), cwd=signed)
    assert result.returncode == 0, result.stderr
    body = (out / "bali-ntb-ntt" / "mou.txt").read_text(encoding="utf-8").split("\n")
    headings = [line for line in body if re.fullmatch(r"Pasal \w+", line)]
    assert headings == ["Pasal 1", "Pasal 1A", "Pasal 2", "Pasal 3"]
    assert body[body.index("Pasal 3") + 1] == "Dihapus."
    # the text as signed, built from its tag today, is byte for byte what building the tag gives
    result = docgen("build", "mou", "--signed", "--format", "docx", "--out", str(out), cwd=signed)
    assert result.returncode == 0, result.stderr
    then = tmp_path / "then"
    git(signed, "worktree", "add", "-q", str(then), "mou-ditandatangani")
    result = docgen("build", "mou", "--format", "docx", "--out", str(tmp_path / "out-then"), cwd=then)
    assert result.returncode == 0, result.stderr
    assert ((out / "bali-ntb-ntt" / "mou.ditandatangani.docx").read_bytes()
            == (tmp_path / "out-then" / "bali-ntb-ntt" / "mou.docx").read_bytes())


def test_check_warns_when_a_signed_text_changes_without_an_adendum(signed):
    result = docgen("check", cwd=signed)
    assert "differs from the one signed" not in result.stderr
    amend(signed)
    result = docgen("check", cwd=signed)
    warned = [line for line in result.stderr.splitlines() if "differs from the one signed" in line]
    assert warned and warned[0].startswith("clauses/instruments.yaml:7: the text of mou for bali-ntb-ntt")
    catalogue(signed, ADENDUM_1)
    assert "differs from the one signed" not in docgen("check", cwd=signed).stderr


@pytest.mark.parametrize("args, message", [
    (("--from", "no-such-tag"), "has no revision 'no-such-tag'"),
    (("--from", "HEAD"), "is not a revision mou was signed or amended from"),
])
def test_a_wrong_revision_is_one_line(signed, args, message, tmp_path):
    amend(signed)
    git(signed, "add", "-A")
    git(signed, "commit", "-qm", "Rancangan perubahan")   # HEAD is now a text that was never signed
    result = docgen("adendum", "mou", *args, "--out", str(tmp_path / "out"), cwd=signed)
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_unsigned_instrument_needs_the_revision_it_was_signed_from(signed, tmp_path):
    edit(signed / "clauses" / "instruments.yaml", "    status: ditandatangani\n", "")
    edit(signed / "clauses" / "instruments.yaml", "    tanggal_tanda_tangan: 2025-11-25\n    revisi: mou-ditandatangani\n", "")
    result = docgen("adendum", "mou", cwd=signed)
    assert result.returncode == 1 and "give --from" in result.stderr
    amend(signed)
    result = docgen("adendum", "mou", "--from", "mou-ditandatangani", "--format", "text", cwd=signed)
    assert result.returncode == 0, result.stderr
    assert (signed / "output" / "bali-ntb-ntt" / "mou-adendum-1.txt").exists()


def test_the_preview_shows_a_signed_instrument_with_its_signed_numbers(signed, monkeypatch):
    from docgen.preview import Preview
    amend(signed)
    monkeypatch.chdir(signed)
    preview = Preview(signed)
    preview.reload()
    entry = preview.document("bali-ntb-ntt/mou")
    assert entry.error is None
    headings = re.findall(r'class="nomor-pasal"[^>]*>(Pasal \w+)<', entry.good.body)
    assert headings == ["Pasal 1", "Pasal 1A", "Pasal 2", "Pasal 3"]


def test_the_adendum_of_a_pks_names_it_as_its_own_frame_does_and_is_signed_as_it_is(signed, tmp_path):
    edit(signed / "clauses" / "pks" / "pks-maksud-tujuan.md", "\n", "\n", )
    path = signed / "clauses" / "pks" / "pks-maksud-tujuan.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\nPARA PIHAK menyampaikan laporan "
                    "pelaksanaan kerja sama setiap 6 (enam) bulan.\n", encoding="utf-8")
    found, assembler = history(signed, tmp_path / "revisions")
    instrument = assembler.catalogue.instrument("pks-pariwisata")
    states, target = found.plan(instrument, "mou-ditandatangani", None)
    tree, _, _ = found.adendum(assembler.catalogue.requests("pks-pariwisata")[0], states, target)
    lines = text_writer.lines(tree, assembler.language)
    assert lines[:3] == ["ADENDUM PERTAMA", "ATAS", "PERJANJIAN KERJA SAMA"]
    assert "KERJA SAMA BIDANG PARIWISATA" in lines
    assert tree.title.startswith("Adendum Pertama atas Perjanjian Kerja Sama tentang kerja sama bidang pariwisata")
    assert [s.office[0].value.split("\n")[0] for s in tree.signatures] == ["UNTUK DAN ATAS NAMA"] * 3
    assert not any("Keputusan Presiden" in line for line in lines)   # heads of agencies sign a PKS
    assert formulas(tree) == ["Ketentuan Pasal 1 ditambah 1 (satu) ayat, yakni ayat (3) sehingga Pasal 1 berbunyi "
                              "sebagai berikut:"]


def test_an_article_added_after_the_last_takes_the_next_number(signed, tmp_path):
    (signed / "clauses" / "common" / "lampiran-teknis.md").write_text(
        "---\nid: lampiran-teknis\ntitle: KETENTUAN LAIN-LAIN\ndocuments: [mou]\nposition: 200\n---\n"
        "Hal teknis yang belum diatur dalam {{ dokumen.nama }} ini disepakati PARA PIHAK secara tertulis.\n",
        encoding="utf-8")
    (tree, before, after), _ = adendum_tree(signed, tmp_path)
    assert [a.number for a in after.articles] == [1, 2, 3, 4]
    assert formulas(tree) == ["Setelah Pasal 3 ditambahkan 1 (satu) pasal, yakni Pasal 4, sehingga berbunyi "
                              "sebagai berikut:"]


@pytest.mark.parametrize("entry, message", [
    ("  - jenis: adendum\n    mengubah: mou\n    pasal: 3\n", "unknown key 'pasal' for an adendum"),
    ("  - jenis: adendum\n    tanggal: 2026-12-15\n", "an adendum needs 'mengubah:'"),
    ("  - jenis: adendum\n    mengubah: mou-lama\n", "mengubah names no MoU or PKS of the catalogue ('mou-lama')"),
    ("  - jenis: adendum\n    mengubah: mou\n    status: ditandatangani\n", "needs tanggal_tanda_tangan"),
    ("  - jenis: adendum\n    mengubah: mou\n    tanggal: 15-12-2026\n", "tanggal must be a date written YYYY-MM-DD"),
    (ADENDUM_1 + ADENDUM_1, "an earlier adendum of 'mou' is not signed yet"),
])
def test_a_wrong_adendum_entry_is_one_line_at_its_place(signed, entry, message):
    catalogue(signed, entry)
    result = docgen("adendum", "mou", cwd=signed)
    assert result.returncode == 1, result.stdout
    assert re.fullmatch(r"error: clauses/instruments\.yaml:\d+: .*\n", result.stderr), result.stderr
    assert message in result.stderr
    assert not (signed / "output").exists()


def test_articles_inserted_together_are_one_change(signed, tmp_path):
    for name, position, title in (("pelaporan", 40, "PELAPORAN"), ("evaluasi", 50, "EVALUASI")):
        (signed / "clauses" / "common" / f"{name}.md").write_text(
            f"---\nid: {name}\ntitle: {title}\ndocuments: [mou]\nposition: {position}\n---\n"
            f"PARA PIHAK melaksanakan {name} kerja sama secara bersama.\n", encoding="utf-8")
    (tree, before, after), _ = adendum_tree(signed, tmp_path)
    assert [a.number for a in after.articles] == [1, "1A", "1B", 2, 3]
    assert formulas(tree) == ["Di antara Pasal 1 dan Pasal 2 disisipkan 2 (dua) pasal, yakni Pasal 1A dan Pasal 1B, "
                              "sehingga berbunyi sebagai berikut:"]
    assert [a.title for a in tree.articles[0].amendments[0].articles] == ["PELAPORAN", "EVALUASI"]
