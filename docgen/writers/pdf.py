"""Agreement tree → the HTML page (writers/html.py) → PDF with WeasyPrint, fonts from templates/fonts."""
from __future__ import annotations

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..model import Agreement
from . import html


def write(agreement: Agreement, context) -> bytes:
    """The PDF bytes of one agreement."""
    page = html.page(agreement, context.templates, context.language, context.date)
    document = weasyprint.HTML(string=page, base_url=str(context.templates / "pdf") + "/")
    # a fixed identifier per document keeps the bytes reproducible
    identifier = f"{agreement.combination}/{agreement.name}".encode()
    return document.write_pdf(font_config=FontConfiguration(), pdf_identifier=identifier)
