"""Assembly on small test libraries: roles, counts, numbering, references to ayat and items."""
import itertools

import pytest

from docgen.errors import DocgenError
from docgen.model import Blank, Ref, walk
from docgen.writers.text import text

from conftest import assembler_for, docgen, request_of


def documents(assembler, codes):
    """Every document one set of parties can make."""
    return [assembler.agreement(r) for r in assembler.catalogue.requests("all", codes)]


def body(assembler, agreement):
    return text(agreement, assembler.language)


def test_every_combination_of_two_or_more_largest_first(four):
    assembler = assembler_for(four)
    codes = list(assembler.library.provinces)
    combinations = assembler.catalogue.combinations()
    expected = {c for size in range(2, len(codes) + 1) for c in itertools.combinations(codes, size)}
    assert set(combinations) == expected and len(combinations) == len(expected)
    assert [len(c) for c in combinations] == sorted((len(c) for c in combinations), reverse=True)


def test_two_party_documents_name_no_other_province(small):
    assembler = assembler_for(small)
    provinces = assembler.library.provinces
    roles = list(assembler.library.programme["peran"])
    for codes in itertools.combinations(provinces, 2):
        for agreement in documents(assembler, codes):
            words = f" {body(assembler, agreement)} ".replace("\n", " ").replace("–", " ").replace(",", " ")
            for role in roles[2:]:
                assert role not in words, agreement.name
            for absent in (c for c in provinces if c not in codes):
                for name in (provinces[absent]["nama"], provinces[absent]["singkatan"]):
                    assert f" {name} " not in words, (agreement.name, name)   # whole words only
            assert f"rangkap {assembler.language.bilangan(2)}" in words and "rangkap 3" not in words
            assert len(agreement.signatures) == 2 and len(agreement.page.paraf) == 2


def test_four_province_library_builds_every_combination(four, tmp_path):
    assembler = assembler_for(four)
    requests = assembler.catalogue.requests()
    result = docgen("build", "all", "--format", "docx", "--out", str(tmp_path / "out"), cwd=four)
    assert result.returncode == 0, result.stderr
    built = {str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.docx")}
    assert built == {f"{r.combination}/{r.name}.docx" for r in requests}
    everyone = tuple(assembler.library.provinces)
    for agreement in documents(assembler, everyone):
        words = body(assembler, agreement)
        assert "PIHAK KEEMPAT" in words and "rangkap 4 (empat)" in words
        assert len(agreement.signatures) == 4
    import subprocess
    plain = subprocess.run(["pandoc", "--from", "docx", "--to", "plain", "--wrap=none",
                            str(tmp_path / "out" / "-".join(everyone) / "mou.docx")],
                           capture_output=True, text=True, check=True).stdout
    assert "PIHAK KEEMPAT" in plain and "rangkap 4 (empat)" in " ".join(plain.split())


def test_three_party_mou_names_every_government_and_sector(small):
    assembler = assembler_for(small)
    library = assembler.library
    words = body(assembler, request_of(assembler, "mou", tuple(library.provinces)))
    for province in library.provinces.values():
        assert province["pemerintah"] in words
    for sector in library.sectors.values():
        assert f"{sector['nama']};" in words or f"{sector['nama']}." in words
    assert assembler.language.daftar(library.programme["peran"][:3]) in words
    assert f"rangkap {assembler.language.bilangan(3)}" in words
    signed = library.programme["mou"]["tanggal"]
    assert f"{assembler.language.hari(signed)}, {assembler.language.tanggal_kata(signed)}" in words


def refs(agreement, clause_id):
    article = next(a for a in agreement.articles if a.clause_id == clause_id)
    return list(walk(article, Ref))


def printed(assembler, agreement, clause_id):
    return [assembler.language.reference(r).text for r in refs(agreement, clause_id)]


def number_of(agreement, clause_id):
    return next(a.number for a in agreement.articles if a.clause_id == clause_id)


CLAUSE = "---\nid: {id}\ntitle: {title}\ndocuments: [mou]\nposition: {position}\n---\n{body}\n"


def test_numbering_and_references_follow_an_inserted_clause(small):
    codes = tuple(assembler_for(small).library.provinces)[:2]
    before = request_of(assembler_for(small), "mou", codes)
    term = number_of(before, "jangka-waktu")
    (small / "clauses/common/asas.md").write_text(CLAUSE.format(
        id="asas", title="ASAS", position=5,
        body="Kerja sama dilaksanakan berdasarkan asas saling menguntungkan dalam jangka waktu "
             "{{ ref('jangka-waktu', 'masa') }}."), encoding="utf-8")
    assembler = assembler_for(small)
    after = request_of(assembler, "mou", codes)
    assert after.articles[0].clause_id == "asas" and after.articles[0].number == 1
    assert number_of(after, "jangka-waktu") == term + 1
    assert printed(assembler, after, "penutup") == [f"Pasal {term + 1} ayat (1)"]
    assert printed(assembler, after, "asas") == [f"Pasal {term + 1} ayat (1)"]
    assert "sebagaimana dimaksud dalam Pasal" in body(assembler, after)


def test_a_reference_reaches_a_list_item_and_follows_an_inserted_item(small):
    assembler = assembler_for(small)
    codes = tuple(assembler.library.provinces)[:2]
    agreement = request_of(assembler, "mou", codes)
    (item,) = [r for r in refs(agreement, "jangka-waktu") if r.label == "tercapai"]
    assert assembler.language.reference(item).lead.strip() == "sebagaimana dimaksud pada"
    assert assembler.language.reference(item).text == "ayat (2) huruf b"
    (small / "clauses/common/penutup.md").write_text(
        (small / "clauses/common/penutup.md").read_text(encoding="utf-8")
        + "\nLaporan akhir {{ ref('jangka-waktu', 'tercapai') }} disampaikan kepada gubernur.\n", encoding="utf-8")
    clause = small / "clauses/common/jangka-waktu.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "- [#tercapai]", "- jangka waktu kerja sama telah berakhir\n- [#tercapai]"), encoding="utf-8")
    assembler = assembler_for(small)
    after = request_of(assembler, "mou", codes)
    term = number_of(after, "jangka-waktu")
    assert [assembler.language.reference(r).text for r in refs(after, "jangka-waktu")
            if r.label == "tercapai"] == ["ayat (2) huruf c"]
    assert f"sebagaimana dimaksud dalam Pasal {term} ayat (2) huruf c" in body(assembler, after)


def test_moving_a_clause_renumbers_references(small):
    path = small / "clauses/common/jangka-waktu.md"
    path.write_text(path.read_text(encoding="utf-8").replace("position: 70", "position: 1"), encoding="utf-8")
    assembler = assembler_for(small)
    moved = request_of(assembler, "mou", tuple(assembler.library.provinces)[:2])
    assert moved.articles[0].clause_id == "jangka-waktu"
    assert printed(assembler, moved, "penutup") == ["Pasal 1 ayat (1)"]


def test_reference_to_a_missing_clause_names_file_and_line(small):
    path = small / "clauses/common/penutup.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(7, "Lihat {{ ref('tidak-ada') }}.")
    lines.insert(8, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    assembler = assembler_for(small)
    with pytest.raises(DocgenError) as error:
        request_of(assembler, "mou", tuple(assembler.library.provinces)[:2])
    assert error.value.path.endswith("clauses/common/penutup.md")
    assert error.value.line == 8
    assert "tidak-ada" in error.value.message


def test_a_label_used_twice_in_an_article_is_refused(small):
    path = small / "clauses/common/jangka-waktu.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- objek", "- [#tercapai] objek"), encoding="utf-8")
    assembler = assembler_for(small)
    with pytest.raises(DocgenError, match=r"\[#tercapai\]' is used twice"):
        request_of(assembler, "mou", tuple(assembler.library.provinces)[:2])


def test_pks_names_each_party_agency_and_the_mou_date(small):
    assembler = assembler_for(small)
    library = assembler.library
    codes = tuple(library.provinces)[:2]
    cited = assembler.language.tanggal_kata(library.programme["mou"]["tanggal"])
    for sector in library.scope():
        agreement = request_of(assembler, "pks", codes, sector)
        words = body(assembler, agreement)
        assert cited in words
        for code in codes:
            assert library.agencies[sector][code]["nama"] in words
        assert agreement.annexes and len(agreement.annexes[0].table.rows) == len(library.annexes[sector]["kegiatan"])


def test_unknown_head_prints_a_dotted_blank(small):
    from docgen.model import DOTS
    assembler = assembler_for(small)
    codes = tuple(assembler.library.provinces)[:2]
    agreement = request_of(assembler, "pks", codes, "pariwisata")
    assert all(isinstance(part, Blank) for s in agreement.signatures for part in s.name)
    assert body(assembler, agreement).count(DOTS) >= 2

    agencies = small / "clauses/agencies.yaml"
    source = agencies.read_text(encoding="utf-8")
    start = source.index("pariwisata:")
    head = source.index("nama: ~", source.index("kepala:", start))
    agencies.write_text(source[:head] + "nama: Ni Luh Sari" + source[head + len("nama: ~"):], encoding="utf-8")
    assembler = assembler_for(small)
    named = request_of(assembler, "pks", codes, "pariwisata")
    assert "NI LUH SARI" in body(assembler, named)
    assert isinstance(named.signatures[1].name[0], Blank)
