"""What a user sees: one-line errors with file and line, no traceback, nothing half-written."""
from conftest import docgen


def assert_clean_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_list_shows_provinces_sectors_and_clauses(shipped):
    result = docgen("list")
    assert result.returncode == 0
    library = shipped.library
    for code, province in library.provinces.items():
        assert code in result.stdout and province["pemerintah"] in result.stdout
    for slug in library.sectors:
        assert slug in result.stdout
    for clause in library.clauses:
        assert clause.id in result.stdout


def test_unknown_province_and_sector():
    assert_clean_error(docgen("build", "mou", "--parties", "bali,jawa"), "unknown province 'jawa'")
    assert_clean_error(docgen("build", "mou", "--parties", "bali"), "at least two")
    assert_clean_error(docgen("build", "pks", "--sector", "tambang"), "unknown sector 'tambang'")


def test_unknown_font_is_refused_before_anything_is_written(tmp_path):
    result = docgen("build", "mou", "--parties", "bali,ntb", "--font", "Comic Sans", "--out", str(tmp_path / "o"))
    assert_clean_error(result, "templates/fonts/fonts.yaml: unknown font 'Comic Sans'")
    assert not (tmp_path / "o").exists()


def test_malformed_yaml_names_file_and_line(small):
    path = small / "clauses/sectors.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "energi: [tidak ditutup\n", encoding="utf-8")
    broken = path.read_text(encoding="utf-8").count("\n")  # the last line opens '[' and never closes it
    result = docgen("build", "mou", "--out", "out", cwd=small)
    assert_clean_error(result, f"clauses/sectors.yaml:{broken}: YAML error")
    assert not (small / "out").exists()


def test_undefined_variable_names_clause_file_and_line(small):
    path = small / "clauses/common/maksud-tujuan.md"
    text = path.read_text(encoding="utf-8").split("\n")
    text[6] = text[6] + " {{ pihak_keempat }}"
    path.write_text("\n".join(text), encoding="utf-8")
    result = docgen("build", "mou", "--out", "out", cwd=small)
    assert_clean_error(result, "clauses/common/maksud-tujuan.md:7:", "pihak_keempat")
    assert not (small / "out").exists()


def test_sandbox_refuses_python_internals(small):
    path = small / "clauses/common/penutup.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n{{ pihak.__class__.__mro__ }}\n", encoding="utf-8")
    result = docgen("build", "mou", "--parties", "bali,ntb", "--out", "out", cwd=small)
    assert_clean_error(result, "clauses/common/penutup.md:")


def test_unwritable_output_folder(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = docgen("build", "mou", "--parties", "bali,ntb", "--format", "docx", "--out", str(blocked / "x"))
    assert_clean_error(result, "cannot write")


def test_non_utf8_clause_names_file_and_line(small):
    path = small / "clauses/common/penutup.md"
    data = path.read_bytes().split(b"\n")
    data[6] = data[6] + " ketentuan yang d\xe9cid\xe9".encode("latin-1")
    path.write_bytes(b"\n".join(data))
    result = docgen("build", "mou", "--out", "out", cwd=small)
    assert_clean_error(result, "clauses/common/penutup.md:7: not UTF-8 text; save the file as UTF-8")
    assert not (small / "out").exists()


def test_control_character_names_file_and_line(small):
    path = small / "clauses/common/penutup.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[8] = lines[8] + " \x0b"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = docgen("check", cwd=small)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stdout.startswith("clauses/common/penutup.md:9: character U+000B is not allowed")


def test_template_syntax_error_names_file_and_line(small):
    path = small / "clauses/common/penutup.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(6, "Menurut {{ para_pihak }")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = docgen("build", "mou", "--out", "out", cwd=small)
    assert_clean_error(result, "clauses/common/penutup.md:7: template syntax:")


def test_unknown_format_is_an_error_not_a_fallback(tmp_path):
    result = docgen("build", "mou", "--parties", "bali,ntb", "--format", "odt", "--out", str(tmp_path / "o"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "'odt'" in result.stderr and not (tmp_path / "o").exists()


def test_a_word_missing_from_the_words_file_names_the_file(small):
    words = small / "templates/lang/id.yaml"
    words.write_text(words.read_text(encoding="utf-8").replace("  conjunction: dan ", "  sambung: dan "),
                     encoding="utf-8")
    result = docgen("build", "mou", "--parties", "bali,ntb", "--out", "out", cwd=small)
    assert_clean_error(result, "templates/lang/id.yaml:", "has no 'lists.conjunction'; add it")
    assert not (small / "out").exists()
