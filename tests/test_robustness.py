"""No bad input gets through: arbitrary clause text, interrupted builds, concurrent builds."""
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import PROJECT, assembler_for, request_of, small_library, words

from docgen import writers
from docgen.errors import DocgenError

SYNTAX = set("{}%#[]") | {"- ", "+ "}
TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F, blacklist_categories=("Cc", "Cs"))
               | st.sampled_from("–—…‘’“”<>&{}%#"), min_size=1, max_size=80)


@pytest.fixture(scope="module")
def sandbox_root():
    root = Path(tempfile.mkdtemp())
    small_library(root / "kecil")
    yield root / "kecil"
    shutil.rmtree(root)


def written(agreement, assembler, fmt: str) -> bytes:
    context = writers.Context(assembler.templates, __import__("datetime").datetime(2025, 11, 25),
                              assembler.language)
    return writers.get(fmt).write(agreement, context)


def docx_words(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "uji.docx"
    path.write_bytes(data)
    import docx
    return words("\n".join(p.text for p in docx.Document(str(path)).paragraphs))


def pdf_words(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "uji.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True)
    return words(out.stdout)


def contains(haystack: list[str], needle: list[str]) -> bool:
    return " ".join(needle) in " ".join(haystack)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_arbitrary_clause_text_is_printed_literally_or_refused_cleanly(sandbox_root, text):
    clause = sandbox_root / "clauses/common/uji.md"
    clause.write_text("---\nid: uji\ntitle: UJI\ndocuments: [mou]\nposition: 125\n---\n" + text + "\n",
                      encoding="utf-8")
    try:
        assembler = assembler_for(sandbox_root)
        agreement = request_of(assembler, "mou", ("bali", "ntb"))
        docx_bytes = written(agreement, assembler, "docx")
        pdf_bytes = written(agreement, assembler, "pdf")
    except DocgenError as error:
        assert str(error) and "\n" not in str(error)
        return
    expected = words(text)
    if expected and not any(mark in text for mark in SYNTAX):
        with tempfile.TemporaryDirectory() as tmp:
            assert contains(docx_words(docx_bytes, Path(tmp)), expected)
            assert contains(pdf_words(pdf_bytes, Path(tmp)), expected)


def test_markup_characters_appear_literally(sandbox_root, tmp_path):
    clause = sandbox_root / "clauses/common/uji.md"
    clause.write_text("---\nid: uji\ntitle: UJI\ndocuments: [mou]\nposition: 125\n---\n"
                      "Tanda <b>tebal</b> & </p> tetap {{ '{' }} tertulis.\n", encoding="utf-8")
    assembler = assembler_for(sandbox_root)
    agreement = request_of(assembler, "mou", ("bali", "ntb"))
    expected = words("Tanda <b>tebal</b> & </p> tetap { tertulis.")
    assert contains(docx_words(written(agreement, assembler, "docx"), tmp_path), expected)
    assert contains(pdf_words(written(agreement, assembler, "pdf"), tmp_path), expected)


def complete(path: Path) -> bool:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as package:
            return package.testzip() is None and "word/document.xml" in package.namelist()
    return path.read_bytes().rstrip().endswith(b"%%EOF") and len(PdfReader(path).pages) > 0


def start_build(out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "docgen", "build", "all", "--out", str(out)], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_files(out: Path, count: int) -> None:
    deadline = time.time() + 120
    while len([p for p in out.rglob("*") if p.suffix in (".docx", ".pdf")]) < count:
        assert time.time() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_build_leaves_only_complete_files(tmp_path, sig):
    process = start_build(tmp_path)
    wait_for_files(tmp_path, 3)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in stderr
    assert not list(tmp_path.rglob("*.tmp"))
    written = [p for p in tmp_path.rglob("*") if p.suffix in (".docx", ".pdf")]
    assert written and all(complete(p) for p in written)


def test_killed_build_leaves_no_partial_document_and_the_next_build_cleans_up(tmp_path):
    process = start_build(tmp_path)
    wait_for_files(tmp_path, 3)
    process.kill()
    process.wait(timeout=60)
    documents = [p for p in tmp_path.rglob("*") if p.suffix in (".docx", ".pdf")]
    assert documents and all(complete(p) for p in documents)
    result = subprocess.run([sys.executable, "-m", "docgen", "build", "mou", "--parties", "bali,ntb",
                             "--format", "docx", "--out", str(tmp_path)], cwd=PROJECT, capture_output=True)
    assert result.returncode == 0
    assert not list(tmp_path.rglob("*.tmp"))


def test_two_builds_at_once_into_the_same_folder(tmp_path):
    root = small_library(tmp_path / "kecil")
    out = tmp_path / "out"
    args = [sys.executable, "-m", "docgen", "build", "pks", "--parties", "bali,ntb", "--out", str(out)]
    first = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert second.wait(timeout=600) == 0, second.stderr.read()
    written = [p for p in out.rglob("*") if p.suffix in (".docx", ".pdf")]
    pks = assembler_for(root).catalogue.requests("pks", ("bali", "ntb"))
    assert len(written) == 2 * len(pks) and all(complete(p) for p in written)
    assert not list(out.rglob("*.tmp"))
