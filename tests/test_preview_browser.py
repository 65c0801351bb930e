"""`docgen preview` in a real browser: Debian's Chromium, driven by Selenium through the system's chromedriver.

Set DOCGEN_SCREENSHOTS=docs (`make screenshots`) to refresh the README's pictures.
"""
from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import chromium, preview_server
from conftest import assembler_for, docgen, pdf_body_text, words
from docgen import build
from docgen.catalogue import Request
from test_documents import without_repeated_table_header

# A sentence a drafter adds to a clause, and a typo of a variable that breaks it.
ADDED = "Pemberitahuan secara tertulis sebagaimana dimaksud dalam Pasal ini disampaikan melalui surat resmi."
BROKEN = "Pemberitahuan disampaikan kepada {{ para_pihakk }}."
WAIT_S = 20
# What a reader sees on the sheet: text of block-level parts separated, inline parts joined; the
# preview's own hover labels, the footer (paraf boxes, page numbers) and the watermark left out.
SHEET_TEXT = """
const skip = (e) => e.matches('.jejak, .kaki, .draf');
const out = [];
(function walk(node) {
  if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
  if (node.nodeType !== Node.ELEMENT_NODE || skip(node)) return;
  if (node.tagName === 'BR') { out.push(' '); return; }
  const inline = getComputedStyle(node).display === 'inline';
  if (!inline) out.push(' ');
  node.childNodes.forEach(walk);
  if (!inline) out.push(' ');
})(arguments[0]);
return out.join('');
"""


def screenshot(driver, tmp_path: Path, name: str) -> None:
    driver.save_screenshot(str(tmp_path / name))
    assert (tmp_path / name).stat().st_size > 10_000
    folder = os.environ.get("DOCGEN_SCREENSHOTS")
    if folder:
        driver.save_screenshot(str(Path(folder) / name))


def section_text(driver, clause_id: str) -> str:
    return " ".join(driver.find_element(By.ID, clause_id).text.split())


def test_drafters_loop(project_copy, tmp_path):
    """Headings, an edit seen without reloading, a broken clause shown as file:line, then fixed."""
    assembler = assembler_for(project_copy)
    three = "-".join(assembler.catalogue.combinations()[0])
    clauses = assembler.library.articles("mou", None)
    edited = next(c for c in clauses if c.sector is None and len(c.source.strip().split("\n")) > 1)
    path = project_copy / "clauses" / "common" / Path(edited.path).name
    shown_path = f"clauses/common/{path.name}"
    original = path.read_text(encoding="utf-8")
    with preview_server(project_copy) as url, chromium() as driver:
        wait = WebDriverWait(driver, WAIT_S)
        driver.get(f"{url}doc/{three}/mou")
        headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "h2.nomor-pasal")]
        titles = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "h3.judul-pasal")]
        assert headings == [f"Pasal {n}" for n in range(1, len(clauses) + 1)]
        assert titles == [c.title for c in clauses]

        # every blank still to fill is highlighted
        agreement = assembler.agreement(Request("mou", assembler.catalogue.combinations()[0]))
        marked = driver.find_elements(By.CSS_SELECTOR, ".lembar .kosong")
        assert len(marked) == len(build.blanks(agreement)) > 0
        assert {b.value_of_css_property("background-color") for b in marked} != {"rgba(0, 0, 0, 0)"}

        # an edit appears in the open page without a reload
        driver.execute_script("window.notReloaded = true")
        assert ADDED not in section_text(driver, edited.id)
        path.write_text(original.rstrip("\n") + "\n\n" + ADDED + "\n", encoding="utf-8")
        wait.until(lambda d: ADDED in section_text(d, edited.id))
        assert driver.execute_script("return window.notReloaded") is True

        # traced: hovering the Pasal shows its clause id and file:line, linked to the clause's source
        section = driver.find_element(By.ID, edited.id)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", section)
        ActionChains(driver).move_to_element(section).perform()
        label = section.find_element(By.CSS_SELECTOR, ".jejak")
        wait.until(lambda d: label.is_displayed())
        assert label.text == f"{shown_path}:{edited.line} · {edited.id}"
        with urllib.request.urlopen(label.get_attribute("href")) as response:
            assert response.read().decode() == path.read_text(encoding="utf-8")
        screenshot(driver, tmp_path, "preview.png")

        # a broken clause: the check's file:line at the top, the last good rendering below
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "\n" + BROKEN + "\n", encoding="utf-8")
        broken_line = len(text.split("\n")) + 1
        panel = driver.find_element(By.ID, "masalah")
        wait.until(lambda d: f"{shown_path}:{broken_line}:" in panel.text)
        wait.until(lambda d: not d.find_element(By.ID, "memeriksa").is_displayed())
        checked = docgen("check", cwd=project_copy).stdout.splitlines()
        assert panel.find_element(By.TAG_NAME, "ul").text.split("\n") == checked
        assert any(line.startswith(f"{shown_path}:{broken_line}:") for line in checked)
        driver.execute_script("window.scrollTo(0, 0)")
        assert panel.location["y"] < driver.find_element(By.CSS_SELECTOR, ".lembar").location["y"]
        assert ADDED in section_text(driver, edited.id)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", section)
        screenshot(driver, tmp_path, "preview-error.png")

        # fixed: the problem goes, the page follows the file again — still without a reload
        path.write_text(original, encoding="utf-8")
        wait.until(lambda d: ADDED not in section_text(d, edited.id) and not panel.is_displayed())
        assert driver.execute_script("return window.notReloaded") is True


@pytest.mark.parametrize("kind", ["mou", "pks"])
def test_preview_text_is_the_pdf_text(project_copy, kind):
    """What the browser shows of a document says the same words as its PDF, downloaded from the preview."""
    assembler = assembler_for(project_copy)
    request_codes = assembler.catalogue.combinations()[-1]
    name = "mou" if kind == "mou" else f"pks-{assembler.library.scope()[0]}"
    key = f"{'-'.join(request_codes)}/{name}"
    with preview_server(project_copy) as url, chromium() as driver:
        driver.get(f"{url}doc/{key}")
        shown = driver.execute_script(SHEET_TEXT, driver.find_element(By.CSS_SELECTOR, ".lembar"))
        with urllib.request.urlopen(f"{url}download/{key}.pdf") as response:
            assert response.headers["Content-Type"] == "application/pdf"
            downloaded = response.read()
    built = project_copy / "output" / f"{key}.pdf"
    assert built.read_bytes() == downloaded
    pdf_words = without_repeated_table_header(words(pdf_body_text(built)))
    assert words(shown) == pdf_words
    assert len(pdf_words) > 1000


def test_two_party_versions_beside_the_three_party_one(project_copy):
    assembler = assembler_for(project_copy)
    combinations = ["-".join(codes) for codes in assembler.catalogue.combinations()]
    with preview_server(project_copy) as url, chromium(1600, 900) as driver:
        driver.get(f"{url}compare/mou")
        sheets = driver.find_elements(By.CSS_SELECTOR, ".dokumen[data-doc]")
        assert [s.get_attribute("data-doc") for s in sheets] == [f"{c}/mou" for c in combinations]
        tops = {s.location["y"] for s in sheets}
        lefts = [s.location["x"] for s in sheets]
        assert len(tops) == 1 and lefts == sorted(lefts)  # one row, the three-party version first
        for sheet, codes in zip(sheets, assembler.catalogue.combinations()):
            titles = [h.text for h in sheet.find_elements(By.CSS_SELECTOR, "h3.judul-pasal")]
            assert titles == [a.title for a in assembler.agreement(Request("mou", codes)).articles]
        # pointing at a Pasal of one version marks the same clause in every version
        clause = assembler.library.articles("mou", None)[0].id
        ActionChains(driver).move_to_element(sheets[0].find_element(By.ID, clause)).perform()
        marked = driver.find_elements(By.CSS_SELECTOR, "section.pasal.sorot")
        assert [m.get_attribute("id") for m in marked] == [clause] * len(sheets)
