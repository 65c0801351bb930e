"""The clause body syntax: ayat, lists, punctuation, labels."""
import pytest

from docgen import language
from docgen.errors import DocgenError
from docgen.markup import paragraphs

from conftest import PROJECT

WORDS = language.load(PROJECT / "templates")
plain = WORDS.plain


def parse(text, numbered=True):
    return paragraphs(text, "x.md", numbered, WORDS)


def label(item):
    return WORDS.item_label(item)


def test_single_paragraph_is_not_numbered():
    (only,) = parse("Nota Kesepahaman ini berlaku sejak ditandatangani.")
    assert only.number is None


def test_several_paragraphs_are_ayat():
    result = parse("Satu.\n\nDua.\n\n[#tiga] Tiga.")
    assert [WORDS.ayat_label(p.number) for p in result] == ["(1)", "(2)", "(3)"]
    assert result[2].label == "tiga" and plain(result[2].content) == "Tiga."


def test_list_punctuation_and_conjunction():
    (p,) = parse("Ruang lingkup meliputi:\n- pariwisata\n- sosial;\n- energi.")
    assert [(label(i), plain(i.content)) for i in p.items] == [
        ("a.", "pariwisata;"), ("b.", "sosial; dan"), ("c.", "energi.")]


def test_chosen_conjunction_and_none():
    (p,) = parse("Berakhir apabila:\n- disepakati\n- tujuan tercapai; atau\n- objek hilang")
    assert plain(p.items[1].content) == "tujuan tercapai; atau"
    (q,) = parse("Dasar:\n+ satu;\n+ dua;\n+ tiga;")
    assert [plain(i.content) for i in q.items] == ["satu;", "dua;", "tiga."]
    assert [label(i) for i in q.items] == ["1.", "2.", "3."]


def test_nested_levels_follow_drafting_order():
    (p,) = parse("Meliputi:\n- satu:\n  - sub satu\n    - dalam\n      - terdalam\n  - sub dua\n- dua")
    first = p.items[0]
    assert plain(first.content) == "satu:"
    assert [label(i) for i in first.items] == ["1.", "2."]
    assert label(first.items[0].items[0]) == "a)"
    assert label(first.items[0].items[0].items[0]) == "1)"
    # the punctuation of an item with sub-items falls on its last sub-item
    assert plain(first.items[1].content) == "sub dua; dan"
    assert plain(p.items[1].content) == "dua."


def test_too_deep_is_an_error_with_line():
    with pytest.raises(DocgenError) as error:
        parse("A:\n- 1\n  - 2\n    - 3\n      - 4\n        - 5")
    assert (error.value.path, error.value.line) == ("x.md", 6)


def test_an_item_can_carry_a_label():
    (p,) = parse("Berakhir apabila:\n- disepakati\n- [#tercapai] tujuan tercapai")
    assert [i.label for i in p.items] == [None, "tercapai"]
    assert plain(p.items[1].content) == "tujuan tercapai."
