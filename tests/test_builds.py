"""Incremental, parallel and reproducible builds."""
import hashlib
from pathlib import Path

from conftest import assembler_for, docgen
from docgen import build as builder


def files_of(root: Path, what: str, parties: tuple[str, ...]) -> int:
    """How many files `docgen build WHAT --parties …` writes, from the catalogue (DOCX and PDF of each)."""
    return 2 * len(builder.requests(assembler_for(root), what, parties, None))


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.suffix in (".docx", ".pdf")}


def build(root: Path, out: Path, *args: str, env=None):
    result = docgen("build", *args, "--out", str(out), cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_clean_builds_are_byte_identical(project_copy, tmp_path):
    for out in ("a", "b"):
        build(project_copy, tmp_path / out, "all", "--parties", "bali,ntb")
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert len(first) == files_of(project_copy, "all", ("bali", "ntb")) and first == second


def test_source_date_epoch_sets_the_document_dates(project_copy, tmp_path):
    build(project_copy, tmp_path / "a", "mou", "--parties", "bali,ntb", "--format", "docx",
          env={"SOURCE_DATE_EPOCH": "1767225600"})
    import zipfile
    core = zipfile.ZipFile(tmp_path / "a/bali-ntb/mou.docx").read("docProps/core.xml").decode()
    assert "2026-01-01T00:00:00Z" in core


def test_no_op_rebuild_writes_nothing_and_an_edit_rebuilds_only_its_documents(project_copy, tmp_path):
    out = tmp_path / "out"
    total = files_of(project_copy, "all", ("bali", "ntb"))
    build(project_copy, out, "all", "--parties", "bali,ntb")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.suffix in (".docx", ".pdf")}
    assert build(project_copy, out, "all", "--parties", "bali,ntb").strip().endswith(
        f"0 written, {total} up to date, in " + str(out) + "/")
    clause = project_copy / "clauses/pariwisata/pks-ruang-lingkup.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("wisatawan", "wisatawan nusantara", 1),
                      encoding="utf-8")
    report = build(project_copy, out, "all", "--parties", "bali,ntb")
    assert f"2 written, {total - 2} up to date" in report
    changed = {p for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    assert {p.name for p in changed} == {"pks-pariwisata.docx", "pks-pariwisata.pdf"}
    # an option is an input too
    assert "2 written" in build(project_copy, out, "mou", "--parties", "bali,ntb", "--paper", "A4")


def test_parallel_and_serial_builds_agree_in_bytes_and_in_order(project_copy, tmp_path):
    serial = build(project_copy, tmp_path / "one", "pks", "--parties", "ntb,ntt", "--jobs", "1")
    parallel = build(project_copy, tmp_path / "two", "pks", "--parties", "ntb,ntt", "--jobs", "2")
    assert serial.replace("/one/", "/X/") == parallel.replace("/two/", "/X/")
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
