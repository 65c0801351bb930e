"""The built DOCX and PDF files, read back by LibreOffice, pandoc, pdftotext and pypdf."""
import subprocess
import zipfile

from pypdf import PdfReader

from conftest import docgen, libreoffice_convert, pdf_body_text, pdf_full_text, words

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_every_document_in_both_formats(built, shipped):
    requests = shipped.catalogue.requests()
    expected = {f"{r.combination}/{r.name}.{fmt}" for r in requests for fmt in ("docx", "pdf")}
    found = {str(p.relative_to(built)) for p in built.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert found == expected
    assert len(found) == 2 * len(shipped.catalogue.combinations()) * (1 + len(shipped.library.scope()))


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


def test_documents_name_only_their_parties(built, docx_text, shipped):
    provinces = shipped.library.provinces
    roles = list(shipped.library.programme["peran"])
    for docx_path, text in docx_text.items():
        codes = docx_path.parent.name.split("-")
        pdf = pdf_body_text(docx_path.with_suffix(".pdf"))
        for body in (text, pdf):
            flat = " ".join(words(body))
            for role in roles[len(codes):]:
                assert role not in flat, docx_path
            for absent in (c for c in provinces if c not in codes):
                assert provinces[absent]["pemerintah"] not in flat, docx_path


def test_the_mou_of_every_party_names_everything(built, docx_text, shipped):
    library, language = shipped.library, shipped.language
    everyone = tuple(library.provinces)
    text = " ".join(words(docx_text[built / "-".join(everyone) / "mou.docx"]))
    for province in library.provinces.values():
        assert province["pemerintah"] in text
        if province["gubernur"]["nama"]:
            assert province["gubernur"]["nama"].upper() in text
    for role in library.programme["peran"][:len(everyone)]:
        assert role in text
    assert f"rangkap {language.bilangan(len(everyone))}" in text
    for slug in library.scope():
        assert library.sectors[slug]["nama"] in text


def test_pks_cites_the_mou_date_and_its_agencies(built, docx_text, shipped):
    library, language = shipped.library, shipped.language
    mou_date, pks_date = library.programme["mou"]["tanggal"], library.programme["pks"]["tanggal"]
    sector = library.scope()[-1]
    for request in shipped.catalogue.requests("pks", sector=sector):
        text = " ".join(words(docx_text[built / request.combination / f"{request.name}.docx"]))
        assert language.tanggal_kata(mou_date) in text
        assert f"{language.hari(pks_date)}, {language.tanggal_kata(pks_date)}" in text
        for code in request.codes:
            assert library.agencies[sector][code]["nama"] in text
        assert "LAMPIRAN" in text


def test_pandoc_reads_every_docx(built, shipped):
    heading, parties = shipped.language.article_heading(1), shipped.library.programme["para_pihak"]
    for path in sorted(built.rglob("*.docx")):
        result = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", str(path)],
                                capture_output=True, text=True, check=True)
        assert heading in result.stdout and parties in result.stdout, path


def test_libreoffice_converts_the_docx_to_pdf(built, tmp_path, shipped):
    # every combination's MoU, copied under its own name: same-named files would overwrite each other
    files = []
    for codes in shipped.catalogue.combinations():
        files.append(tmp_path / "in" / f"{'-'.join(codes)}-mou.docx")
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes((built / "-".join(codes) / "mou.docx").read_bytes())
    libreoffice_convert(files, "pdf", tmp_path)
    for path in files:
        reader = PdfReader(tmp_path / f"{path.stem}.pdf")
        assert shipped.language.article_heading(1) in " ".join(page.extract_text() for page in reader.pages[:4])
        codes = path.stem.removesuffix("-mou").split("-")
        footer = reader.pages[0].extract_text()
        assert all(shipped.library.provinces[c]["singkatan"] in footer for c in codes), path
    single = tmp_path / "single"
    request = shipped.catalogue.requests("pks")[-1]
    libreoffice_convert([built / request.combination / f"{request.name}.docx"], "pdf", single)
    reader = PdfReader(single / f"{request.name}.pdf")
    assert len(reader.pages) >= 8
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 215 and round(float(box.height) / 72 * 25.4) == 330


def test_docx_page_styles_and_properties(built, shipped):
    everyone = tuple(shipped.library.provinces)
    path = built / "-".join(everyone) / "mou.docx"
    from conftest import request_of
    agreement = request_of(shipped, "mou", everyone)
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        document = package.read("word/document.xml").decode()
        styles = package.read("word/styles.xml").decode()
        core = package.read("docProps/core.xml").decode()
        app = package.read("docProps/app.xml").decode()
        footers = [package.read(n).decode() for n in names if n.startswith("word/footer")]
    assert not any("thumbnail" in n or n.startswith("customXml") for n in names)
    assert "python-docx" not in core and "Macintosh" not in app
    assert f"<dc:title>{agreement.title}</dc:title>" in core
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
    for label in agreement.page.paraf:
        assert shipped.language.word("page", "paraf").format(label) in footers[0]


def test_pdf_pages_fonts_and_paraf_boxes(built, shipped):
    provinces = shipped.library.provinces
    paraf = shipped.language.word("page", "paraf")
    for codes in (shipped.catalogue.combinations()[0], shipped.catalogue.combinations()[-1]):
        labels = [paraf.format(provinces[c]["singkatan"]) for c in codes]
        others = [paraf.format(provinces[c]["singkatan"]) for c in provinces if c not in codes]
        path = built / "-".join(codes) / "mou.pdf"
        reader = PdfReader(path)
        box = reader.pages[0].mediabox
        assert round(float(box.width) / 72 * 25.4) == 215 and round(float(box.height) / 72 * 25.4) == 330
        for number, page in enumerate(pdf_full_text(path), start=1):
            for label in labels:
                assert label in page
            for label in others:
                assert label not in page
            assert str(number) in page.split()
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.strip().split("\n")[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows)  # every font embedded


def test_a4_by_option(tmp_path, small):
    result = docgen("build", "mou", "--parties", "ntb,bali", "--paper", "A4", "--out", str(tmp_path), cwd=small)
    assert result.returncode == 0, result.stderr
    box = PdfReader(tmp_path / "bali-ntb" / "mou.pdf").pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210 and round(float(box.height) / 72 * 25.4) == 297
    with zipfile.ZipFile(tmp_path / "bali-ntb" / "mou.docx") as package:
        assert 'w:w="11906"' in package.read("word/document.xml").decode()


def test_bookman_font_setting(tmp_path, small):
    result = docgen("build", "mou", "--parties", "bali,ntt", "--font", "Bookman Old Style", "--format", "pdf",
                    "--out", str(tmp_path), cwd=small)
    assert result.returncode == 0, result.stderr
    fonts = subprocess.run(["pdffonts", str(tmp_path / "bali-ntt" / "mou.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Bonum" in fonts or "Bookman" in fonts


def test_draft_watermark_is_seen_but_not_text(built, shipped):
    combination = "-".join(shipped.catalogue.combinations()[-1])
    path = built / combination / "mou.pdf"
    assert "DRAF" in PdfReader(path).metadata.get("/Keywords", "")
    assert "DRAF" not in " ".join(pdf_full_text(path))  # outlines, not letters a search would find
    page = PdfReader(path).pages[1]
    assert any("/XObject" in str(k) for k in page["/Resources"].keys())  # the watermark image
    with zipfile.ZipFile(built / combination / "mou.docx") as package:
        headers = [package.read(n).decode() for n in package.namelist() if n.startswith("word/header")]
        core = package.read("docProps/core.xml").decode()
    assert any('string="DRAF"' in h for h in headers)
    assert "<cp:contentStatus>Draf</cp:contentStatus>" in core
