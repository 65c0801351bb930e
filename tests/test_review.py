"""The review loop: redlines between git revisions, the change matrix, and reviewed DOCX traced to clauses."""
import json
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from conftest import assembler_for, docgen, libreoffice_convert, request_of, small_library

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
AUTHOR = "Ni Made Ayu"


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": AUTHOR, "GIT_AUTHOR_EMAIL": "ayu@example.invalid", "GIT_COMMITTER_NAME": AUTHOR,
           "GIT_COMMITTER_EMAIL": "ayu@example.invalid", "GIT_AUTHOR_DATE": "2026-01-05T09:00:00+08:00",
           "GIT_COMMITTER_DATE": "2026-01-05T09:00:00+08:00", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env=env).stdout


@pytest.fixture
def repository(tmp_path) -> Path:
    small_library(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "pustaka klausul")
    return tmp_path


def commit_changes(root: Path) -> None:
    path = root / "clauses/common/penutup.md"
    path.write_text(path.read_text(encoding="utf-8").replace("mulai berlaku sejak", "berlaku sejak"),
                    encoding="utf-8")
    (root / "clauses/common/maksud-tujuan.md").unlink()
    (root / "clauses/common/kerahasiaan.md").write_text(
        "---\nid: kerahasiaan\ntitle: KERAHASIAAN\ndocuments: [mou]\nposition: 95\n---\n"
        "PARA PIHAK menjaga kerahasiaan data dan informasi yang diperoleh dalam pelaksanaan "
        "Nota Kesepahaman ini.\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "ubah pemantauan, tambah kerahasiaan, hapus keadaan kahar")


def changes(path: Path) -> list[dict]:
    result = docgen("review", str(path), "--format", "json", cwd=path.parents[2])
    assert result.returncode == 0, result.stderr
    return [r for r in json.loads(result.stdout) if r["kind"] != "comment"]


def numbers(root: Path) -> dict[str, int]:
    assembler = assembler_for(root)
    return {a.clause_id: a.number for a in request_of(assembler, "mou", ("bali", "ntb")).articles}


def test_redline_has_exactly_the_changes_made(repository):
    old = numbers(repository)
    commit_changes(repository)
    new = numbers(repository)
    result = docgen("redline", "--from", "HEAD~1", "--to", "HEAD", "--matrix", "bali-ntb/mou", cwd=repository)
    assert result.returncode == 0, result.stderr
    redline = repository / "output/bali-ntb/mou.redline.docx"
    assert (repository / "output/bali-ntb/mou.redline.pdf").exists()
    found = changes(redline)
    assert {(c["kind"], c["clause"]) for c in found} == {
        ("deletion", "penutup"), ("insertion", "kerahasiaan"), ("deletion", "maksud-tujuan")}
    edited = [c for c in found if c["clause"] == "penutup"]
    assert [c["text"] for c in edited] == ["mulai"]
    assert {c["author"] for c in found} == {AUTHOR} and {c["date"] for c in found} == {"2026-01-05T01:00:00Z"}
    xml = zipfile.ZipFile(redline).read("word/document.xml")
    tree = etree.fromstring(xml)
    assert len(tree.findall(f".//{{{W}}}ins")) > 0 and len(tree.findall(f".//{{{W}}}delText")) > 0

    libreoffice_convert([redline], "pdf", repository / "lo")
    shown = subprocess.run(["pdftotext", "-raw", str(repository / "lo/mou.redline.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "KERAHASIAAN" in shown and "MAKSUD DAN TUJUAN" in shown  # inserted and deleted both kept

    matrix = docx.Document(str(repository / "output/bali-ntb/mou.matriks.docx"))
    table = matrix.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Pasal", "Rumusan Semula", "Rumusan Menjadi", "Tanggapan PIHAK KESATU",
                      "Tanggapan PIHAK KEDUA"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [f"– → {new['kerahasiaan']}", f"{old['penutup']} → {new['penutup']}",
                                    f"{old['maksud-tujuan']} → –"]
    assert "mulai berlaku" in rows[1][1] and "mulai" not in rows[1][2]
    assert all(r[3] == "" and r[4] == "" for r in rows)


def test_renumbering_alone_changes_nothing_but_the_new_clause(repository):
    (repository / "clauses/common/asas.md").write_text(
        "---\nid: asas\ntitle: ASAS\ndocuments: [mou]\nposition: 5\n---\n"
        "Kerja sama dilaksanakan berdasarkan asas saling menguntungkan.\n", encoding="utf-8")
    git(repository, "add", "-A")
    git(repository, "commit", "-qm", "tambah asas")
    result = docgen("redline", "--from", "HEAD~1", "--to", "HEAD", "mou", "pks-pariwisata", cwd=repository)
    assert result.returncode == 0, result.stderr
    assert "unchanged bali-ntb/pks-pariwisata" in result.stdout
    found = changes(repository / "output/ntb-ntt/mou.redline.docx")
    assert found and {c["clause"] for c in found} == {"asas"}
    assert {c["kind"] for c in found} == {"insertion"}


def add_comment_and_change(source: Path, target: Path, phrase: str) -> None:
    document = docx.Document(str(source))
    paragraph = next(p for p in document.paragraphs if phrase in p.text)
    document.add_comment(paragraph.runs[-1], text="Mohon ditinjau kembali.", author="Biro Hukum NTB",
                         initials="BH")
    inserted = etree.SubElement(paragraph._p, f"{{{W}}}ins", {f"{{{W}}}id": "901", f"{{{W}}}author": "Bappeda NTT",
                                                            f"{{{W}}}date": "2026-02-01T00:00:00Z"})
    run = etree.SubElement(inserted, f"{{{W}}}r")
    etree.SubElement(run, f"{{{W}}}t").text = " serta hibah"
    document.save(str(target))


def line_of(path: Path, phrase: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if phrase in line)


def test_review_traces_a_comment_and_a_change_to_their_clause_file(tmp_path):
    root = small_library(tmp_path / "kecil")
    out = tmp_path / "out"
    assert docgen("build", "mou", "--parties", "bali,ntb", "--format", "docx", "--out", str(out),
                  cwd=root).returncode == 0
    reviewed = tmp_path / "ditinjau.docx"
    phrase = "mulai berlaku sejak"
    add_comment_and_change(out / "bali-ntb/mou.docx", reviewed, phrase)
    result = docgen("review", str(reviewed), "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    remarks = json.loads(result.stdout)
    where = f"clauses/common/penutup.md:{line_of(root / 'clauses/common/penutup.md', phrase)}"
    pasal = numbers(root)["penutup"]
    comment = next(r for r in remarks if r["kind"] == "comment")
    change = next(r for r in remarks if r["kind"] == "insertion")
    assert (comment["clause"], comment["source"], comment["author"]) == ("penutup", where, "Biro Hukum NTB")
    assert (change["clause"], change["source"], change["text"]) == ("penutup", where, "serta hibah")
    assert comment["pasal"] == change["pasal"] == pasal
    text = docgen("review", str(reviewed), cwd=root).stdout
    assert f"{where}: Pasal {pasal} [penutup] comment by Biro Hukum NTB" in text


def test_clause_anchors_survive_a_round_trip_through_libreoffice(tmp_path):
    root = small_library(tmp_path / "kecil")
    out = tmp_path / "out"
    assert docgen("build", "pks", "--parties", "bali,ntb", "--sector", "pariwisata", "--format", "docx",
                  "--out", str(out), cwd=root).returncode == 0
    original = out / "bali-ntb/pks-pariwisata.docx"
    libreoffice_convert([original], "docx:MS Word 2007 XML", tmp_path / "lo")
    resaved = tmp_path / "lo/pks-pariwisata.docx"
    from docgen.review import anchors
    assembler = assembler_for(root)
    articles = request_of(assembler, "pks", ("bali", "ntb"), "pariwisata").articles
    assert anchors(resaved) == anchors(original) == [a.clause_id for a in articles]
    reviewed = tmp_path / "ditinjau.docx"
    add_comment_and_change(resaved, reviewed, "Perjanjian Kerja Sama ini berlaku untuk jangka waktu")
    remarks = json.loads(docgen("review", str(reviewed), "--format", "json", cwd=root).stdout)
    assert {r["clause"] for r in remarks} == {"pks-jangka-waktu"}


def test_review_refuses_a_docx_docgen_did_not_make(tmp_path):
    other = tmp_path / "lain.docx"
    document = docx.Document()
    document.add_paragraph("Surat biasa.")
    document.save(str(other))
    result = docgen("review", str(other))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {other}: not a DOCX made by docgen: it has no clause anchors " \
                                    "(bookmarks K_…); review a file that docgen built"
