"""The built DOCX and PDF files, read back by LibreOffice, pandoc, pdftotext and pypdf."""
import subprocess
import zipfile

import yaml
from pypdf import PdfReader

from docgen import indonesian

from conftest import PROJECT, docgen, libreoffice_convert, pdf_body_text, pdf_full_text, words

COMBINATIONS = ["bali-ntb-ntt", "bali-ntb", "bali-ntt", "ntb-ntt"]
SECTORS = ["pariwisata", "sosial", "kebencanaan", "pertanian", "kelautan-perikanan", "industri", "perdagangan",
           "teknologi-informasi", "perhubungan", "energi"]
STEMS = ["mou"] + [f"pks-{s}" for s in SECTORS]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_every_document_in_both_formats(built):
    expected = {f"{c}/{stem}.{fmt}" for c in COMBINATIONS for stem in STEMS for fmt in ("docx", "pdf")}
    found = {str(p.relative_to(built)) for p in built.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert found == expected
    assert len(found) == 88


def without_repeated_table_header(tokens: list[str]) -> list[str]:
    """A PDF repeats the annex table's header on every page it runs over; a text export does not."""
    for start in range(len(tokens) - 2):
        if tokens[start:start + 2] == ["No.", "Kegiatan"]:
            header = tokens[start:tokens.index("Tahun", start) + 1]
            rest, kept = tokens[start + len(header):], []
            while rest:
                if rest[:len(header)] == header:
                    rest = rest[len(header):]
                else:
                    kept.append(rest.pop(0))
            return tokens[:start + len(header)] + kept
    return tokens


def test_docx_and_pdf_say_the_same_words(built, docx_text):
    for docx_path, text in docx_text.items():
        pdf_words = without_repeated_table_header(words(pdf_body_text(docx_path.with_suffix(".pdf"))))
        docx_words = words(text)
        assert docx_words == pdf_words, docx_path
        assert len(docx_words) > 1500


def test_two_party_documents_in_the_files(built, docx_text):
    absent = {"bali-ntb": "Nusa Tenggara Timur", "bali-ntt": "Nusa Tenggara Barat", "ntb-ntt": "Provinsi Bali"}
    for docx_path, text in docx_text.items():
        combination = docx_path.parent.name
        if combination in absent:
            pdf = pdf_body_text(docx_path.with_suffix(".pdf"))
            for body in (text, pdf):
                assert "PIHAK KETIGA" not in body
                assert absent[combination] not in body.replace("\n", " ")


def test_three_party_mou_names_everything(built, docx_text):
    text = " ".join(words(docx_text[built / "bali-ntb-ntt" / "mou.docx"]))
    for name in ("Pemerintah Provinsi Bali", "Pemerintah Provinsi Nusa Tenggara Barat",
                 "Pemerintah Provinsi Nusa Tenggara Timur", "I WAYAN KOSTER", "LALU MUHAMAD IQBAL",
                 "EMANUEL MELKIADES LAKA LENA", "PIHAK KETIGA", "rangkap 3 (tiga)"):
        assert name in text
    for sector in yaml.safe_load((PROJECT / "clauses/sectors.yaml").read_text(encoding="utf-8")).values():
        assert sector["nama"] in text


def test_pks_cites_the_mou_date_and_its_agencies(built, docx_text):
    signed = yaml.safe_load((PROJECT / "clauses/programme.yaml").read_text(encoding="utf-8"))["pks"]["tanggal"]
    for combination in COMBINATIONS:
        text = " ".join(words(docx_text[built / combination / "pks-perhubungan.docx"]))
        assert "tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima" in text
        assert f"Pada hari ini {indonesian.hari(signed)}, {indonesian.tanggal_kata(signed)}" in text
        assert "Dinas Perhubungan Provinsi" in text
        assert "LAMPIRAN" in text


def test_pandoc_reads_every_docx(built):
    for path in sorted(built.rglob("*.docx")):
        result = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", str(path)],
                                capture_output=True, text=True, check=True)
        assert "Pasal 1" in result.stdout and "PARA PIHAK" in result.stdout, path


def test_libreoffice_converts_the_docx_to_pdf(built, tmp_path):
    files = [built / c / "mou.docx" for c in COMBINATIONS]
    libreoffice_convert(files, "pdf", tmp_path)
    for path in files:
        converted = tmp_path / f"{path.stem}.pdf"
        # same stem in every folder: convert one at a time to keep them apart
        assert converted.exists()
    single = tmp_path / "single"
    libreoffice_convert([built / "bali-ntb" / "pks-energi.docx"], "pdf", single)
    reader = PdfReader(single / "pks-energi.pdf")
    assert len(reader.pages) >= 8
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 215 and round(float(box.height) / 72 * 25.4) == 330


def test_docx_page_styles_and_properties(built):
    path = built / "bali-ntb-ntt" / "mou.docx"
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        document = package.read("word/document.xml").decode()
        styles = package.read("word/styles.xml").decode()
        core = package.read("docProps/core.xml").decode()
        app = package.read("docProps/app.xml").decode()
        footers = [package.read(n).decode() for n in names if n.startswith("word/footer")]
    assert not any("thumbnail" in n or n.startswith("customXml") for n in names)
    assert "python-docx" not in core and "Macintosh" not in app
    assert "<dc:title>Nota Kesepahaman tentang Kerja Sama Regional Bali–NTB–NTT</dc:title>" in core
    assert "<dc:subject>" in core
    # F4: 215 × 330 mm in twentieths of a point
    assert 'w:w="12189"' in document and 'w:h="18709"' in document
    for style in ("Judul Naskah", "Pasal", "Judul Pasal", "Isi", "Ayat", "Huruf", "Angka"):
        assert f'w:styleId="{style.replace(" ", "")}"' in styles
    for style in ("Judul Naskah", "Pasal", "Judul Pasal", "Isi", "Ayat", "Huruf"):
        assert f'<w:pStyle w:val="{style.replace(" ", "")}"/>' in document, style
    assert 'w:ascii="Arial"' in styles
    assert len(footers) == 1
    assert 'w:instr="PAGE"' in footers[0]
    for label in ("Paraf Bali", "Paraf NTB", "Paraf NTT"):
        assert label in footers[0]


def test_pdf_pages_fonts_and_paraf_boxes(built):
    for combination, labels in (("bali-ntb-ntt", ["Paraf Bali", "Paraf NTB", "Paraf NTT"]),
                                ("ntb-ntt", ["Paraf NTB", "Paraf NTT"])):
        path = built / combination / "mou.pdf"
        reader = PdfReader(path)
        box = reader.pages[0].mediabox
        assert round(float(box.width) / 72 * 25.4) == 215 and round(float(box.height) / 72 * 25.4) == 330
        for number, page in enumerate(pdf_full_text(path), start=1):
            for label in labels:
                assert label in page
            assert "Paraf Bali" in page or combination == "ntb-ntt"
            assert str(number) in page.split()
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.strip().split("\n")[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows)  # every font embedded


def test_a4_by_option(tmp_path):
    result = docgen("build", "mou", "--parties", "ntb,bali", "--paper", "A4", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    box = PdfReader(tmp_path / "bali-ntb" / "mou.pdf").pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210 and round(float(box.height) / 72 * 25.4) == 297
    with zipfile.ZipFile(tmp_path / "bali-ntb" / "mou.docx") as package:
        assert 'w:w="11906"' in package.read("word/document.xml").decode()


def test_bookman_font_setting(tmp_path):
    result = docgen("build", "mou", "--parties", "bali,ntt", "--font", "Bookman Old Style", "--format", "pdf",
                    "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    fonts = subprocess.run(["pdffonts", str(tmp_path / "bali-ntt" / "mou.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Bonum" in fonts or "Bookman" in fonts


def test_draft_watermark_is_seen_but_not_text(built):
    path = built / "bali-ntb" / "mou.pdf"
    assert "DRAF" in PdfReader(path).metadata.get("/Keywords", "")
    assert "DRAF" not in " ".join(pdf_full_text(path))  # outlines, not letters a search would find
    page = PdfReader(path).pages[1]
    assert any("/XObject" in str(k) for k in page["/Resources"].keys())  # the watermark image
    with zipfile.ZipFile(built / "bali-ntb" / "mou.docx") as package:
        headers = [package.read(n).decode() for n in package.namelist() if n.startswith("word/header")]
        core = package.read("docProps/core.xml").decode()
    assert any('string="DRAF"' in h for h in headers)
    assert "<cp:contentStatus>Draf</cp:contentStatus>" in core
