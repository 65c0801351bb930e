"""Benchmark of docgen against the targets of the performance issue; run it with `make bench`.

Everything happens in a temporary copy of clauses/ and templates/, so the repository and its
output/ are never touched. Prints a table and writes bench/results.json.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import pypdf
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from docgen.assemble import Assembler, Options
from docgen.catalogue import Request
from docgen.library import load
from docgen.writers import Context, html, pdf

REPO = Path(__file__).resolve().parent.parent
DOCGEN = Path(sys.executable).parent / "docgen"
DATE = dt.datetime(2025, 11, 25)
THREE, TWO = ("bali", "ntb", "ntt"), ("bali", "ntb")
COMBINATION = "-".join(THREE)
EDITED = Path("clauses/pariwisata/pks-ruang-lingkup.md")
PAGES = (10, 50, 200)
PREVIEW_EDITS = 10
# Marks, in the browser, the moment the edited words are on screen: the first frame painted after they
# entered the page (requestAnimationFrame runs before that paint, the timeout after it).
WATCH_SHEET = """
window.seen = {};
window.wanted = [];
new MutationObserver(() => {
  const text = document.querySelector('.lembar').textContent;
  for (const words of window.wanted) {
    if (words in window.seen || !text.includes(words)) continue;
    window.seen[words] = null;
    requestAnimationFrame(() => setTimeout(() => { window.seen[words] = Date.now(); }));
  }
}).observe(document.querySelector('.lembar'), {childList: true, subtree: true, characterData: true});
"""
CALIBRATION_COPIES = 20


def timed(fn, runs: int = 1, warmup: bool = False) -> tuple[float, object]:
    """Best wall time of `runs` calls of fn (after one untimed call if warmup), and the last result."""
    if warmup:
        fn()
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(key: str, label: str, value, unit: str, target: str, met, **extra) -> dict:
    """One row of the table and of results.json; key names it in results.json."""
    return {"key": key, "label": label, "value": value, "unit": unit, "target": target, "met": met, **extra}


def build_all(root: Path) -> tuple[float, int, int]:
    """`docgen build all` in root: wall time, files written, files up to date."""
    command = [str(DOCGEN), "build", "all", "--out", str(root / "output")]
    seconds, done = timed(lambda: subprocess.run(command, cwd=root, capture_output=True, text=True))
    if done.returncode:
        sys.exit(f"docgen build failed:\n{done.stderr}")
    written, kept = re.search(r"(\d+) written, (\d+) up to date", done.stdout).groups()
    return seconds, int(written), int(kept)


def build_measures(root: Path) -> list[dict]:
    """Full build from clean, no-op rebuild, and rebuild after a one-word edit of one clause."""
    full, written, _ = build_all(root)
    pdf_pages = sum(len(pypdf.PdfReader(path).pages) for path in (root / "output").glob("*/*.pdf"))
    noop, rewritten, kept = build_all(root)
    clause = root / EDITED
    text = clause.read_text(encoding="utf-8")
    clause.write_text(text.replace("berkelanjutan", "lestari", 1), encoding="utf-8")
    edit, edited, _ = build_all(root)
    return [
        measure("full_build", f"full build ({written} files, {pdf_pages} PDF pages)", round(full, 2), "s",
                "< 15 s", full < 15, written=written, pdf_pages=pdf_pages),
        measure("noop_rebuild", f"no-op rebuild ({rewritten} written, {kept} up to date)", round(noop, 2), "s",
                "< 0.3 s", noop < 0.3 and rewritten == 0, written=rewritten),
        measure("one_clause_edit", f"one-clause edit ({edited} written, 8 expected)", round(edit, 2), "s",
                "< 2 s", edit < 2, written=edited),
    ]


def assembler(root: Path) -> Assembler:
    """A fresh assembler over the library in root."""
    return Assembler(load(root), Options())


def context(root: Path) -> Context:
    """What the writers need besides the tree: templates, the fixed date and the words."""
    return Context(root / "templates", DATE, assembler(root).language)


def floor(html: str, templates: Path) -> bytes:
    """WeasyPrint alone, rendering the page of our writer the plain way: its styles inline, parsed again
    with a new font configuration for every document (our writer parses them once per process)."""
    return weasyprint.HTML(string=html, base_url=str(templates / "pdf") + "/").write_pdf(
        font_config=FontConfiguration())


def overhead_measures(root: Path, documents: dict) -> tuple[list[dict], dict]:
    """Our PDF path against WeasyPrint's own rendering, per document; also returns our best times."""
    templates, rows, ours = root / "templates", [], {}
    for name, agreement in documents.items():
        words = context(root)
        ours[name], _ = timed(lambda: pdf.write(agreement, words), runs=5, warmup=True)
        page = html.page(agreement, templates, words.language, DATE)
        alone, _ = timed(lambda: floor(page, templates), runs=5, warmup=True)
        percent = (ours[name] / alone - 1) * 100
        rows.append(measure(f"overhead_{name}", f"PDF overhead over WeasyPrint, {name} {COMBINATION} "
                            f"({ours[name]:.2f} s vs {alone:.2f} s)", round(percent, 1), "%", "<= 15 %",
                            percent <= 15, ours_s=round(ours[name], 3), weasyprint_s=round(alone, 3)))
    return rows, ours


def archive_measures(root: Path, documents: dict) -> list[dict]:
    """A draft (plain PDF) against the same document final (PDF/A-3a, tagged, manifest embedded)."""
    rows, words = [], context(root)
    archive = dataclasses.replace(words, manifest=b"{}")
    for name, agreement in documents.items():
        draft, _ = timed(lambda: pdf.write(agreement, words), runs=5, warmup=True)
        final = dataclasses.replace(agreement, draft=False)
        archived, _ = timed(lambda: pdf.write(final, archive), runs=5, warmup=True)
        rows.append(measure(f"final_over_draft_{name}", f"final PDF/A-3a / draft PDF, {name} {COMBINATION} "
                            f"({archived:.2f} s vs {draft:.2f} s)", round(archived / draft, 2), "x", "-", None,
                            draft_s=round(draft, 3), final_s=round(archived, 3)))
    return rows


def soffice_convert(soffice: str, profile: Path, outdir: Path, files: list[Path]) -> None:
    """LibreOffice headless converting `files` to PDF in one call, with the user profile `profile`."""
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True)
    missing = [f.name for f in files if not (outdir / f"{f.stem}.pdf").is_file()]
    if missing:
        sys.exit(f"LibreOffice did not convert {', '.join(missing)}")


def pages(folder: Path) -> int:
    return sum(len(pypdf.PdfReader(path).pages) for path in folder.rglob("*.pdf"))


def batch_measures(root: Path, runs: int = 2) -> list[dict]:
    """The peer a user of the Word template has: LibreOffice converting the whole folder of our DOCX in
    one call (warm profile), against `docgen build all --format pdf` of the same documents from clean.
    Both are run `runs` times, in turn, and the best of each counts."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return [measure("libreoffice_batch", "our PDFs / LibreOffice batch", None, "x", "<= 1.5x", None,
                        note="not measured: LibreOffice not installed")]
    folder = root / "batch-docx"   # one folder, a unique name per document: <combination>-<name>.docx
    folder.mkdir()
    for docx in sorted((root / "output").glob("*/*.docx")):
        shutil.copy(docx, folder / f"{docx.parent.name}-{docx.name}")
    files = sorted(folder.glob("*.docx"))
    profile = root / "lo-profile"
    soffice_convert(soffice, profile, root / "lo-warm", files[:1])   # creates and warms the profile
    command = [str(DOCGEN), "build", "all", "--format", "pdf"]
    best_ours = best_theirs = float("inf")
    for run in range(runs):
        ours_out, theirs_out = root / f"batch-ours-{run}", root / f"batch-lo-{run}"
        start = time.perf_counter()
        done = subprocess.run([*command, "--out", str(ours_out)], cwd=root, capture_output=True, text=True)
        best_ours = min(best_ours, time.perf_counter() - start)
        if done.returncode or f"{len(files)} written" not in done.stdout:
            sys.exit(f"docgen build --format pdf failed:\n{done.stdout}{done.stderr}")
        start = time.perf_counter()
        soffice_convert(soffice, profile, theirs_out, files)
        best_theirs = min(best_theirs, time.perf_counter() - start)
    ours_pages, theirs_pages = pages(ours_out), pages(theirs_out)
    ratio = best_ours / best_theirs
    return [measure("libreoffice_batch", f"our {len(files)} PDFs ({ours_pages} pages, {best_ours:.2f} s) / LibreOffice "
                    f"batch, one call ({theirs_pages} pages, {best_theirs:.2f} s)", round(ratio, 2), "x", "<= 1.5x",
                    ratio <= 1.5, ours_s=round(best_ours, 2), libreoffice_s=round(best_theirs, 2),
                    documents=len(files), ours_pages=ours_pages, libreoffice_pages=theirs_pages)]


def libreoffice_measures(root: Path, ours: dict) -> list[dict]:
    """LibreOffice converting one DOCX per call (its start-up included each time) against our PDF writer
    on the same document in a warm process: not what a user converting a folder sees (batch_measures)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return [measure(f"libreoffice_{name}", f"LibreOffice single call / ours, {name} {COMBINATION}", None, "x",
                        "-", None, note="not measured: LibreOffice not installed") for name in ours]
    profile, outdir = root / "lo-profile", root / "lo"
    files = {name: root / "output" / COMBINATION / f"{name}.docx" for name in ours}
    soffice_convert(soffice, profile, outdir, [files["mou"]])  # creates the profile
    rows = []
    for name, docx in files.items():
        seconds, _ = timed(lambda: soffice_convert(soffice, profile, outdir, [docx]), runs=3)
        ratio = seconds / ours[name]
        rows.append(measure(f"libreoffice_{name}", f"LibreOffice single call (start-up included) / ours, {name} "
                            f"{COMBINATION} ({seconds:.2f} s vs {ours[name]:.2f} s)", round(ratio, 1), "x", "-",
                            None, libreoffice_s=round(seconds, 3)))
    return rows


def add_copies(root: Path, count: int) -> None:
    """Replace the synthetic MoU articles with `count` copies of the sector MoU articles, in turn."""
    common = root / "clauses" / "common"
    for old in common.glob("ulang-*.md"):
        old.unlink()
    library = load(root)
    sources = [c for c in library.clauses if c.id.endswith("-mou") and c.sector]
    for n in range(1, count + 1):
        clause = sources[(n - 1) % len(sources)]
        body = clause.source.lstrip("\n")  # the source has its header blanked out
        (common / f"ulang-{n}.md").write_text(
            f"---\nid: ulang-{n}\ntitle: {clause.title} (LANJUTAN {n})\ndocuments: [mou]\n"
            f"position: {125 + n / 1000}\n---\n{body}", encoding="utf-8")


def mou_pdf(root: Path, copies: int, runs: int = 3) -> tuple[float, int]:
    """Best time of our PDF of the two-party MoU with `copies` synthetic articles, and its pages."""
    add_copies(root, copies)
    agreement = assembler(root).agreement(Request("mou", TWO))
    words = context(root)
    seconds, data = timed(lambda: pdf.write(agreement, words), runs=runs)
    return seconds, len(pypdf.PdfReader(io.BytesIO(data)).pages)


def scaling_measures(root: Path) -> tuple[list[dict], list[dict]]:
    """Our PDF time at about 10, 50 and 200 pages; time per page at the largest against the smallest."""
    base = mou_pdf(root, 0, runs=1)[1]
    per_copy = (mou_pdf(root, CALIBRATION_COPIES, runs=1)[1] - base) / CALIBRATION_COPIES
    sizes = []
    for target in PAGES:
        copies = max(0, round((target - base) / per_copy))
        seconds, count = mou_pdf(root, copies)
        sizes.append({"target_pages": target, "pages": count, "copies": copies, "seconds": round(seconds, 3),
                      "seconds_per_page": round(seconds / count, 4)})
        per_copy = (count - base) / copies if copies else per_copy  # a longer document estimates better
    growth = sizes[-1]["seconds_per_page"] / sizes[0]["seconds_per_page"]
    rows = [measure(f"pdf_about_{s['target_pages']}_pages",
                    f"PDF of a {s['pages']}-page MoU ({s['seconds_per_page']:.3f} s/page)", s["seconds"], "s",
                    "-", None) for s in sizes]
    rows.append(measure("scaling", f"time per page, {sizes[-1]['pages']} vs {sizes[0]['pages']} pages",
                        round(growth, 2), "x", "<= 1.25x (linear)", growth <= 1.25))
    return rows, sizes


def preview_measures(root: Path) -> list[dict]:
    """`docgen preview` with the three-party MoU open in Chromium: from a clause file's write to the new
    words in the page, for PREVIEW_EDITS one-clause edits (each after the previous check finished)."""
    sys.path.insert(0, str(REPO / "tests"))
    from browser import chromium, preview_server
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    clause = root / "clauses" / "common" / "jangka-waktu.md"
    original = clause.read_text(encoding="utf-8")
    language = assembler(root).language
    latencies = []
    with preview_server(root) as url, chromium() as driver:
        driver.get(f"{url}doc/{COMBINATION}/mou")
        driver.execute_script(WATCH_SHEET)
        idle = WebDriverWait(driver, 120)
        for edit in range(1, PREVIEW_EDITS + 1):
            idle.until(lambda d: not d.find_element(By.ID, "memeriksa").is_displayed())
            days = 10 + edit
            words = f"paling lambat {language.bilangan(days)} hari kerja"
            driver.execute_script("window.wanted.push(arguments[0])", words)
            sentence = f"Pemberitahuan perpanjangan disampaikan {words} sebelum jangka waktu berakhir."
            written = time.time()
            clause.write_text(f"{original.rstrip()}\n\n{sentence}\n", encoding="utf-8")
            seen = WebDriverWait(driver, 10).until(lambda d: d.execute_script("return window.seen[arguments[0]]", words))
            latencies.append((seen / 1000 - written) * 1000)
    clause.write_text(original, encoding="utf-8")
    latencies.sort()
    median, worst = latencies[len(latencies) // 2], latencies[-1]
    return [measure("preview_latency", f"preview: clause saved -> new words in the browser, MoU {COMBINATION} "
                    f"(median of {len(latencies)} edits; slowest {worst:.0f} ms)", round(median), "ms", "< 300 ms",
                    worst < 300, slowest_ms=round(worst), edits_ms=[round(x) for x in latencies])]


def machine() -> dict:
    """What the numbers were measured on."""
    soffice = shutil.which("soffice")
    office = soffice and subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "weasyprint": version("weasyprint"), "python-docx": version("python-docx"), "libreoffice": office}


def table(rows: list[dict]) -> str:
    """The measures as aligned plain text."""
    def value(row: dict) -> str:
        return row.get("note") or (f"{row['value']} {row['unit']}" if row["unit"] != "x" else f"{row['value']}x")

    cells = [("Measure", "Value", "Target", "Met")] + [
        (r["label"], value(r), r["target"], {True: "yes", False: "NO", None: "-"}[r["met"]]) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip() for cell in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(only: list[str]) -> None:
    """Measure in a temporary copy of the library, print the table, write bench/results.json.

    `bench/run.py preview` measures only the preview and replaces only its row in results.json.
    """
    if only not in ([], ["preview"]):
        sys.exit("usage: bench/run.py [preview]")
    root = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    try:
        for folder in ("clauses", "templates"):
            shutil.copytree(REPO / folder, root / folder)
        if only == ["preview"]:
            rows = preview_measures(root)
        else:
            rows = build_measures(root)
            rows += batch_measures(root)
            library = assembler(root)
            documents = {"mou": library.agreement(Request("mou", THREE)),
                         "pks-pariwisata": library.agreement(Request("pks-pariwisata", THREE))}
            overhead, ours = overhead_measures(root, documents)
            rows += overhead + archive_measures(root, documents) + libreoffice_measures(root, ours)
            scaling, sizes = scaling_measures(root)
            rows += scaling
            add_copies(root, 0)
            rows += preview_measures(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(table(rows))
    now = dt.datetime.now().isoformat(timespec="seconds")
    path = REPO / "bench" / "results.json"
    if only:
        results = json.loads(path.read_text())
        results["measures"].update({row.pop("key"): {**row, "date": now} for row in rows})
    else:
        results = {"date": now, "machine": machine(), "measures": {row.pop("key"): row for row in rows},
                   "scaling": sizes}
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
