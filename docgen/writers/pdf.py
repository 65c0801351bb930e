"""Agreement tree → the HTML page (writers/html.py) → PDF with WeasyPrint, fonts from templates/fonts."""
from __future__ import annotations

import os
from functools import lru_cache

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..model import Agreement
from . import html


# A final PDF is for the archive: PDF/A-3 ("a": tagged, with a structure tree for screen readers and
# reflow; "3": files may be embedded, such as the manifest of the clauses it was made from).
ARCHIVE_VARIANT = "pdf/a-3a"
MANIFEST_NAME = "docgen-manifest.json"


def write(agreement: Agreement, context) -> bytes:
    """The PDF bytes of one agreement: a plain PDF for a draft; PDF/A-3a, tagged, with the manifest of
    `context` embedded as a file, for a final one."""
    base_url = str(context.templates / "pdf") + "/"
    page = html.page(agreement, context.templates, context.language, context.date, styled=False)
    document = weasyprint.HTML(string=page, base_url=base_url)
    fonts, stylesheet = _parsed(html.stylesheet(agreement, context.templates), base_url, os.getpid())
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


@lru_cache(maxsize=8)
def _parsed(css: str, base_url: str, process: int) -> tuple[FontConfiguration, weasyprint.CSS]:
    """The stylesheet parsed once per process, with its own font configuration holding its font faces:
    every document with the same paper and font reuses both (the process id keeps a forked worker from
    sharing its parent's)."""
    fonts = FontConfiguration()
    return fonts, weasyprint.CSS(string=css, base_url=base_url, font_config=fonts)
