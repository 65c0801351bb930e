"""Drafting per UU 12/2011 Lampiran II and the regulations of regional cooperation, read from the shipped data."""
import re

import yaml

from docgen import language as languages
from docgen.markup import paragraphs
from docgen.writers import text as text_writer

from conftest import PROJECT, docgen, request_of

LANGUAGE = languages.load(PROJECT / "templates")
plain = LANGUAGE.plain


def text(agreement) -> str:
    return text_writer.text(agreement, LANGUAGE)


def pks(assembler, codes, sector):
    return request_of(assembler, "pks", codes, sector)


def data(name):
    return yaml.safe_load((PROJECT / "clauses" / f"{name}.yaml").read_text(encoding="utf-8"))


def legal_basis(agreement) -> list[str]:
    """The numbered items of the 'Dengan memperhatikan …' paragraph."""
    paragraph = next(p for p in agreement.preamble if "peraturan perundang-undangan" in plain(p.content)
                     and p.items)
    return [plain(item.content) for item in paragraph.items]


def test_dasar_hukum_cites_each_partys_own_province_law_and_no_other(shipped):
    provinces = data("provinces")
    for codes in shipped.catalogue.combinations():
        for agreement in (request_of(shipped, 'mou', codes), pks(shipped, codes, shipped.library.scope()[0])):
            cited = " ".join(legal_basis(agreement))
            for code, province in provinces.items():
                law = province["undang_undang"]
                title = f"Tahun {law['tahun']} tentang {law['tentang']}"
                assert (title in cited) == (code in codes), (codes, agreement.name, title)
            body = text(agreement)
            assert "64 Tahun 1958" not in body  # replaced by each province's own law: neither basis nor recital


def test_dasar_hukum_in_order_of_rank_year_and_number(shipped):
    cited = legal_basis(request_of(shipped, 'mou', ("bali", "ntb")))
    ranks = [("Undang-Undang" in c and 1) or ("Peraturan Pemerintah" in c and 2) or 3 for c in cited]
    assert ranks == sorted(ranks)
    laws = [(int(m.group(2)), int(m.group(1))) for c in cited
            for m in [re.match(r"Undang-Undang Nomor (\d+) Tahun (\d+)", c)] if m]
    assert laws == sorted(laws) and len(laws) == 4


def test_the_recitals_name_the_provinces_as_daerah_and_the_ksdd_category(shipped):
    categories = data("programme")["kategori_ksdd"]
    for codes in shipped.catalogue.combinations():
        body = " ".join(text(request_of(shipped, 'mou', codes)).split())
        assert "Pemerintah Provinsi Bali merupakan daerah" not in body
        assert f"kategori {categories['-'.join(codes)]['kategori']}" in body


def test_each_pks_prints_its_sectors_urusan(shipped):
    sectors = data("sectors")
    for slug in shipped.library.scope():
        body = " ".join(text(pks(shipped, ("ntb", "ntt"), slug)).split())
        assert f"urusan pemerintahan bidang {sectors[slug]['urusan_bidang']}, yang merupakan {sectors[slug]['urusan']}" \
            in body


def test_every_rule_names_its_source():
    rules = data("rules")["wajib"]
    for kind, entries in rules.items():
        for rule in entries:
            assert str(rule.get("sumber") or "").strip(), rule
            assert isinstance(rule.get("sumber_terverifikasi"), bool), rule
    assert "75/2022" not in (PROJECT / "clauses/rules.yaml").read_text(encoding="utf-8")


def test_a_rule_without_a_source_is_reported(project_copy):
    path = project_copy / "clauses/rules.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, l in enumerate(lines) if l.strip().startswith("sumber:"))
    del lines[index]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = docgen("check", cwd=project_copy)
    assert result.returncode != 0
    assert f"clauses/rules.yaml:{index}: this rule names no source" in result.stdout.split("\n")[0] or any(
        l.startswith(f"clauses/rules.yaml:{index}: this rule names no source") for l in result.stdout.split("\n")), \
        result.stdout


def test_definitions_end_with_a_period(shipped):
    article = next(a for a in pks(shipped, ("bali", "ntb"), "pariwisata").articles if a.title == "KETENTUAN UMUM")
    items = article.paragraphs[0].items
    assert len(items) > 5 and all(plain(i.content).endswith(".") for i in items)
    assert not any(plain(i.content).endswith("; dan") for i in items)


def test_a_list_typed_with_periods_keeps_a_period_after_each_item():
    items = paragraphs("Yang dimaksud dengan:\n+ A adalah satu.\n+ B adalah dua.\n", "x.md", False, LANGUAGE)[0].items
    assert [plain(i.content) for i in items] == ["A adalah satu.", "B adalah dua."]


def test_a_defined_term_in_other_capitals_is_an_error_at_its_line(project_copy):
    path = project_copy / "clauses/pks/pks-penutup.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(9, "Salinan disampaikan kepada pihak lainnya.\n\nSalinan disampaikan kepada perangkat daerah terkait.\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = docgen("check", cwd=project_copy)
    reported = result.stdout.split("\n")
    assert result.returncode != 0
    assert any(l.startswith("clauses/pks/pks-penutup.md:10: 'pihak' is the term 'PIHAK' defined in Ketentuan Umum")
               for l in reported), reported
    assert any(l.startswith("clauses/pks/pks-penutup.md:12: 'perangkat daerah' is the term 'Perangkat Daerah'")
               for l in reported), reported


def test_the_pks_recitals_cite_the_mou_itself(shipped):
    agreement = pks(shipped, ("bali", "ntb"), "perhubungan")
    recitals = " ".join(plain(p.content) + " " + " ".join(plain(i.content) for i in p.items)
                        for p in agreement.preamble)
    assert "huruf a" not in recitals
    assert recitals.count("Nota Kesepahaman tentang Kerja Sama Regional") >= 2


def test_one_party_model_in_the_pks(shipped):
    agreement = pks(shipped, ("bali", "ntt"), "pariwisata")
    title = " ".join(plain(line) for line in agreement.title_lines)
    assert "PEMERINTAH PROVINSI BALI DAN PEMERINTAH PROVINSI NUSA TENGGARA TIMUR" in title
    assert "DINAS" not in title
    body = " ".join(text(agreement).split())
    assert "PARA PIHAK adalah PIHAK KESATU dan PIHAK KEDUA, yaitu Pemerintah Provinsi Bali dan Pemerintah Provinsi " \
           "Nusa Tenggara Timur, yang masing-masing diwakili oleh kepala Perangkat Daerah" in body
    assert "bertindak untuk dan atas nama Pemerintah Provinsi Bali berdasarkan Surat Kuasa Gubernur Bali" in body
    assert "Gubernur adalah kepala daerah provinsi" in body
    for signature in agreement.signatures:
        assert "UNTUK DAN ATAS NAMA" in plain(signature.office)
        assert [plain(line).split()[0] for line in signature.below] == ["NIP"]


def test_lampiran_headed_with_numbers_and_date_and_closed_by_signatures(shipped):
    import datetime as dt
    agreement = pks(shipped, ("bali", "ntb", "ntt"), "energi")
    annex = agreement.annexes[0]
    heading = [plain(line) for line in annex.heading]
    assert sum(line.startswith("NOMOR :") for line in heading) == 3
    signed = shipped.library.programme["pks"]["tanggal"]
    assert f"TANGGAL : {LANGUAGE.tanggal(signed).upper()}" in heading
    assert annex.signatures == agreement.signatures
    assert {"Indikator", "Lokasi", "Sumber Dana Indikatif"} <= set(annex.table.header)
    assert isinstance(signed, dt.date)


def test_lead_roles_come_from_the_data_of_the_sector(shipped):
    special = yaml.safe_load((PROJECT / "clauses/energi/lampiran.yaml").read_text(encoding="utf-8"))["peran_khusus"]
    for codes in shipped.catalogue.combinations():
        body = " ".join(text(pks(shipped, codes, "energi")).split())
        for code, role in special.items():
            assert (role["kewajiban"][0] in body) == (code in codes)


def test_every_pks_protects_personal_data(shipped):
    for slug in shipped.library.scope():
        titles = [a.title for a in pks(shipped, ("bali", "ntb"), slug).articles]
        assert "PELINDUNGAN DATA PRIBADI" in titles
        body = text(pks(shipped, ("bali", "ntb"), slug))
        assert "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi" in body


def test_terms_used_consistently():
    for path in list((PROJECT / "clauses").rglob("*.md")) + list((PROJECT / "clauses").rglob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        assert "monitoring dan evaluasi" not in source.lower(), path
        assert "energi baru terbarukan" not in source.lower(), path


def test_each_sector_article_of_the_mou_refers_to_its_own_item_of_the_scope(shipped):
    for codes in shipped.catalogue.combinations():
        agreement = request_of(shipped, "mou", codes)
        scope = next(a for a in agreement.articles if a.clause_id == "ruang-lingkup")
        for index, slug in enumerate(shipped.library.scope()):
            article = next(a for a in agreement.articles if a.clause_id == f"{slug}-mou")
            first = plain(article.paragraphs[0].content)
            letter = LANGUAGE.item_label(scope.paragraphs[0].items[index]).rstrip(".")
            assert f"sebagaimana dimaksud dalam Pasal {scope.number} ayat (1) huruf {letter} " in first, first
