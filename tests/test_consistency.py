"""A PKS that would contradict its MoU is refused at build time, naming the line to fix (small test library)."""
import re


from conftest import docgen


def line_of(path, pattern, after=None):
    lines = path.read_text(encoding="utf-8").split("\n")
    start = 0 if after is None else next(i for i, l in enumerate(lines) if re.search(after, l))
    return next(i for i, l in enumerate(lines) if i >= start and re.search(pattern, l)) + 1


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_pks(root, parties="bali,ntb", sector="pariwisata"):
    return docgen("build", "pks", "--parties", parties, "--sector", sector, "--format", "docx",
                  "--out", "out", cwd=root)


def refused(result, root, where):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert where in result.stderr, result.stderr
    assert not list((root / "out").rglob("*.docx")) if (root / "out").exists() else True


def test_the_pks_builds(small):
    result = build_pks(small)
    assert result.returncode == 0, result.stderr
    assert (small / "out/bali-ntb/pks-pariwisata.docx").exists()


def test_sector_outside_the_mou_scope(small):
    programme = small / "clauses/programme.yaml"
    edit(programme, "bidang: [pariwisata, perhubungan]", "bidang: [perhubungan]")
    refused(build_pks(small), small, f"clauses/programme.yaml:{line_of(programme, r'^  bidang:')}:")


def test_term_running_past_the_mou(small):
    programme = small / "clauses/programme.yaml"
    edit(programme, "  jangka_waktu: 3", "  jangka_waktu: 6")
    line = line_of(programme, r"^  jangka_waktu: 6")
    result = build_pks(small)
    refused(result, small, f"clauses/programme.yaml:{line}:")
    assert "past the end of the Nota" in result.stderr


def test_parties_that_are_not_parties_of_an_mou(small):
    programme = small / "clauses/programme.yaml"
    edit(programme, "  tempat_provinsi: ntb\n", "  tempat_provinsi: ntb\n  kombinasi: [bali-ntb]\n")
    refused(build_pks(small, parties="bali,ntt"), small,
            f"clauses/programme.yaml:{line_of(programme, r'^  kombinasi:')}:")
    # a pair inside a larger MoU may make its own PKS under that MoU
    assert build_pks(small, parties="bali,ntb").returncode == 0


def test_pks_must_cite_the_mou_date(small):
    programme = small / "clauses/programme.yaml"
    edit(programme, "pada hari {{ program.mou.tanggal | hari }}, {{ program.mou.tanggal | tanggal_kata }}",
         "pada tanggal dua puluh enam, bulan November, tahun dua ribu dua puluh lima")
    refused(build_pks(small), small, f"clauses/programme.yaml:{line_of(programme, r'^konsiderans:')}:")


def test_pks_dated_before_the_mou(small):
    programme = small / "clauses/programme.yaml"
    edit(programme, "  tanggal: 2025-12-22", "  tanggal: 2025-10-01")
    refused(build_pks(small), small,
            f"clauses/programme.yaml:{line_of(programme, r'^  tanggal: 2025-10-01')}:")


def test_annex_activity_outside_the_pks_term(small):
    annex = small / "clauses/pariwisata/lampiran.yaml"
    text = annex.read_text(encoding="utf-8")
    annex.write_text(text.replace("tahun: 2026", "tahun: 2031", 1), encoding="utf-8")
    result = build_pks(small)
    refused(result, small, f"clauses/pariwisata/lampiran.yaml:{line_of(annex, r'^kegiatan:')}:")
    assert "outside the PKS's term 2025–2028" in result.stderr
