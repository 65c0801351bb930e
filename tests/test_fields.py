"""Pasal numbers and references that stay live in Word (SEQ/REF fields), links and outline in the PDF."""
import copy
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from docgen.model import Item, Paragraph, Ref, walk

from conftest import assembler_for, docgen, libreoffice_convert, request_of, small_library

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """The small test library, whose MoU refers to articles, ayat and list items."""
    return small_library(tmp_path_factory.mktemp("fields") / "kecil")


@pytest.fixture(scope="module")
def tree(library):
    assembler = assembler_for(library)
    return assembler, request_of(assembler, "mou", ("bali", "ntb"))


@pytest.fixture(scope="module")
def mou(library):
    result = docgen("build", "mou", "--parties", "bali,ntb", "--out", "out", cwd=library)
    assert result.returncode == 0, result.stderr
    return library / "out" / "bali-ntb"


def fields(document: etree._Element) -> list[tuple[str, str]]:
    """(instruction, cached result) of every complex field, in document order."""
    found, instruction, result, state = [], "", "", None
    for element in document.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText", f"{{{W}}}t"):
        tag = etree.QName(element).localname
        if tag == "fldChar":
            kind = element.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                instruction, result, state = "", "", "instr"
            elif kind == "separate":
                state = "result"
            elif kind == "end":
                found.append((instruction.strip(), result))
                state = None
        elif tag == "instrText" and state == "instr":
            instruction += element.text or ""
        elif tag == "t" and state == "result":
            result += element.text or ""
    return found


def test_one_seq_per_pasal_and_one_ref_per_reference(mou, tree):
    assembler, agreement = tree
    document = etree.fromstring(zipfile.ZipFile(mou / "mou.docx").read("word/document.xml"))
    found = fields(document)
    seq = [cached for instruction, cached in found if instruction.startswith("SEQ Pasal")]
    assert seq == [str(a.number) for a in agreement.articles]
    cached_refs = [cached for instruction, cached in found if instruction.startswith("REF ")]
    expected = [text for ref in walk(agreement.articles, Ref)
                for text, key in assembler.language.reference(ref).spans if key]
    assert cached_refs == expected and len(expected) > 5
    bookmarks = {b.get(f"{{{W}}}name") for b in document.iter(f"{{{W}}}bookmarkStart")}
    for instruction, _ in found:
        if instruction.startswith("REF "):
            assert instruction.split()[1] in bookmarks


def test_a_reference_to_a_list_item_is_a_field_and_a_link(mou, tree):
    assembler, agreement = tree
    article = next(a for a in agreement.articles if any(i.label for i in walk(a, Item)))
    item = next(i for i in walk(article, Item) if i.label)
    document = etree.fromstring(zipfile.ZipFile(mou / "mou.docx").read("word/document.xml"))
    marks = {b.get(f"{{{W}}}name"): b for b in document.iter(f"{{{W}}}bookmarkStart")}
    name = next(n for n in marks if n.startswith("item_") and n.endswith(item.label))
    # the bookmark holds the item's letter, and a REF field shows it where the item is referred to
    start = marks[name]
    letter = "".join(t.text for t in start.getnext().iter(f"{{{W}}}t"))
    assert letter == assembler.language.position(item.kind, item.index)
    assert (f"REF {name} \\h", letter) in fields(document)
    reader = PdfReader(mou / "mou.pdf")
    assert f"/{article.clause_id}-{item.label}" in {str(k) for k in reader.named_destinations} | \
        {f"/{k}" for k in reader.named_destinations}


def test_plain_numbers_option(tmp_path, library, tree):
    result = docgen("build", "mou", "--parties", "bali,ntb", "--format", "docx", "--plain-numbers",
                    "--out", str(tmp_path), cwd=library)
    assert result.returncode == 0, result.stderr
    xml = zipfile.ZipFile(tmp_path / "bali-ntb/mou.docx").read("word/document.xml").decode()
    assert "fldChar" not in xml
    import docx
    texts = " ".join(p.text for p in docx.Document(str(tmp_path / "bali-ntb/mou.docx")).paragraphs)
    assembler, agreement = tree
    for ref in walk(agreement.articles, Ref):
        printed = assembler.language.reference(ref)
        assert printed.lead + printed.text in texts
    assert assembler.language.article_heading(1) in texts


def insert_pasal_before_second(source: Path, target: Path) -> None:
    """What a drafter does in Word: copy a Pasal heading (with its SEQ field) and insert it earlier."""
    package = zipfile.ZipFile(source)
    document = etree.fromstring(package.read("word/document.xml"))
    headings = document.xpath("//w:p[w:pPr/w:pStyle/@w:val='Pasal']", namespaces=NS)
    second = headings[1]
    heading, title = copy.deepcopy(second), copy.deepcopy(second.getnext())
    for mark in heading.xpath(".//w:bookmarkStart|.//w:bookmarkEnd", namespaces=NS):
        mark.getparent().remove(mark)
    for text in title.iter(f"{{{W}}}t"):
        text.text = "PASAL SISIPAN"
    second.addprevious(heading)
    second.addprevious(title)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in package.namelist():
            data = package.read(name)
            if name == "word/document.xml":
                data = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
            out.writestr(name, data)


def pasal_references(text: str) -> list[int]:
    import re
    return [int(n) for n in re.findall(r"dimaksud dalam Pasal (\d+)", " ".join(text.split()))]


def test_a_pasal_inserted_by_hand_renumbers_pasal_and_references(mou, tree, tmp_path):
    edited = tmp_path / "sisipan.docx"
    insert_pasal_before_second(mou / "mou.docx", edited)
    libreoffice_convert([edited], "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "sisipan.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    original = subprocess.run(["pdftotext", "-raw", str(mou / "mou.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    lines = text.replace("\f", "\n").split("\n")   # a page may begin with a Pasal
    headings = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if line.startswith("Pasal ")
                and line[6:].strip().isdigit()]
    titles = [a.title for a in tree[1].articles]
    assert headings[:3] == [("Pasal 1", titles[0]), ("Pasal 2", "PASAL SISIPAN"), ("Pasal 3", titles[1])]
    before, after = pasal_references(original), pasal_references(text)
    assert len(after) == len(before) > 2
    assert after == [n + 1 if n >= 2 else n for n in before]


def test_pdf_outline_and_reference_links(mou, tree):
    reader = PdfReader(mou / "mou.pdf")
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    pasal = [entry for entry in outline if entry[0].startswith("Pasal ")]
    assert [title.split()[1] for title, _ in pasal] == [str(n) for n in range(1, len(pasal) + 1)]
    assert pasal[0][0] == f"Pasal 1 {tree[1].articles[0].title}"
    pages_of = {title.split()[1]: page for title, page in pasal}
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}
    links = 0
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                links += 1
                assert str(annotation["/Dest"]) in destinations
    assert links == len(list(walk(tree[1].articles, Ref)))
    # a link to an article leads to the page where that Pasal starts
    assert destinations["jangka-waktu"] == pages_of[str(next(
        int(t.split()[1]) for t, _ in pasal if t.endswith("JANGKA WAKTU")))]
