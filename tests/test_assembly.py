"""Assembly on the shipped library and on small changed copies: roles, counts, numbering, references."""
import pytest

from docgen.errors import DocgenError
from docgen.writers.text import text

from docgen import facts
from docgen.model import DOTS
from conftest import assembler_for

ABSENT_NAMES = {"bali": ["Bali"], "ntb": ["Nusa Tenggara Barat", "NTB"], "ntt": ["Nusa Tenggara Timur", "NTT"]}


def documents(assembler, codes):
    yield assembler.mou(codes)
    for sector in assembler.mou_scope():
        yield assembler.pks(codes, sector)


def test_every_combination_of_two_or_more(shipped):
    assert ["-".join(c) for c in shipped.combinations()] == ["bali-ntb-ntt", "bali-ntb", "bali-ntt", "ntb-ntt"]


@pytest.mark.parametrize("codes", [("bali", "ntb"), ("bali", "ntt"), ("ntb", "ntt")])
def test_two_party_documents_name_no_third_party(shipped, codes):
    absent = next(c for c in ("bali", "ntb", "ntt") if c not in codes)
    for agreement in documents(shipped, codes):
        body = text(agreement)
        assert "PIHAK KETIGA" not in body, agreement.name
        for name in ABSENT_NAMES[absent]:
            # whole words only: 'Bali' must not match inside another word
            assert f" {name} " not in f" {body} ".replace("\n", " ").replace("–", " ").replace(",", " "), \
                (agreement.name, name)
        assert "rangkap 2 (dua)" in body and "rangkap 3" not in body
        assert len(agreement.signatures) == 2 and len(agreement.page.paraf) == 2


def test_three_party_mou_names_every_government_and_sector(shipped):
    body = text(shipped.mou(("bali", "ntb", "ntt")))
    for government in ("Pemerintah Provinsi Bali", "Pemerintah Provinsi Nusa Tenggara Barat",
                       "Pemerintah Provinsi Nusa Tenggara Timur"):
        assert government in body
    for sector in shipped.library.sectors.values():
        assert f"{sector['nama']};" in body or f"{sector['nama']}." in body
    assert "PIHAK KESATU, PIHAK KEDUA, dan PIHAK KETIGA" in body
    assert "rangkap 3 (tiga)" in body
    assert "Pada hari ini Selasa, tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima" in body


def test_mou_articles_in_the_required_order(shipped):
    titles = [a.title for a in shipped.mou(("bali", "ntb")).articles]
    expected = ["MAKSUD DAN TUJUAN", "RUANG LINGKUP", "BENTUK KERJA SAMA", "PELAKSANAAN", "PEMBIAYAAN",
                "JANGKA WAKTU", "PEMANTAUAN DAN EVALUASI", "PENGHUBUNG DAN ALAMAT KORESPONDENSI", "KEADAAN KAHAR",
                "PENYELESAIAN PERSELISIHAN", "ADENDUM", "PENUTUP"]
    assert [t for t in titles if t in expected] == expected
    assert [a.number for a in shipped.mou(("bali", "ntb")).articles] == list(range(1, len(titles) + 1))


def ref_texts(agreement, clause_id):
    article = next(a for a in agreement.articles if a.clause_id == clause_id)
    found = []
    for paragraph in article.paragraphs:
        for node in paragraph.content + tuple(n for i in paragraph.items for n in i.content):
            if hasattr(node, "target"):
                found.append((node.target, node.text))
    return found


def number_of(agreement, clause_id):
    return next(a.number for a in agreement.articles if a.clause_id == clause_id)


def test_numbering_and_references_follow_an_inserted_clause(project_copy):
    before = assembler_for(project_copy).mou(("bali", "ntb"))
    term = number_of(before, "jangka-waktu")
    assert ("jangka-waktu", f"Pasal {term}") in ref_texts(before, "pelaksanaan")

    (project_copy / "clauses/common/asas.md").write_text(
        "---\nid: asas\ntitle: ASAS\ndocuments: [mou]\nposition: 5\n---\n"
        "Kerja sama dilaksanakan berdasarkan asas saling menguntungkan dalam jangka waktu "
        "{{ ref('jangka-waktu', 'perpanjangan') }}.\n", encoding="utf-8")
    after = assembler_for(project_copy).mou(("bali", "ntb"))
    assert after.articles[0].clause_id == "asas" and after.articles[0].number == 1
    assert number_of(after, "jangka-waktu") == term + 1
    assert ("jangka-waktu", f"Pasal {term + 1}") in ref_texts(after, "pelaksanaan")
    assert ref_texts(after, "asas") == [("jangka-waktu", f"Pasal {term + 1} ayat (2)")]
    assert "sebagaimana dimaksud dalam Pasal" in text(after)


def test_reference_within_the_same_article_says_pada_ayat(shipped):
    body = text(shipped.mou(("bali", "ntb")))
    assert "sebagaimana dimaksud pada ayat (1)" in body


def test_moving_a_clause_renumbers_references(project_copy):
    path = project_copy / "clauses/common/jangka-waktu.md"
    path.write_text(path.read_text(encoding="utf-8").replace("position: 70", "position: 1"), encoding="utf-8")
    moved = assembler_for(project_copy).mou(("bali", "ntb"))
    assert moved.articles[0].clause_id == "jangka-waktu"
    assert ("jangka-waktu", "Pasal 1") in ref_texts(moved, "pelaksanaan")


def test_reference_to_a_missing_clause_names_file_and_line(project_copy):
    path = project_copy / "clauses/common/pembiayaan.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(7, "Lihat {{ ref('tidak-ada') }}.")
    lines.insert(8, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DocgenError) as error:
        assembler_for(project_copy).mou(("bali", "ntb"))
    assert error.value.path.endswith("clauses/common/pembiayaan.md")
    assert error.value.line == 8
    assert "tidak-ada" in error.value.message


def test_pks_names_each_party_agency_and_the_mou_date(shipped):
    agencies = shipped.library.agencies
    for sector in shipped.mou_scope():
        agreement = shipped.pks(("bali", "ntb"), sector)
        body = text(agreement)
        assert "tanggal dua puluh lima, bulan November, tahun dua ribu dua puluh lima" in body
        for code in ("bali", "ntb"):
            agency = facts.on(agencies[sector][code], shipped.library.programme["pks"]["tanggal"])
            assert (agency["nama"] or DOTS) in body
        assert "PIHAK KETIGA" not in body
        assert agreement.annexes and agreement.annexes[0].table.rows


def test_unknown_head_prints_a_dotted_blank(project_copy):
    from docgen.model import DOTS, Blank
    agreement = assembler_for(project_copy).pks(("bali", "ntb"), "pariwisata")
    assert all(isinstance(part, Blank) for s in agreement.signatures for part in s.name)
    assert text(agreement).count(DOTS) >= 2

    agencies = project_copy / "clauses/agencies.yaml"
    source = agencies.read_text(encoding="utf-8")
    start = source.index("pariwisata:")
    head = source.index("nama: ~", source.index("kepala:", start))
    agencies.write_text(source[:head] + "nama: Ni Luh Sari" + source[head + len("nama: ~"):], encoding="utf-8")
    named = assembler_for(project_copy).pks(("bali", "ntb"), "pariwisata")
    assert "NI LUH SARI" in text(named)
    assert isinstance(named.signatures[1].name[0], Blank)
