"""Incremental, parallel and reproducible builds."""
import hashlib
from pathlib import Path

from conftest import assembler_for, docgen


def outputs(root: Path, *args: str) -> int:
    """How many files `docgen build all` with these arguments writes in the default formats."""
    assembler = assembler_for(root)
    parties = tuple(args[args.index("--parties") + 1].split(",")) if "--parties" in args else None
    return 2 * len(assembler.catalogue.requests("all", parties))


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.suffix in (".docx", ".pdf")}


def build(root: Path, out: Path, *args: str, env=None):
    result = docgen("build", *args, "--out", str(out), cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_clean_builds_are_byte_identical(small, tmp_path):
    for out in ("a", "b"):
        build(small, tmp_path / out, "all", "--parties", "bali,ntb")
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert len(first) == outputs(small, "--parties", "bali,ntb") and first == second


def test_source_date_epoch_sets_the_document_dates(small, tmp_path):
    build(small, tmp_path / "a", "mou", "--parties", "bali,ntb", "--format", "docx",
          env={"SOURCE_DATE_EPOCH": "1767225600"})
    import zipfile
    core = zipfile.ZipFile(tmp_path / "a/bali-ntb/mou.docx").read("docProps/core.xml").decode()
    assert "2026-01-01T00:00:00Z" in core


def test_no_op_rebuild_writes_nothing_and_an_edit_rebuilds_only_its_documents(small, tmp_path):
    out = tmp_path / "out"
    build(small, out, "all", "--parties", "bali,ntb")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.suffix in (".docx", ".pdf")}
    total = outputs(small, "--parties", "bali,ntb")
    assert build(small, out, "all", "--parties", "bali,ntb").strip().endswith(
        f"0 written, {total} up to date, in " + str(out) + "/")
    clause = small / "clauses/pariwisata/pks-ruang-lingkup.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("rencana aksi", "rencana aksi terpadu", 1),
                      encoding="utf-8")
    report = build(small, out, "all", "--parties", "bali,ntb")
    assert f"2 written, {total - 2} up to date" in report
    changed = {p for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    assert {p.name for p in changed} == {"pks-pariwisata.docx", "pks-pariwisata.pdf"}
    # an option is an input too
    assert "2 written" in build(small, out, "mou", "--parties", "bali,ntb", "--paper", "A4")


def test_parallel_and_serial_builds_agree_in_bytes_and_in_order(small, tmp_path):
    serial = build(small, tmp_path / "one", "pks", "--parties", "ntb,ntt", "--jobs", "1")
    parallel = build(small, tmp_path / "two", "pks", "--parties", "ntb,ntt", "--jobs", "2")
    assert serial.replace("/one/", "/X/") == parallel.replace("/two/", "/X/")
    assert digests(tmp_path / "one") == digests(tmp_path / "two")


def test_a_writer_option_rebuilds_only_that_writers_files(small, tmp_path):
    out = tmp_path / "out"
    build(small, out, "mou", "--parties", "bali,ntb")
    assert "1 written, 1 up to date" in build(small, out, "mou", "--parties", "bali,ntb", "--plain-numbers")


def test_html_is_a_standalone_page_with_the_pdf_css_and_referenced_fonts(small, tmp_path):
    import re
    build(small, tmp_path, "mou", "--parties", "bali,ntb", "--format", "html")
    page = (tmp_path / "bali-ntb/mou.html").read_text(encoding="utf-8")
    css = (small / "templates/pdf/agreement.css").read_text(encoding="utf-8")
    assert css.strip() in page and '<link rel="stylesheet"' not in page
    fonts = re.findall(r'src: url\("([^"]+)"\)', page)
    assert fonts and all(url.startswith("file://") and Path(url[7:]).is_file() for url in fonts)
    # a browser's reading of it: the same words as the text writer gives
    from html.parser import HTMLParser

    class Words(HTMLParser):
        def __init__(self):
            super().__init__()
            self.words, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "title")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "title")

        def handle_data(self, data):
            if not self.skip:
                self.words += data.split()

    reader = Words()
    reader.feed(page)
    from docgen.writers.text import text
    from conftest import request_of
    assembler = assembler_for(small)
    expected = text(request_of(assembler, "mou", ("bali", "ntb")), assembler.language).split()
    # a blank is an element of its own: punctuation right after it arrives as a separate piece of text
    from docgen.model import DOTS
    joined = re.sub(f"{DOTS} ([,.;])", f"{DOTS}\\1", " ".join(reader.words))
    assert " ".join(expected[:200]) in joined


def test_the_page_a_preview_calls_needs_only_the_tree_and_the_templates(small):
    from docgen.writers import html
    from conftest import request_of
    assembler = assembler_for(small)
    agreement = request_of(assembler, "pks", ("bali", "ntt"), "perhubungan")
    page = html.page(agreement, small / "templates", font_url=lambda path: f"/fonts/{path.name}")
    assert page.startswith("<!DOCTYPE html>") and 'url("/fonts/' in page
    assert "dcterms.created" not in page
    for province in ("bali", "ntt"):
        assert assembler.library.agencies["perhubungan"][province]["nama"] in page


def test_an_unknown_format_is_an_error_never_a_fallback():
    import pytest
    from docgen import writers
    from docgen.errors import DocgenError
    with pytest.raises(DocgenError, match="unknown format 'odt'"):
        writers.get("odt")
    assert [w.name for w in writers.chosen("all")] == ["docx", "pdf"]


WORKERS_PROBE = """
import sys
from pathlib import Path
from types import SimpleNamespace
from docgen import build, writers

def probe(task):
    return tuple(name for name in ("docgen.writers.pdf", "weasyprint", "docgen.writers.docx", "docx")
                 if name in sys.modules)

build.perform = probe
task = build.Task(SimpleNamespace(articles=[]), (build.Output(writers.get("pdf"), Path("x.pdf"), ""),), None)
print(sorted(set(build.run([task] * 4, 2))), "weasyprint" in sys.modules)
"""


def test_workers_import_their_writers_before_the_first_document_and_a_no_op_build_none(small, tmp_path):
    import subprocess
    import sys
    probe = subprocess.run([sys.executable, "-c", WORKERS_PROBE], capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    # each worker found the PDF writer loaded when its first document came; the parent never loaded it
    assert probe.stdout.split() == ["[('docgen.writers.pdf',", "'weasyprint')]", "False"]
    out = tmp_path / "out"
    build(small, out, "mou", "--parties", "bali,ntb")
    noop = subprocess.run([sys.executable, "-c", "import sys; from docgen.cli import main\n"
                           f"main(['build', 'mou', '--parties', 'bali,ntb', '--out', {str(out)!r}])\n"
                           "print(sorted(m for m in ('weasyprint', 'docx') if m in sys.modules))"],
                          capture_output=True, text=True, cwd=small)
    assert noop.returncode == 0, noop.stderr
    assert noop.stdout.splitlines() == ["0 written, 2 up to date, in " + str(out) + "/", "[]"]
