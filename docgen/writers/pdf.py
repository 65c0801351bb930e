"""Agreement tree → the HTML page (writers/html.py) → PDF with WeasyPrint, fonts from templates/fonts."""
from __future__ import annotations

import os
import urllib.parse
from functools import lru_cache
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..library import read_bytes
from ..model import Agreement
from . import html


# A final PDF is for the archive: PDF/A-3 ("a": tagged, with a structure tree for screen readers and
# reflow; "3": files may be embedded, such as the manifest of the clauses it was made from).
ARCHIVE_VARIANT = "pdf/a-3a"
MANIFEST_NAME = "docgen-manifest.json"


def write(agreement: Agreement, context) -> bytes:
    """The PDF bytes of one agreement: a plain PDF for a draft; PDF/A-3a, tagged, with the manifest of
    `context` embedded as a file, for a final one."""
    page = html.page(agreement, context.templates, context.language, context.date, styled=False)
    document = weasyprint.HTML(string=page, base_url=str(context.templates / "pdf") + "/",
                               url_fetcher=_LibraryFiles(context.templates))
    fonts, stylesheet = _parsed(html.stylesheet(agreement, context.templates), context.templates, os.getpid())
    # a fixed identifier per document keeps the bytes reproducible
    identifier = f"{agreement.combination}/{agreement.name}".encode()
    options = {}
    if not agreement.draft:
        options["pdf_variant"] = ARCHIVE_VARIANT
        if context.manifest is not None:
            options["attachments"] = [weasyprint.Attachment(
                string=context.manifest, name=MANIFEST_NAME, relationship="Supplement",
                description="docgen: the clauses this document was made from",
                created=context.date, modified=context.date)]
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_identifier=identifier, **options)


class _LibraryFiles(URLFetcher):
    """WeasyPrint reads only regular files under templates/ (the stylesheet, the fonts) and data: URLs;
    a stylesheet that points anywhere else gets nothing."""

    def __init__(self, templates: Path):
        super().__init__(allowed_protocols=("file", "data"))
        self.root = templates.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            if not path.resolve().is_relative_to(self.root):
                raise ValueError(f"{url} is outside templates/; the PDF reads only the library's own files")
            read_bytes(path)   # a regular file, or a refusal instead of a wait on a pipe
        return super().fetch(url, headers)


@lru_cache(maxsize=8)
def _parsed(css: str, templates: Path, process: int) -> tuple[FontConfiguration, weasyprint.CSS]:
    """The stylesheet parsed once per process, with its own font configuration holding its font faces:
    every document with the same paper and font reuses both (the process id keeps a forked worker from
    sharing its parent's)."""
    fonts = FontConfiguration()
    return fonts, weasyprint.CSS(string=css, base_url=str(templates / "pdf") + "/", font_config=fonts,
                                 url_fetcher=_LibraryFiles(templates))
