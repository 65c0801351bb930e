"""The PDF's look survives the work on its speed: the MoU rendered by the PDF writer of a fixed earlier
commit and by today's, from the same library, compared page by page at 50 dpi."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops

from conftest import PROJECT

# The reference: the page templates and PDF writer of the main line just before the PDF writer parsed
# its stylesheet once per process and the page lost the wrapper of each paragraph's text. A change of
# the page's look made on purpose moves it to the commit of that change.
REFERENCE = "60bca43dc393bc70d3cfa25d5eaa36a736a9fadd"
DPI = 50


def render(code: Path, library: Path, out: Path) -> Path:
    """`docgen build mou` of the three-party MoU, with the docgen package found in `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    where = subprocess.run([sys.executable, "-c", "import docgen; print(docgen.__file__)"], cwd=library, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(code.resolve()), where
    result = subprocess.run([sys.executable, "-m", "docgen", "build", "mou", "--parties", "bali,ntb,ntt",
                             "--format", "pdf", "--out", str(out)], cwd=library, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out / "bali-ntb-ntt" / "mou.pdf"


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def pages_image(pdf: Path, folder: Path) -> list[Image.Image]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(folder / "page")], check=True)
    return [Image.open(path) for path in sorted(folder.glob("page-*.pgm"))]


def test_the_mou_looks_as_it_did_before_the_faster_pdf_path(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", REFERENCE, "docgen", "templates/pdf"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(reference)], input=archive, check=True)
    # the same library for both: today's clauses and templates, the reference's page templates
    library = {}
    for name, pages in (("before", reference / "templates" / "pdf"), ("after", PROJECT / "templates" / "pdf")):
        library[name] = tmp_path / f"library-{name}"
        shutil.copytree(PROJECT / "clauses", library[name] / "clauses")
        shutil.copytree(PROJECT / "templates", library[name] / "templates",
                        ignore=shutil.ignore_patterns("pdf"))
        shutil.copytree(pages, library[name] / "templates" / "pdf")
    # the reference reads no instrument catalogue: it gets the MoU's part of the library only, as its
    # build checks every clause and frame it is given (a theme's folder would be a folder of no sector,
    # a PKS clause names fields it does not know, a frame may not extend another)
    clauses = library["before"] / "clauses"
    for theme in clauses.glob("*/tema.yaml"):
        shutil.rmtree(theme.parent)
    shutil.rmtree(clauses / "pks")
    for path in [*clauses.glob("*/pks-*.md"), clauses / "instruments.yaml"]:
        path.unlink()
    for frame in (library["before"] / "templates").glob("*.j2"):
        if frame.name != "mou.j2":
            frame.unlink()
    before = render(reference, library["before"], tmp_path / "out-before")
    after = render(PROJECT, library["after"], tmp_path / "out-after")

    # the same text on the same pages
    assert pages_text(before) == pages_text(after)
    assert len(pages_text(after)) >= 10
    # and the same pixels: the paragraphs' text boxes are laid out where they were
    old, new = pages_image(before, tmp_path / "png-before"), pages_image(after, tmp_path / "png-after")
    assert len(old) == len(new)
    for number, (a, b) in enumerate(zip(old, new), start=1):
        assert a.size == b.size, f"page {number}"
        assert ImageChops.difference(a, b).getbbox() is None, f"page {number} differs"
