"""Hostile and careless input, class by class: nothing a clause, a data file, a reviewed DOCX or a
command-line argument contains may leak a file, destroy data, hang the build or leave a wrong document."""
from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT, assembler_for

from docgen import build, library, sandbox, writers
from docgen.catalogue import Request
from docgen.cli import main
from docgen.errors import DocgenError
from docgen.writers import text as text_writer

HEADER = "---\nid: uji\ntitle: UJI\ndocuments: [mou]\nposition: 125\n---\n"
ONE_LINE = re.compile(r"^[^\n]+:\d+: [^\n]+$")
HYPOTHESIS = settings(max_examples=25, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def root(sandbox_root):
    return sandbox_root


class Edits:
    """Changes to files of the module's copy, each undone by restore()."""

    def __init__(self, root: Path):
        self.root, self.saved = root, {}

    def __call__(self, relative: str, text: str) -> Path:
        path = self.root / relative
        if relative not in self.saved:
            self.saved[relative] = path.read_bytes() if path.exists() else None
        path.write_text(text, encoding="utf-8")
        return path

    def restore(self) -> None:
        for relative, data in self.saved.items():
            path = self.root / relative
            if path.exists() or path.is_symlink():
                path.unlink()
            if data is not None:
                path.write_bytes(data)
        self.saved = {}


def restoring(test):
    """For a property test: undo the edits of each example before the next one."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            test(*args, **kwargs)
        finally:
            kwargs["edit"].restore()
    return run


@pytest.fixture
def edit(root):
    """edit(relative path, new text): change a file of the module's copy, undone after the test (and after
    each example of a property test, which calls edit.restore())."""
    edits = Edits(root)
    yield edits
    edits.restore()


def refused(root: Path, codes=("bali", "ntb")) -> DocgenError:
    """Load and assemble the MoU of `codes`; the DocgenError it must end in."""
    with pytest.raises(DocgenError) as caught:
        assembler_for(root).agreement(Request("mou", codes))
    return caught.value


def original(root: Path, relative: str) -> str:
    return (PROJECT / relative).read_text(encoding="utf-8")


def run_cli(cwd: Path, *args: str):
    """The docgen command, in process (fast), from `cwd`."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(previous)


def assert_one_line(result, *fragments):
    assert result.exit_code != 0
    text = result.stderr.strip()
    assert "Traceback" not in result.output + text and "internal error" not in text, text
    assert len(text.split("\n")) == 1, text
    for fragment in fragments:
        assert fragment in text, text


# ---- 1. one loader, one rule: no file reached from a clause or a data value ---------------------------

REACH = ["{% include '/etc/hostname' %}", "{% include '../../etc/hostname' %}", "{% import 'mou.j2' as m %}",
         "{% from 'pks.j2' import x %}", "{% extends 'mou.j2' %}", "{% macro m() %}x{% endmacro %}",
         "{% set x %}{% endset %}", "{% filter upper %}x{% endfilter %}", "{{ self }}{% block b %}{% endblock %}",
         "{{ ''.__class__ }}", "{{ 'x'.ljust(9) }}", "{{ lipsum(5) }}", "{{ range(3) | list }}",
         "{% with a = 1 %}{% endwith %}", "{{ namespace(a=1) }}"]


@HYPOTHESIS
@given(construct=st.sampled_from(REACH), before=st.integers(0, 3))
@restoring
def test_a_clause_reaches_no_file_and_only_what_the_library_offers(root, edit, construct, before):
    line = 7 + before
    edit("clauses/common/uji.md", HEADER + "Satu.\n" * before + f"Isi {construct} ini.\n")
    error = refused(root)
    assert error.path == "clauses/common/uji.md" or error.path.endswith("clauses/common/uji.md")
    assert error.line == line and "\n" not in str(error)
    assert "hostname" not in str(error) and os.uname().nodename not in str(error)


@pytest.mark.parametrize("construct", ["{% include '/etc/hostname' %}", "{% import 'mou.j2' as m %}{{ 1 }}"])
def test_a_data_value_template_reaches_no_file(root, edit, construct):
    text = original(root, "clauses/programme.yaml").replace("judul: KERJA SAMA REGIONAL",
                                                            f'judul: "{construct}"', 1)
    text = text.replace('nama: "Kerja Sama Regional', f'nama: "{construct} Kerja Sama Regional', 1)
    edit("clauses/programme.yaml", text)
    error = refused(root)
    assert error.path.endswith("clauses/programme.yaml") and error.line == 3 and "not allowed" in error.message


def test_check_names_the_include_and_frames_keep_working(root, edit):
    edit("clauses/common/uji.md", HEADER + "Satu.\n\nIsi {% include 'mou.j2' %}.\n")
    result = run_cli(root, "check")
    assert result.exit_code == 1
    assert "clauses/common/uji.md:9: template syntax: 'include' is not allowed" in result.stdout
    assert not any(line.startswith("templates/") for line in result.stdout.split("\n"))


# ---- 2. arguments are data ---------------------------------------------------------------------------

OPTION_LIKE = st.from_regex(r"\A-{1,2}[A-Za-z][A-Za-z=./_-]{0,15}\Z")


@HYPOTHESIS
@given(value=OPTION_LIKE, where=st.sampled_from([
    ("redline", "--from={}"), ("redline", "--from", "HEAD", "--to={}"), ("redline", "--from", "HEAD", "--out={}"),
    ("build", "mou", "--parties={}"), ("build", "pks", "--sector={}"), ("build", "mou", "--out={}"),
    ("build", "mou", "--font={}"), ("review", "--", "{}"), ("redline", "--from", "HEAD", "--", "{}")]))
def test_option_like_values_are_refused_before_anything_runs(root, value, where):
    sentinel = root / "sentinel.txt"
    sentinel.write_text("milik pengguna\n")
    args = [part.format(value) for part in where]
    result = run_cli(root, *args)
    assert_one_line(result, "looks like an option")
    assert sentinel.read_text() == "milik pengguna\n"
    assert not (root / "output").exists()


def test_redline_from_option_does_not_empty_a_file(project_copy):
    subprocess.run(["git", "init", "-q", "."], cwd=project_copy, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project_copy, check=True)
    subprocess.run(["git", "-c", "user.name=Uji", "-c", "user.email=uji@example.org", "commit", "-qm", "awal"],
                   cwd=project_copy, check=True)
    victim = project_copy / "SOMEFILE"
    victim.write_text("isi penting\n")
    for option in ("--from=--output=SOMEFILE", "--to=--output=SOMEFILE"):
        args = [sys.executable, "-m", "docgen", "redline", *(["--from", "HEAD"] if "--to" in option else []), option]
        result = subprocess.run(args, cwd=project_copy, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert victim.read_text() == "isi penting\n"
    # an ordinary revision still works
    result = subprocess.run([sys.executable, "-m", "docgen", "redline", "--from", "HEAD", "bali-ntb/mou"],
                            cwd=project_copy, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "unchanged bali-ntb/mou" in result.stdout, result.stderr


def test_links_out_of_the_library_and_outputs_into_it_are_refused(project_copy):
    link = project_copy / "clauses/common/luar.md"
    link.symlink_to("/etc/hostname")
    assert_one_line(run_cli(project_copy, "list"), "clauses/common/luar.md: a link to")
    link.unlink()
    (project_copy / "clauses/numbers.yaml").unlink()
    (project_copy / "clauses/numbers.yaml").symlink_to("/etc/hostname")
    assert_one_line(run_cli(project_copy, "list"), "clauses/numbers.yaml: a link to")
    (project_copy / "clauses/numbers.yaml").unlink()
    shutil.copy(PROJECT / "clauses/numbers.yaml", project_copy / "clauses/numbers.yaml")
    assert_one_line(run_cli(project_copy, "build", "mou", "--out", "clauses/keluaran"), "inside clauses/")
    assert not (project_copy / "clauses/keluaran").exists()


# ---- 3. limits -------------------------------------------------------------------------------------

YAML_ALIASES = st.sampled_from([
    "a: &x 1\nb: *x\n", "a: &x [1, 2]\nb: [*x, *x]\n", "a: &x {k: v}\nb:\n  <<: *x\n",
    "l0: &l0 [x, x, x, x, x, x, x, x, x]\nl1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n"
    "l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n",
    "a: !!str &x teks\nb: *x\n", "- &x a\n- *x\n"])


@HYPOTHESIS
@given(shape=YAML_ALIASES, data_file=st.sampled_from(["provinces", "numbers", "pariwisata/lampiran"]))
@restoring
def test_yaml_anchors_and_aliases_are_refused_with_their_line(root, edit, shape, data_file):
    relative = f"clauses/{data_file}.yaml"
    text = original(root, relative)
    if shape.startswith("- "):   # a list at the top level
        text, shape = "", shape
    lines = text.count("\n")
    edit(relative, text + shape)
    with pytest.raises(DocgenError) as caught:
        library.load(root)
    error = caught.value
    assert error.path.endswith(relative) and error.line == lines + 1 and "anchor" in error.message


SPENDTHRIFTS = ["{{ 10 ** 10 ** 10 }}", "{{ 'x' * 10 ** 9 }}", "{{ [1] * 10 ** 9 }}", "{{ '%0999999999d' % 1 }}",
                "{{ 'x' | center(10 ** 9) }}", "{{ 'x' | indent(10 ** 9) }}", "{{ 9 ** 999999 }}",
                "{% for a in 'x' * 90000 %}{{ 'y' * 90000 }}{% endfor %}",
                "{% for a in 'x' * 1000 %}{{ ref('x' * 10 ** 6) }}{% endfor %}",
                "{{ ('x' * 90000) | replace('', 'y' * 90000) }}", "{{ ('x' * 90000) | replace('x', 'yy') }}"]


@pytest.mark.parametrize("clause", SPENDTHRIFTS)
def test_a_clause_cannot_allocate_much(root, edit, clause):
    edit("clauses/common/uji.md", HEADER + "Satu.\n\n" + clause + "\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = refused(root)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert error.path.endswith("clauses/common/uji.md") and error.line in (None, 9)
    assert grown_mb < 100


def test_a_clause_that_runs_too_long_is_stopped_and_named(root, edit, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.5)
    edit("clauses/common/uji.md", HEADER + "Satu.\n\n{% for a in 'x' * 90000 %}{% for b in 'x' * 90000 %}"
         "{% endfor %}{% endfor %}\n")
    start = time.monotonic()
    error = refused(root)
    assert time.monotonic() - start < 5
    assert error.path.endswith("clauses/common/uji.md") and "takes more than 0.5 s" in error.message


def test_a_fifo_in_clauses_or_templates_does_not_hang(project_copy):
    (project_copy / "clauses/numbers.yaml").unlink()
    for fifo in ("clauses/common/pipa.md", "clauses/numbers.yaml"):
        os.mkfifo(project_copy / fifo)
    result = subprocess.run([sys.executable, "-m", "docgen", "build", "mou", "--parties", "bali,ntb", "--format",
                             "docx", "--out", "o"], cwd=project_copy, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not a regular file" in result.stderr
    os.unlink(project_copy / "clauses/common/pipa.md")
    result = subprocess.run([sys.executable, "-m", "docgen", "check"], cwd=project_copy, capture_output=True,
                            text=True, timeout=60)
    assert "clauses/numbers.yaml: not a regular file" in result.stdout and "Traceback" not in result.stderr
    os.unlink(project_copy / "clauses/numbers.yaml")
    shutil.copy(PROJECT / "clauses/numbers.yaml", project_copy / "clauses/numbers.yaml")
    (project_copy / "templates/mou.j2").unlink()
    os.mkfifo(project_copy / "templates/mou.j2")
    result = subprocess.run([sys.executable, "-m", "docgen", "build", "mou", "--parties", "bali,ntb", "--format",
                             "docx", "--out", "o"], cwd=project_copy, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "templates/mou.j2: not a regular file" in result.stderr
    assert not (project_copy / "o").exists() or not list((project_copy / "o").rglob("*.docx"))


@pytest.fixture(scope="module")
def reviewed_docx(root) -> bytes:
    assembler = assembler_for(root)
    agreement = assembler.agreement(Request("mou", ("bali", "ntb")))
    return writers.get("docx").write(agreement, writers.Context(assembler.templates, dt.datetime(2025, 11, 25),
                                                                assembler.language))


def repacked(docx: bytes, part: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item, source.read(item))
        target.writestr(part, data)
    return out.getvalue()


COMMENTS = (b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b'<w:comment w:id="0" w:author="A"><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:comment></w:comments>')


@pytest.mark.parametrize("part, data, message", [
    ("word/comments.xml", b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
     + COMMENTS, "DTD or entity"),
    ("word/comments.xml", b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY e "&a;&a;&a;">]>'
     + COMMENTS, "DTD or entity"),
    ("word/document.xml", b"<w:document " + b" " * 60_000_000 + b"/>", "declares 60,000,0"),
])
def test_review_bounds_every_part_and_refuses_entities(root, reviewed_docx, tmp_path, part, data, message):
    path = tmp_path / "ditinjau.docx"
    path.write_bytes(repacked(reviewed_docx, part, data))
    assert path.stat().st_size < 1_000_000
    result = run_cli(root, "review", str(path))
    assert_one_line(result, message)
    assert os.uname().nodename not in result.output


# ---- 4. fingerprints cover everything printed --------------------------------------------------------

def fingerprints(root: Path) -> dict[tuple, str]:
    build._file_digest.cache_clear()
    assembler = assembler_for(root)
    catalogue = assembler.catalogue

    def key(request, writer):   # (kind, parties, fields: of the PKS a surat kuasa authorises, writer, name)
        instrument = catalogue.instrument(request.instrument)
        fields = (catalogue.get(instrument.authorises) or instrument).fields
        return instrument.kind, request.codes, frozenset(f.slug for f in fields), writer.name, request.name
    return {key(r, w): build.fingerprint(assembler, r, w, {}, False)
            for r in catalogue.requests() for w in writers.chosen("all")}


CHANGES = [  # (file, old text, new text, which outputs must be rebuilt)
    ("clauses/common/adendum.md", "title: ADENDUM", "title: PERUBAHAN", lambda k: k[0] == "mou"),
    ("clauses/pariwisata/pks-ruang-lingkup.md", "position:", "position: 1 #",
     lambda k: k[0] == "pks" and "pariwisata" in k[2]),
    ("clauses/pariwisata/lampiran.yaml", "tahun: 2026", "tahun: 2027",
     lambda k: k[0] == "pks" and "pariwisata" in k[2]),
    ("clauses/agencies.yaml", "nama: Dinas Pariwisata Provinsi Bali", "nama: Dinas Pariwisata Bali",
     lambda k: "pariwisata" in k[2] and "bali" in k[1]),
    ("clauses/provinces.yaml", "ibu_kota: Kupang", "ibu_kota: Kota Kupang", lambda k: "ntt" in k[1]),
    ("clauses/programme.yaml", "tempat: Kawasan The Golo Mori", "tempat: Kawasan Golo Mori", lambda k: True),
    ("clauses/sectors.yaml", "nama: pariwisata", "nama: kepariwisataan", lambda k: True),
    ("templates/pks.j2", "\n", "\n\n", lambda k: k[0] == "pks"),
    ("templates/pdf/agreement.css", "\n", "\n\n", lambda k: k[3] == "pdf"),
    ("clauses/provinces.yaml", "# The provincial", "# Komentar. The provincial", lambda k: False),
]


def test_each_kind_of_input_rebuilds_exactly_the_documents_using_it(root, edit):
    before = fingerprints(root)
    for relative, old, new, affected in CHANGES:
        text = original(root, relative)
        assert old in text, (relative, old)
        edit(relative, text.replace(old, new, 1))
        after = fingerprints(root)
        rebuilt = {key for key in before if before[key] != after[key]}
        assert rebuilt == {key for key in before if affected(key)}, relative
        edit(relative, text)


# ---- 5. outputs that should no longer exist -----------------------------------------------------------

def test_outputs_no_longer_built_are_removed_and_user_files_are_kept(project_copy):
    out = project_copy / "o"
    args = ("build", "pks", "--parties", "bali,ntb", "--format", "docx", "--out", "o", "--jobs", "1")
    assert run_cli(project_copy, *args).exit_code == 0
    (out / "bali-ntb" / "catatan-saya.docx").write_text("milik pengguna")
    (out / "bali-ntb" / "pks-lama.docx").write_text("milik pengguna, tanpa cap docgen")
    programme = project_copy / "clauses/programme.yaml"
    # a sector no multi-field PKS holds leaves the MoU's scope: its PKS leaves the catalogue
    programme.write_text(programme.read_text().replace(" industri,", "", 1))
    result = run_cli(project_copy, *args)
    assert result.exit_code == 0, result.output
    assert "removed o/bali-ntb/pks-industri.docx" in result.output
    names = sorted(p.name for p in (out / "bali-ntb").iterdir())
    assert "pks-industri.docx" not in names and ".pks-industri.docx.inputs" not in names
    assert {"catatan-saya.docx", "pks-lama.docx", "pks-pariwisata.docx"} <= set(names)


def test_a_dropped_combination_is_removed(project_copy):
    out = project_copy / "o"
    assert run_cli(project_copy, "build", "mou", "--format", "docx", "--out", "o", "--jobs", "1").exit_code == 0
    assert (out / "bali-ntt" / "mou.docx").exists()
    provinces = project_copy / "clauses/provinces.yaml"
    provinces.write_text(provinces.read_text().split("\nntt:")[0] + "\n")
    programme = project_copy / "clauses/programme.yaml"
    programme.write_text(programme.read_text().replace("tempat_provinsi: ntt", "tempat_provinsi: ntb"))
    catalogue = project_copy / "clauses/instruments.yaml"   # the regional PKS is made for all three only
    catalogue.write_text(catalogue.read_text().split("\n  - id: pks-regional\n")[0] + "\n")
    result = run_cli(project_copy, "build", "mou", "--format", "docx", "--out", "o", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bali-ntb"]


# ---- 6. build and check share one set of rules -----------------------------------------------------------

BROKEN = [  # (file, old, new, what check and build both say)
    ("clauses/common/penutup.md", "PARA PIHAK", "PIHAK KETIGA", "PIHAK KETIGA in the mou of bali-ntb"),
    ("clauses/common/penutup.md", "PARA PIHAK", "PIHAK\u00a0KETIGA", "PIHAK KETIGA in the mou of bali-ntb"),
    ("clauses/common/penutup.md", "PARA PIHAK", "Pemerintah Provinsi Nusa Tenggara Timur", "is not a party"),
    ("clauses/common/adendum.md", "title: ADENDUM", "title: PERUBAHAN", "has no article 'ADENDUM'"),
    ("clauses/programme.yaml", "jangka_waktu: 5", "jangka_waktu: -5", "'mou.jangka_waktu' is -5"),
    ("clauses/common/penutup.md", "PARA PIHAK", "3 (dua) PARA PIHAK", "'3 (dua)'"),
]


@pytest.mark.parametrize("relative, old, new, message", BROKEN)
def test_build_refuses_what_check_reports_before_writing(root, edit, relative, old, new, message):
    text = original(root, relative)
    assert old in text
    edit(relative, text.replace(old, new, 1))
    checked = run_cli(root, "check")
    assert checked.exit_code == 1 and message in checked.stdout
    result = run_cli(root, "build", "mou", "--parties", "bali,ntb", "--format", "docx", "--out", "o", "--jobs", "1")
    assert_one_line(result, message)
    assert not (root / "o").exists()


@settings(max_examples=6, deadline=None, derandomize=True)
@given(order=st.permutations(list(library.load(PROJECT).sectors)))
def test_the_mou_numbers_its_sector_articles_in_the_order_it_names_them(order):
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("clauses", "templates"):
            shutil.copytree(PROJECT / name, copy / name)
        programme = copy / "clauses/programme.yaml"
        text = re.sub(r"bidang: \[[^\]]*\]", f"bidang: [{', '.join(order)}]", programme.read_text())
        programme.write_text(text)
        assembler = assembler_for(copy)
        mou = assembler.agreement(Request("mou", ("bali", "ntb", "ntt")))
        text = text_writer.text(mou, assembler.language)
    first, last = map(int, re.search(r"Pasal (\d+) sampai dengan Pasal (\d+)", text).groups())
    sector_articles = [a for a in mou.articles if a.source.endswith("/mou.md")]
    assert [a.source.split("/")[-2] for a in sector_articles] == order
    assert (first, last) == (sector_articles[0].number, sector_articles[-1].number) and first < last


# ---- 7. text hygiene --------------------------------------------------------------------------------------

def _characters(test) -> list[str]:
    return [chr(c) for c in range(0xA0, 0x10000) if test(chr(c))]


FORMAT = _characters(lambda c: unicodedata.category(c) == "Cf" and c != "\ufeff") + ["\ufeff"]
LOOKALIKES = _characters(lambda c: unicodedata.name(c, "").split(" ")[0] in ("CYRILLIC", "GREEK")
                         and unicodedata.category(c).startswith("L"))
SPACES = _characters(lambda c: unicodedata.category(c) in ("Zs", "Zl", "Zp") and c != "\u00a0")
DECEPTIVE = st.sampled_from(FORMAT + LOOKALIKES + SPACES)


@HYPOTHESIS
@given(char=DECEPTIVE, where=st.sampled_from(["body", "title", "yaml", "yaml-escape", "jinja-escape"]),
       at=st.integers(1, 4))
@restoring
def test_deceptive_characters_are_named_at_their_line(root, edit, char, where, at):
    word = "PIHAK"[:at] + char + "PIHAK"[at:]
    escape = f"\\u{ord(char):04x}"
    expected_line = 8
    if where == "body":
        edit("clauses/common/uji.md", HEADER + f"Satu.\n{word} KETIGA.\n")
    elif where == "title":
        edit("clauses/common/uji.md", HEADER.replace("title: UJI", f'title: "PI{escape}HAK"') + "Satu.\n")
        expected_line = 3
    elif where == "jinja-escape":
        edit("clauses/common/uji.md", HEADER + f'Satu.\n{{{{ "PI{escape}HAK" }}}} KETIGA.\n')
    else:
        text = original(root, "clauses/provinces.yaml")
        value = f'"I Wayan {escape}Koster"' if where == "yaml-escape" else f"I Wayan {word}"
        edit("clauses/provinces.yaml", text.replace("nama: I Wayan Koster", f"nama: {value}", 1))
        expected_line = text.split("\n").index("    nama: I Wayan Koster") + 1
    error = refused(root)
    assert error.line == expected_line, str(error)
    assert f"U+{ord(char):04X}" in error.message and "\n" not in str(error)
    assert (unicodedata.name(char) in error.message) or ("BOM" in error.message and char == "\ufeff")


def test_a_leading_bom_is_named_as_a_bom(root, edit):
    edit("clauses/common/uji.md", "\ufeff" + HEADER + "Satu.\n")
    error = refused(root)
    assert error.line == 1 and "byte-order mark (U+FEFF BOM)" in error.message


def test_what_indonesian_legal_text_needs_is_allowed(root, edit):
    edit("clauses/common/uji.md", HEADER + "Pasal 1–3 memuat “kutipan” dan ‘kutipan’ … Rp1.000,00, "
         "Ketut Arsa\u00a0Widiadnyana, Désa, Café, 10 m² dan Oe\u0308ng.\n")
    assembler = assembler_for(root)
    mou = assembler.agreement(Request("mou", ("bali", "ntb")))
    assert "Désa, Café, 10 m²" in text_writer.text(mou, assembler.language)


# ---- 8. workers die with their parent --------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_workers_die_with_the_build(tmp_path, sig):
    process = subprocess.Popen([sys.executable, "-m", "docgen", "build", "pks", "--parties", "bali,ntb",
                                "--jobs", "2", "--out", str(tmp_path)], cwd=PROJECT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.rglob("*.docx")) and not list(tmp_path.rglob("*.pdf")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    workers = _children(process.pid)
    assert workers
    process.send_signal(sig)
    stopped = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() - stopped < 2, "a worker outlived the build by more than 2 s"
        time.sleep(0.05)
    assert "Traceback" not in stderr
    assert not list(tmp_path.rglob("*.tmp"))


# ---- 9. every error path is one line -----------------------------------------------------------------------

def _replace(relative: str, old: str, new: str):
    return lambda root: (root / relative).write_text((PROJECT / relative).read_text().replace(old, new, 1))


def at(relative: str, text: str) -> str:
    """'file:line' of the first line of a shipped file that contains `text`."""
    lines = (PROJECT / relative).read_text(encoding="utf-8").split("\n")
    return f"{relative}:{next(n for n, line in enumerate(lines, start=1) if text in line)}"


def first_key(relative: str, text: str) -> str:
    """'file:line' of the first key under the first line that contains `text`: where a missing key belongs."""
    path, line = at(relative, text).rsplit(":", 1)
    return f"{path}:{int(line) + 1}"


MALFORMED = [  # (how to break the library, the file:line the message names, a fragment of the fix)
    (lambda root: (root / "clauses/programme.yaml").write_text(""), "clauses/programme.yaml:1", "missing"),
    (_replace("clauses/provinces.yaml", "  gubernur:\n    nama: I Wayan Koster\n    jabatan: Gubernur Bali\n", ""),
     first_key("clauses/provinces.yaml", "bali:"),
     "'bali.gubernur' is missing"),
    (_replace("clauses/programme.yaml", "tanggal: 2025-11-25", "tanggal: 2025-02-30"), at("clauses/programme.yaml", "tanggal: 2025-11-25"),
     "not a date"),
    (_replace("clauses/programme.yaml", "jangka_waktu: 5", "jangka_waktu: lima"), at("clauses/programme.yaml", "jangka_waktu: 5"),
     "whole number"),
    (_replace("clauses/programme.yaml", "jangka_waktu: 5", "jangka_waktu: 99999999999999999999999"),
     at("clauses/programme.yaml", "jangka_waktu: 5"), "whole number"),
    (_replace("clauses/sectors.yaml", "  nama: pariwisata\n", "  nama: ~\n"), at("clauses/sectors.yaml", "nama: pariwisata"), "write the text"),
    (_replace("clauses/agencies.yaml", "      jabatan: Kepala Dinas Pariwisata Provinsi Bali\n", ""),
     first_key("clauses/agencies.yaml", "    kepala:"), "kepala.jabatan' is missing"),
    (_replace("clauses/programme.yaml", "peran: [PIHAK KESATU, PIHAK KEDUA, PIHAK KETIGA]", "peran: PIHAK"),
     at("clauses/programme.yaml", "peran:"), "list of texts"),
    (lambda root: (root / "clauses/pariwisata/lampiran.yaml").write_bytes(b"kegiatan:\n  - kegiatan: Caf\xe9\n"),
     "clauses/pariwisata/lampiran.yaml:2", "not UTF-8"),
]


@pytest.mark.parametrize("break_it, where, fix", MALFORMED)
@pytest.mark.parametrize("command", ["check", "build"])
def test_malformed_data_is_one_line_naming_file_line_and_fix(project_copy, break_it, where, fix, command):
    break_it(project_copy)
    args = ["check"] if command == "check" else ["build", "pks", "--parties", "bali,ntb", "--sector",
                                                 "pariwisata", "--format", "docx", "--out", "o", "--jobs", "1"]
    result = run_cli(project_copy, *args)
    assert result.exit_code == 1
    lines = [line for line in (result.stdout if command == "check" else result.stderr).split("\n") if line]
    assert any(where in line and fix in line for line in lines), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not (project_copy / "o").exists()


def test_an_unreadable_folder_is_one_line(project_copy, monkeypatch):
    unreadable = project_copy / "clauses" / "common"
    real = Path.iterdir

    def iterdir(self):
        if self == unreadable:   # as chmod 000 would for anyone but root
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "iterdir", iterdir)
    result = run_cli(project_copy, "build", "mou", "--parties", "bali,ntb", "--format", "docx", "--out", "o")
    assert_one_line(result, "clauses/common: cannot read the folder (Permission denied); fix its permissions")
