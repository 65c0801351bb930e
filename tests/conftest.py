"""Shared fixtures: the project, a full build read back by real consumers, small libraries."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import yaml

from docgen import library
from docgen.assemble import Assembler, Options
from docgen.catalogue import Request

PROJECT = Path(__file__).resolve().parent.parent
LIBRARIES = Path(__file__).resolve().parent / "libraries"
F4_BOTTOM_MARGIN_PT = 3.5 / 2.54 * 72   # the footer with the paraf boxes lives in the bottom margin


def docgen(*args: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the docgen command as a user would."""
    return subprocess.run([sys.executable, "-m", "docgen", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


def words(text: str) -> list[str]:
    """Whitespace-normalised words; a word hyphenated, or a number broken after a slash, over a line end is
    joined again."""
    text = text.replace("\ufeff", "").replace("\u00ad", "")
    text = re.sub(r"(\w)([-–])\s*\n\s*(\w)", r"\1\2\3", text)
    text = re.sub(r"(\w/)\s*\n\s*(\w)", r"\1\2", text)   # a number broken after a slash: 120/45/KSD/ 2025
    return text.split()


def pdf_body_text(path: Path) -> str:
    """The text of a PDF without the footer (page number, paraf boxes), in content order."""
    from pypdf import PdfReader
    box = PdfReader(path).pages[0].mediabox
    width, height = float(box.width), float(box.height)
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", "0", "-W", str(int(width)),
                             "-H", str(int(height - F4_BOTTOM_MARGIN_PT)), str(path), "-"],
                            capture_output=True, text=True, check=True)
    return result.stdout


def pdf_full_text(path: Path) -> list[str]:
    """Each page's whole text, footer included."""
    from pypdf import PdfReader
    return [page.extract_text() for page in PdfReader(path).pages]


def libreoffice_convert(files: list[Path], target: str, outdir: Path) -> None:
    """Open and convert documents with LibreOffice headless, the way a Word-compatible consumer reads them.

    LibreOffice finds the shipped fonts (templates/fonts) besides the system's: it renders Arial with
    Liberation Sans, as Word renders it with Arial, whose metrics are the same."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".profile"
    fonts = outdir / ".fonts.conf"
    fonts.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                     '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                     f'<dir>{PROJECT / "templates" / "fonts"}</dir><cachedir>{outdir / ".fontcache"}</cachedir>'
                     '</fontconfig>\n', encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=900,
                   env={**os.environ, "FONTCONFIG_FILE": str(fonts)})


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Every document of the shipped library, built once by the CLI."""
    out = tmp_path_factory.mktemp("output")
    result = docgen("build", "all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def docx_text(built, tmp_path_factory) -> dict[Path, str]:
    """Text of every DOCX as LibreOffice reads it, keyed by the DOCX path."""
    files = sorted(built.rglob("*.docx"))
    texts = {}
    for combination in sorted({f.parent for f in files}):
        outdir = tmp_path_factory.mktemp("lo-" + combination.name)
        group = [f for f in files if f.parent == combination]
        libreoffice_convert(group, "txt:Text (encoded):UTF8", outdir)
        for f in group:
            texts[f] = (outdir / (f.stem + ".txt")).read_text(encoding="utf-8")
    return texts


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of clauses/ and templates/ that a test may change."""
    for folder in ("clauses", "templates"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="module")
def sandbox_root():
    """One copy of clauses/ and templates/ for a whole test module; its tests restore what they change."""
    root = Path(tempfile.mkdtemp())
    for folder in ("clauses", "templates"):
        shutil.copytree(PROJECT / folder, root / folder)
    yield root
    shutil.rmtree(root)


def assembler_for(root: Path, **options) -> Assembler:
    return Assembler(library.load(root), Options(**options))


@pytest.fixture(scope="session")
def shipped() -> Assembler:
    """The shipped library, assembled in process (no rendering)."""
    return assembler_for(PROJECT)


def small_library(root: Path, provinces: int = 3) -> Path:
    """The small test library (tests/libraries/kecil) with the project's templates, in `root`;
    with provinces=4, a fourth province (tests/libraries/keempat.yaml) joins it."""
    shutil.copytree(LIBRARIES / "kecil" / "clauses", root / "clauses")
    shutil.copytree(PROJECT / "templates", root / "templates")
    if provinces == 4:
        extra = yaml.safe_load((LIBRARIES / "keempat.yaml").read_text(encoding="utf-8"))
        for name, additions in extra.items():
            path = root / "clauses" / f"{name}.yaml"
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if name == "provinces":
                data.update(additions)
            else:
                for key, value in additions.items():
                    data[key].update(value)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture
def small(tmp_path) -> Path:
    """A small library of three provinces and two sectors that a test may change."""
    return small_library(tmp_path / "kecil")


@pytest.fixture
def four(tmp_path) -> Path:
    """The small library with a fourth province."""
    return small_library(tmp_path / "empat", provinces=4)


def request_of(assembler: Assembler, kind: str, codes: tuple[str, ...], sector: str | None = None):
    """The tree of one document: the MoU, or the PKS of a sector, for these parties."""
    return assembler.agreement(assembler.catalogue.requests(kind, tuple(codes), sector)[0])


def first_two(assembler: Assembler) -> tuple[str, str]:
    """The first two provinces of a library, the parties of its smallest documents."""
    codes = list(assembler.library.provinces)
    return codes[0], codes[1]


@pytest.fixture(scope="session")
def shipped_documents(shipped) -> dict:
    """Every document of the shipped catalogue assembled in process: (combination, file stem) → tree."""
    return {(r.combination, r.name): shipped.agreement(r) for r in shipped.catalogue.requests()}
