"""The writers print what a signed agreement and its adendum need: kept numbers (Pasal 1A, ayat (2a),
huruf c1), a deleted Pasal without a title, footnotes on a Pasal heading (real Word footnotes, WeasyPrint
footnotes) and an adendum's numbered changes, each followed by the Pasal it quotes whole.

The trees are the small test library's MoU changed by hand as signed numbering and an adendum make them."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import assembler_for, libreoffice_convert, request_of, small_library, words
from docgen.model import Amendment, Article, Item, Paragraph, Ref, Text
from docgen.writers import Context, docx as docx_writer, html as html_writer, pdf as pdf_writer, text as text_writer
from test_conformance import findings
from test_fields import fields

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

# The consolidated text's note on a changed Pasal, and the words of the adendum: our own drafting in the
# formulas of UU 12/2011 Lampiran II (nomor 237–239 for the changes, 242 for an inserted Pasal).
NOTE = "Diubah dengan Adendum Pertama Nomor 075/21/KSD/2026 tanggal 2 Maret 2026."
SECOND_NOTE = "Diubah dengan Adendum Kedua Nomor 075/40/KSD/2026 tanggal 9 Juni 2026."
DELETED = "Dihapus."
INSERTED_AYAT = "Kerja sama bidang pariwisata dilaksanakan dengan memperhatikan daya dukung lingkungan."
INSERTED_ITEM = "tercapainya seluruh kegiatan dalam rencana kerja sebelum jangka waktu berakhir."
OPENING = "Beberapa ketentuan dalam Nota Kesepahaman diubah sebagai berikut:"
POINTS = ("Di antara Pasal 1 dan Pasal 2 disisipkan 1 (satu) pasal, yakni Pasal 1A, sehingga berbunyi sebagai berikut:",
          "Ketentuan Pasal 2 ayat (2) diubah sehingga Pasal 2 berbunyi sebagai berikut:",
          "Pasal 3 dihapus.")
IN_FORCE = "Adendum Pertama ini mulai berlaku sejak tanggal ditandatangani oleh PARA PIHAK."


def renumbered(node, numbers: dict):
    """`node` with every reference to a renumbered article printing its new number."""
    if isinstance(node, tuple):
        return tuple(renumbered(child, numbers) for child in node)
    if isinstance(node, Ref) and node.target in numbers:
        return dataclasses.replace(node, pasal=numbers[node.target])
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: renumbered(getattr(node, f.name), numbers) for f in dataclasses.fields(node)
                   if isinstance(getattr(node, f.name), tuple) or dataclasses.is_dataclass(getattr(node, f.name))}
        return dataclasses.replace(node, **changes)
    return node


def signed_articles(articles: tuple[Article, ...]) -> tuple[Article, ...]:
    """The MoU as a signed agreement amended once: Pasal 1 (a note), 1A (inserted), 2 with ayat (2a),
    3 deleted, 4 with huruf c1 (two notes), 5."""
    by_id = {a.clause_id: a for a in articles}
    numbers = {"maksud-tujuan": 1, "ruang-lingkup": "1A", "pariwisata-mou": 2, "perhubungan-mou": 3,
               "jangka-waktu": 4, "penutup": 5}
    tourism = by_id["pariwisata-mou"]
    tourism = dataclasses.replace(tourism, paragraphs=tourism.paragraphs + (
        Paragraph((Text(INSERTED_AYAT),), number="2a"),))
    term = by_id["jangka-waktu"]
    ending = term.paragraphs[1]
    inserted = Item("letter", len(ending.items), ".", (Text(INSERTED_ITEM),), mark="c1")
    term = dataclasses.replace(term, notes=((Text(NOTE),), (Text(SECOND_NOTE),)), paragraphs=(
        term.paragraphs[0], dataclasses.replace(ending, items=ending.items + (inserted,)), *term.paragraphs[2:]))
    deleted = dataclasses.replace(by_id["perhubungan-mou"], title="", paragraphs=(Paragraph((Text(DELETED),)),))
    changed = {"maksud-tujuan": dataclasses.replace(by_id["maksud-tujuan"], notes=((Text(NOTE),),)),
               "pariwisata-mou": tourism, "perhubungan-mou": deleted, "jangka-waktu": term}
    result = tuple(dataclasses.replace(changed.get(cid, by_id[cid]), number=number) for cid, number in numbers.items())
    return renumbered(result, numbers)


def adendum_articles(signed: tuple[Article, ...]) -> tuple[Article, ...]:
    """An adendum's Pasal I (three numbered changes: insert Pasal 1A, change Pasal 2, delete Pasal 3) and II."""
    by_id = {a.clause_id: a for a in signed}
    points = [Item("number", index, ".", (Text(point),)) for index, point in enumerate(POINTS)]
    changes = (Amendment(points[0], (by_id["ruang-lingkup"],)), Amendment(points[1], (by_id["pariwisata-mou"],)),
               Amendment(points[2]))
    return (Article("adendum-perubahan", "", "I", "", (Paragraph((Text(OPENING),)),), amendments=changes),
            Article("adendum-berlaku", "", "II", "", (Paragraph((Text(IN_FORCE),)),)))


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return small_library(tmp_path_factory.mktemp("amendments") / "kecil")


@pytest.fixture(scope="module")
def trees(library):
    """The MoU of Bali and NTB as built, as signed and amended, and its adendum; the words it prints with."""
    assembler = assembler_for(library)
    mou = request_of(assembler, "mou", ("bali", "ntb"))
    signed = dataclasses.replace(mou, articles=signed_articles(mou.articles))
    adendum = dataclasses.replace(mou, name="mou-adendum-1", articles=adendum_articles(signed.articles))
    return {"mou": mou, "signed": signed, "adendum": adendum}, assembler.language


@pytest.fixture(scope="module")
def written(trees, library, tmp_path_factory) -> dict[str, Path]:
    """Each tree as DOCX, PDF, HTML and text: name.suffix → path."""
    documents, language = trees
    context = Context(library / "templates", dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc), language)
    folder = tmp_path_factory.mktemp("written")
    out = {}
    for name, tree in documents.items():
        for suffix, module in ((".docx", docx_writer), (".pdf", pdf_writer), (".html", html_writer),
                               (".txt", text_writer)):
            path = folder / (name + suffix)
            path.write_bytes(module.write(tree, context))
            out[name + suffix] = path
    return out


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as pdftotext reads it (reading order, no layout), whitespace-normalised."""
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(words(page)) for page in text.split("\f")[:-1]]


def pandoc(path: Path, to: str) -> str:
    return subprocess.run(["pandoc", "-f", "docx", "-t", to, "--wrap=none", str(path)], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def libreoffice(written, tmp_path_factory) -> dict[str, Path]:
    """The signed MoU and the adendum as LibreOffice opens them, printed to PDF and saved as text."""
    folder = tmp_path_factory.mktemp("libreoffice")
    files = [written["signed.docx"], written["adendum.docx"]]
    libreoffice_convert(files, "pdf", folder)
    libreoffice_convert(files, "txt:Text (encoded):UTF8", folder)
    return {name: folder / name for name in ("signed.pdf", "adendum.pdf", "signed.txt", "adendum.txt")}


def in_order(text: str, pieces) -> bool:
    """Whether every piece occurs in `text` (words normalised), each after the one before."""
    text, at = " ".join(words(text)), 0
    for piece in pieces:
        found = text.find(" ".join(words(piece)), at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def document_xml(path: Path, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(part))


# ---- kept numbers and a deleted Pasal ----------------------------------------------------------------

KEPT = ("Pasal 1", "Pasal 1A", "Pasal 2", "(2a) " + INSERTED_AYAT, "Pasal 3", DELETED, "Pasal 4", "c1. " + INSERTED_ITEM)


def test_every_writer_prints_the_kept_numbers(written, libreoffice):
    readings = {"text": written["signed.txt"].read_text(encoding="utf-8"),
                "docx (pandoc)": pandoc(written["signed.docx"], "plain"),
                "docx (LibreOffice)": libreoffice["signed.txt"].read_text(encoding="utf-8"),
                "pdf": " ".join(pdf_pages(written["signed.pdf"])),
                "pdf (LibreOffice)": " ".join(pdf_pages(libreoffice["signed.pdf"]))}
    for reader, text in readings.items():
        assert in_order(text.replace("\t", " "), KEPT), reader
    # a reference to the inserted Pasal prints its kept number
    assert "sebagaimana dimaksud dalam Pasal 1A meliputi" in readings["pdf"]


def test_a_deleted_pasal_has_no_empty_title_line(written, libreoffice):
    lines = written["signed.txt"].read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("Pasal 3") + 1] == DELETED
    office = libreoffice["signed.txt"].read_text(encoding="utf-8").splitlines()
    assert office[office.index("Pasal 3") + 1] == DELETED     # an empty paragraph would be an empty line
    page = written["signed.html"].read_text(encoding="utf-8")
    assert '<h3 class="judul-pasal"></h3>' not in page and page.count('class="judul-pasal"') == 5
    titles = document_xml(written["signed.docx"]).findall(".//w:pStyle[@w:val='JudulPasal']", NS)
    assert len(titles) == 5                                  # six Pasal, one deleted


# ---- SEQ fields only for a document that numbers itself ----------------------------------------------

def test_pasal_numbers_are_seq_fields_only_when_they_run_from_1_to_n(written, trees):
    documents, _ = trees
    built = fields(document_xml(written["mou.docx"]))
    assert [c for i, c in built if i.startswith("SEQ ")] == [str(a.number) for a in documents["mou"].articles]
    for name in ("signed", "adendum"):
        document = document_xml(written[f"{name}.docx"])
        found = fields(document)
        assert not [i for i, _ in found if i.startswith("SEQ ")], name
        marks = {b.get(f"{{{W}}}name"): b for b in document.iter(f"{{{W}}}bookmarkStart")}
        assert len(marks) == len(list(document.iter(f"{{{W}}}bookmarkStart")))     # every name once
        refs = [(i.split()[1], c) for i, c in found if i.startswith("REF ")]
        assert refs and all(name in marks for name, _ in refs)
    # the number of the inserted Pasal is text in its bookmark, and a reference to it a live REF field
    document = document_xml(written["signed.docx"])
    inserted = next(b for b in document.iter(f"{{{W}}}bookmarkStart") if b.get(f"{{{W}}}name") == "article_ruang_lingkup")
    assert inserted.getnext().findtext(f"{{{W}}}t") == "1A"
    assert ("article_ruang_lingkup", "1A") in [(i.split()[1], c) for i, c in fields(document) if i.startswith("REF ")]


# ---- footnotes ---------------------------------------------------------------------------------------

def test_a_note_on_a_pasal_is_a_word_footnote(written, libreoffice):
    path = written["signed.docx"]
    markdown = pandoc(path, "markdown")
    assert re.search(r"^Pasal 1\[\^1\]$", markdown, re.M) and re.search(r"^Pasal 4\[\^2\]\^,\^\[\^3\]$", markdown, re.M)
    assert f"[^1]: {NOTE}" in markdown and f"[^3]: {SECOND_NOTE}" in markdown
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert 'PartName="/word/footnotes.xml"' in types and "wordprocessingml.footnotes+xml" in types
    assert re.search(r'Type="[^"]+/footnotes" Target="footnotes.xml"', rels)
    notes = document_xml(path, "word/footnotes.xml")
    kinds = [(n.get(f"{{{W}}}id"), n.get(f"{{{W}}}type")) for n in notes.findall("w:footnote", NS)]
    assert kinds == [("-1", "separator"), ("0", "continuationSeparator"), ("1", None), ("2", None), ("3", None)]
    assert all(p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "CatatanKaki"
               for p in notes.findall("w:footnote[@w:id='1']/w:p", NS))
    # LibreOffice prints each note at the foot of the page of its Pasal
    assert_notes_on_their_pages(pdf_pages(libreoffice["signed.pdf"]))


def assert_notes_on_their_pages(pages: list[str]) -> None:
    """NOTE under Pasal 1 and Pasal 4, SECOND_NOTE under Pasal 4 only, each on its heading's page."""
    def page_of(heading: str) -> int:
        return next(n for n, page in enumerate(pages) if re.search(rf"\b{heading}\d?(,\d)? (MAKSUD|JANGKA)", page))
    for note, headings in ((NOTE, ("Pasal 1", "Pasal 4")), (SECOND_NOTE, ("Pasal 4",))):
        assert sum(page.count(note) for page in pages) == len(headings), note
        for heading in headings:
            assert note in pages[page_of(heading)], (note, heading)


def test_a_note_on_a_pasal_is_a_pdf_footnote(written):
    assert_notes_on_their_pages(pdf_pages(written["signed.pdf"]))
    page = written["signed.html"].read_text(encoding="utf-8")
    assert page.count('<span class="catatan-kaki">') == 3


def test_the_text_writer_marks_notes_and_lists_them_after_the_pasal(written):
    lines = written["signed.txt"].read_text(encoding="utf-8").splitlines()
    start, end = lines.index("Pasal 4 [2] [3]"), lines.index("Pasal 5")
    assert lines[end - 2:end] == [f"[2] {NOTE}", f"[3] {SECOND_NOTE}"] and start < end
    assert lines.index("Pasal 1 [1]") < lines.index(f"[1] {NOTE}") < lines.index("Pasal 1A")


# ---- an adendum's numbered changes -------------------------------------------------------------------

CHANGES = (OPENING, "1. " + POINTS[0], "Pasal 1A", "RUANG LINGKUP", "2. " + POINTS[1], "Pasal 2",
           "KERJA SAMA BIDANG PARIWISATA", "(2a) " + INSERTED_AYAT, "3. " + POINTS[2], "Pasal II", IN_FORCE)


def test_each_change_is_followed_by_the_pasal_it_quotes(written, libreoffice):
    readings = {"text": written["adendum.txt"].read_text(encoding="utf-8"),
                "docx (pandoc)": pandoc(written["adendum.docx"], "plain"),
                "pdf": " ".join(pdf_pages(written["adendum.pdf"])),
                "pdf (LibreOffice)": " ".join(pdf_pages(libreoffice["adendum.pdf"]))}
    for reader, text in readings.items():
        assert in_order(text.replace("\t", " "), CHANGES), reader
        assert "Pasal 3 dihapus. Pasal II" in " ".join(words(text)), reader   # a deletion quotes nothing


def test_a_quoted_pasal_is_indented_with_bookmarks_of_its_own(written, libreoffice):
    document = document_xml(written["adendum.docx"])
    anchors = [b.get(f"{{{W}}}name") for b in document.iter(f"{{{W}}}bookmarkStart") if b.get(f"{{{W}}}name").startswith("K_")]
    assert anchors == ["K_adendum_perubahan", "K_adendum_berlaku"]   # a quoted Pasal is no clause of this document
    headings = [p for p in document.iter(f"{{{W}}}p") if p.find("w:pPr/w:pStyle[@w:val='Pasal']", NS) is not None]
    quoted = [h for h in headings if h.find("w:pPr/w:ind", NS) is not None]
    assert ["".join(h.itertext()) for h in quoted] == ["Pasal 1A", "Pasal 2"]
    # references inside the quoted Pasal 2 reach the quoted Pasal 1A and its own ayat (1), live
    refs = [(i.split()[1], c) for i, c in fields(document) if i.startswith("REF ")]
    assert ("quoted_article_ruang_lingkup", "1A") in refs and any(n.startswith("quoted_para_pariwisata") for n, _ in refs)
    # LibreOffice lays the quoted Pasal out right of the change's number, as the PDF does
    for pdf in (written["adendum.pdf"], libreoffice["adendum.pdf"]):
        assert left_edge(pdf, "(2a)") - left_edge(pdf, "3.") > 20, pdf


def left_edge(pdf: Path, word: str) -> float:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return next(float(m.group(1)) for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', xml)
                if m.group(2) == word)


def test_the_html_of_an_adendum_keeps_ids_unique_and_links_within_what_it_quotes(written):
    page = written["adendum.html"].read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and "kutipan-ruang-lingkup" in ids
    links = re.findall(r'href="#([^"]+)"', page)
    assert links and all(link in ids for link in links)
    assert page.count('class="kutipan"') == 2


# ---- strict conformance ------------------------------------------------------------------------------

def test_footnotes_and_changes_pass_the_strict_validation(written, tmp_path):
    for name in ("signed.docx", "adendum.docx"):
        assert findings(written[name]) == [], name
    # the validator is not blind to footnotes: a reference to a note that is not there is a finding
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(written["signed.docx"]) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b'w:footnoteReference w:id="3"', b'w:footnoteReference w:id="9"')
            target.writestr(item, data)
    assert any("Footnote '9'" in f for f in findings(broken))
