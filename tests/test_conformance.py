"""DOCX that conforms to the OOXML schema and paginates like the PDF; properties; PDF/A for the archive."""
import json
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from openxml_audit import OpenXmlValidator
from openxml_audit.validator import FileFormat
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from conftest import PROJECT, docgen, libreoffice_convert
from docgen import library
from docgen.writers import ooxml
from test_review import commit_changes, git, repository  # noqa: F401  (a fixture)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/",
      "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
LANGUAGE = "id-ID"
PAGE_AGREEMENT = 0.95

# Findings the validator reports on a bare python-docx document (docx.Document().save()), by the start of
# their description, with the reason each is not ours. docgen drops the stylesWithEffects part that
# python-docx's template carries (ooxml.drop_leftovers), so none of these should occur at all; a finding
# is excused only if it is in this list AND occurs on the bare document.
BARE_PYTHON_DOCX = {
    "styles.xml contains 4 style(s) not in stylesWithEffects":
        "python-docx's template has a stale stylesWithEffects part (Word 2010) that lacks four of its styles",
    "docDefaults differ between styles.xml and stylesWithEffects":
        "the same stale part: python-docx's template carries different docDefaults in its two style parts",
}


def validator() -> OpenXmlValidator:
    """openxml-audit with its strict policy: every check, security included, no cap on findings."""
    return OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0, schema_validation=True,
                            semantic_validation=True, security_validation=True, strict=True)


def findings(path: Path) -> list[str]:
    result = validator().validate(str(path))
    return [f"{e.error_type.name} {e.part_uri} {e.path or ''}: {e.description}" for e in result.errors]


@pytest.fixture(scope="module")
def bare_findings(tmp_path_factory) -> list[str]:
    path = tmp_path_factory.mktemp("bare") / "bare.docx"
    docx.Document().save(str(path))
    return findings(path)


def unexcused(path: Path, bare: list[str]) -> list[str]:
    def excused(finding: str) -> bool:
        description = finding.split(": ", 1)[1]
        return any(description.startswith(name) for name in BARE_PYTHON_DOCX) and \
            any(b.split(": ", 1)[1] == description for b in bare)
    return [f for f in findings(path) if not excused(f)]


def test_the_bare_findings_listed_are_those_of_a_bare_python_docx_document(bare_findings):
    described = [f.split(": ", 1)[1] for f in bare_findings]
    for name in BARE_PYTHON_DOCX:
        assert any(d.startswith(name) for d in described), (name, bare_findings)


def test_the_validator_sees_an_element_out_of_schema_order(tmp_path):
    """The check is not blind: table borders appended after tblLook (the old bug) are a finding."""
    document = docx.Document()
    tbl_pr = document.add_table(rows=1, cols=2)._tbl.tblPr
    if tbl_pr.find(f"{{{W}}}tblLook") is None:
        etree.SubElement(tbl_pr, f"{{{W}}}tblLook")
    etree.SubElement(tbl_pr, f"{{{W}}}tblBorders")
    document.save(str(tmp_path / "wrong.docx"))
    assert any("tblBorders" in f for f in findings(tmp_path / "wrong.docx"))


def test_every_shipped_docx_validates(built, bare_findings):
    files = sorted(built.rglob("*.docx"))
    assert len(files) == 44
    problems = {str(f.relative_to(built)): unexcused(f, bare_findings) for f in files}
    problems = {name: found for name, found in problems.items() if found}
    assert not problems, problems


def test_redline_and_change_matrix_validate(repository, bare_findings):  # noqa: F811
    commit_changes(repository)
    result = docgen("redline", "--from", "HEAD~1", "--to", "HEAD", "--matrix", "bali-ntb-ntt/mou",
                    cwd=repository)
    assert result.returncode == 0, result.stderr
    folder = repository / "output/bali-ntb-ntt"
    for name in ("mou.redline.docx", "mou.matriks.docx"):
        assert not unexcused(folder / name, bare_findings), name


def test_schema_order_helper_puts_children_where_the_schema_does():
    document = docx.Document()
    tbl_pr = document.add_table(rows=1, cols=1)._tbl.tblPr
    for tag in ("w:tblLook", "w:tblLayout", "w:tblBorders", "w:tblW", "w:tblCellMar"):
        ooxml.child(tbl_pr, tag)
    order = [etree.QName(c).localname for c in tbl_pr]
    schema = [t.split(":")[1] for t in ooxml.SCHEMA_ORDER["w:tblPr"]]
    assert order == sorted(order, key=schema.index)
    assert order.index("tblBorders") < order.index("tblLayout") < order.index("tblCellMar") < order.index("tblLook")


# ---- language, compatibility, navigation ------------------------------------------------------------

def package_xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(part))


def test_indonesian_everywhere_in_the_docx(built):
    path = built / "bali-ntb-ntt/mou.docx"
    styles = package_xml(path, "word/styles.xml")
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert default.get(f"{{{W}}}val") == LANGUAGE
    every = styles.findall("w:style", NS)
    assert len(every) > 100
    for style in every:
        lang = style.find("w:rPr/w:lang", NS)
        assert lang is not None and lang.get(f"{{{W}}}val") == LANGUAGE, style.get(f"{{{W}}}styleId")
    settings = package_xml(path, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(f"{{{W}}}val") == LANGUAGE
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert mode.get(f"{{{W}}}val") == "15"
    assert PdfReader(built / "bali-ntb-ntt/mou.pdf").trailer["/Root"]["/Lang"] == LANGUAGE


def test_pasal_styles_carry_outline_levels(built):
    styles = package_xml(built / "bali-ntb/mou.docx", "word/styles.xml")
    levels = {s.find("w:name", NS).get(f"{{{W}}}val"): s.find("w:pPr/w:outlineLvl", NS)
              for s in styles.findall("w:style", NS)}
    assert levels["Pasal"].get(f"{{{W}}}val") == "0"          # level 1
    assert levels["Judul Pasal"].get(f"{{{W}}}val") == "1"    # under its Pasal
    assert all(levels[name] is None for name in ("Normal", "Ayat", "Isi"))


# ---- the same pages in the DOCX and the PDF ------------------------------------------------------------

def pasal_pages(pdf: Path) -> tuple[dict[int, int], int]:
    """The page of every 'Pasal N' heading (a line of its own) and the number of pages."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1]
    found: dict[int, int] = {}
    for number, page in enumerate(pages, start=1):
        for line in page.splitlines():
            match = re.fullmatch(r"\s*Pasal (\d+)\s*", line)
            if match:
                found.setdefault(int(match.group(1)), number)
    return found, len(pages)


@pytest.fixture(scope="module")
def libreoffice_pdfs(built, tmp_path_factory) -> dict[Path, Path]:
    """Every shipped DOCX as LibreOffice prints it: one conversion per combination folder, each into its
    own folder (the documents of different combinations have the same names)."""
    result = {}
    for folder in sorted({f.parent for f in built.rglob("*.docx")}):
        outdir = tmp_path_factory.mktemp("lo-pdf-" + folder.name)
        files = sorted(folder.glob("*.docx"))
        libreoffice_convert(files, "pdf", outdir)
        result.update({f: outdir / (f.stem + ".pdf") for f in files})
    return result


def test_docx_and_pdf_have_the_same_pages(built, libreoffice_pdfs):
    same = total = same_count = 0
    report = []
    for docx_path, printed in sorted(libreoffice_pdfs.items()):
        ours, our_pages = pasal_pages(docx_path.with_suffix(".pdf"))
        theirs, their_pages = pasal_pages(printed)
        assert ours and set(ours) == set(theirs), docx_path
        agree = sum(theirs[n] == page for n, page in ours.items())
        same, total, same_count = same + agree, total + len(ours), same_count + (our_pages == their_pages)
        if agree < len(ours) or our_pages != their_pages:
            report.append(f"{docx_path.relative_to(built)}: pages {our_pages}/{their_pages}, "
                          f"Pasal on the same page {agree}/{len(ours)}")
    share = same / total
    print(f"\n'Pasal N' on the same page in the PDF and the DOCX (LibreOffice): {same}/{total} = {share:.1%}; "
          f"same number of pages: {same_count}/{len(libreoffice_pdfs)}\n" + "\n".join(report))
    assert len(libreoffice_pdfs) == 44
    assert share >= PAGE_AGREEMENT, report
    assert same_count / len(libreoffice_pdfs) >= PAGE_AGREEMENT, report


def test_a_pdf_printed_from_the_docx_is_indonesian_with_the_articles_as_bookmarks(built, libreoffice_pdfs):
    reader = PdfReader(libreoffice_pdfs[built / "bali-ntb/mou.docx"])
    assert reader.trailer["/Root"]["/Lang"] == LANGUAGE
    top = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    count = len(pasal_pages(built / "bali-ntb/mou.pdf")[0])
    assert top == [f"Pasal {n}" for n in range(1, count + 1)]


def header_positions(pdf: Path, page: int, words: tuple[str, ...]) -> list[float]:
    """The left edge of each header word on a page (the columns of the Lampiran table)."""
    xml = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    found = {m.group(2): float(m.group(1)) for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', xml)}
    return [found[w] for w in words]


def test_lampiran_columns_are_as_wide_in_the_docx_as_in_the_pdf(built, libreoffice_pdfs):
    docx_path = built / "bali-ntb/pks-pariwisata.docx"
    # the Lampiran's table (the parties' signature block closes the Lampiran after it)
    table = next(t for t in reversed(docx.Document(str(docx_path)).tables) if t.cell(0, 0).text == "No.")
    grid = [int(c.get(f"{{{W}}}w")) for c in table._tbl.tblGrid.findall(f"{{{W}}}gridCol")]
    assert grid[0] < grid[-1] < grid[2] < grid[1]       # No. narrow, Kegiatan widest
    assert table._tbl.tblPr.find(f"{{{W}}}tblLayout").get(f"{{{W}}}type") == "fixed"
    words = ("Kegiatan", "Target", "Lokasi", "Tahun")   # a narrow "No." may reach a reader as two words
    pdf = docx_path.with_suffix(".pdf")
    def last_header(path: Path) -> list[float]:   # the signature block closing the Lampiran may stand alone
        for page in range(len(PdfReader(path).pages), 0, -1):
            try:
                return header_positions(path, page, words)
            except KeyError:
                continue
        raise AssertionError(f"no page of {path} shows the Lampiran's header")
    ours, theirs = last_header(pdf), last_header(libreoffice_pdfs[docx_path])
    assert all(abs(a - b) < 2 for a, b in zip(ours, theirs)), (ours, theirs)


def test_change_matrix_rows_split_and_repeat_the_header(repository):  # noqa: F811
    commit_changes(repository)
    assert docgen("redline", "--from", "HEAD~1", "--to", "HEAD", "--matrix", "bali-ntb/mou",
                  cwd=repository).returncode == 0
    table = docx.Document(str(repository / "output/bali-ntb/mou.matriks.docx")).tables[0]
    rows = table._tbl.findall(f"{{{W}}}tr")
    assert rows[0].find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
    assert all(row.find(f"{{{W}}}trPr/{{{W}}}cantSplit") is None for row in rows)


# ---- properties ---------------------------------------------------------------------------------------

def test_author_keywords_combination_and_kind_in_docx_and_pdf(built):
    provinces = library.load_data(PROJECT / "clauses/provinces.yaml")
    first, second = list(provinces)[:2]                 # the first is PIHAK KESATU wherever it is a party
    sector = library.load_data(PROJECT / "clauses/programme.yaml")["mou"]["bidang"][0]
    path = built / f"{first}-{second}/pks-{sector}.docx"
    core = package_xml(path, "docProps/core.xml")
    author = core.findtext("dc:creator", namespaces=NS)
    assert "Biro Hukum" in author and provinces[first]["nama"] in author
    assert core.findtext("cp:lastModifiedBy", namespaces=NS) == author
    keywords = core.findtext("cp:keywords", namespaces=NS).split("; ")
    assert {"pks", f"{first}-{second}", provinces[first]["nama"]} <= set(keywords)
    app = package_xml(path, "docProps/app.xml")
    assert app.findtext("ep:Company", namespaces=NS) == author
    assert app.findtext("ep:Template", namespaces=NS) == "pks.j2"
    metadata = PdfReader(path.with_suffix(".pdf")).metadata
    assert metadata["/Author"] == author and metadata["/Creator"] == "docgen"
    assert set(keywords) <= set(metadata["/Keywords"].split(", "))


# ---- PDF/A for the archive -----------------------------------------------------------------------------

def fill_numbers(root: Path) -> None:
    numbers = root / "clauses/numbers.yaml"
    numbers.write_text(numbers.read_text(encoding="utf-8").replace(
        "mou: {}", 'mou:\n  bali-ntb:\n    bali: "075/17/KSD/2025"\n    ntb: "120/45/PEM/2025"'), encoding="utf-8")
    provinces = root / "clauses/provinces.yaml"   # and what the governors' komparisi still lacks
    provinces.write_text(provinces.read_text(encoding="utf-8").replace("kode_pos: ~", "kode_pos: '80000'").replace(
        "keputusan_presiden: {nomor: ~, tentang: ~}", "keputusan_presiden: {nomor: 1/P Tahun 2025, tentang: Uji}"),
        encoding="utf-8")


def fonts_of(reader: PdfReader) -> list:
    """Every font dictionary the pages use, descendant fonts of composite fonts included."""
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found.append(font)
            found += [d.get_object() for d in font.get("/DescendantFonts", [])]
    return found


def test_final_pdf_is_tagged_pdf_a_3_with_its_manifest(repository):  # noqa: F811
    fill_numbers(repository)
    git(repository, "commit", "-qam", "nomor")
    commit = git(repository, "rev-parse", "HEAD").strip()
    assert docgen("build", "mou", "--parties", "bali,ntb", "--final", "--out", "out",
                  cwd=repository).returncode == 0
    pdf = repository / "out/bali-ntb/mou.pdf"
    reader = PdfReader(pdf)
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="A"', xmp)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == LANGUAGE
    fonts = fonts_of(reader)
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            continue                                    # embedded through its descendant font
        descriptor = font["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]

    assert list(reader.attachments) == ["docgen-manifest.json"]
    printed = docgen("manifest", str(pdf), cwd=repository)
    assert printed.returncode == 0, printed.stderr
    manifest = json.loads(printed.stdout)
    assert manifest == json.loads(reader.attachments["docgen-manifest.json"][0])
    assert manifest["commit"] == commit and manifest["document"] == "bali-ntb/mou"
    anchors = re.findall(r'w:name="K_([^"]+)"', docgen_docx_xml(repository))
    assert [c["id"] for c in manifest["clauses"]] == [a.replace("_", "-") for a in anchors]
    for clause in manifest["clauses"]:
        digest = subprocess.run(["sha256sum", str(repository / clause["file"])], capture_output=True,
                                text=True, check=True).stdout.split()[0]
        assert clause["sha256"] == digest

    # the same inputs give the same bytes; a change not committed is said to be uncommitted
    first = pdf.read_bytes()
    assert docgen("build", "mou", "--parties", "bali,ntb", "--final", "--out", "out", "--force",
                  cwd=repository).returncode == 0
    assert pdf.read_bytes() == first
    clause = repository / "clauses/common/penutup.md"
    clause.write_text(clause.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert docgen("build", "mou", "--parties", "bali,ntb", "--final", "--out", "out", cwd=repository).returncode == 0
    assert json.loads(docgen("manifest", str(pdf), cwd=repository).stdout)["commit"] == "uncommitted"


def docgen_docx_xml(root: Path) -> str:
    with zipfile.ZipFile(root / "out/bali-ntb/mou.docx") as package:
        return package.read("word/document.xml").decode()


def test_draft_pdf_stays_plain_and_manifest_of_a_draft_is_a_clean_error(built):
    pdf = built / "bali-ntb/mou.pdf"
    assert "/StructTreeRoot" not in PdfReader(pdf).trailer["/Root"]
    result = docgen("manifest", str(pdf))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "--final" in result.stderr
