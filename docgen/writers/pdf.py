"""Agreement tree → HTML (templates/pdf) → PDF with WeasyPrint, fonts shipped in templates/fonts."""
from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache
from pathlib import Path

import jinja2
import weasyprint
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont
from weasyprint.text.fonts import FontConfiguration

from .. import layout as layout_data
from ..errors import DocgenError
from ..library import load_data
from ..model import DOTS, DRAFT_MARK, Agreement, Blank, Change, Ref


LANGUAGE = "id-ID"
# A final PDF is for the archive: PDF/A-3 ("a": tagged, with a structure tree for screen readers and
# reflow; "3": files may be embedded, such as the manifest of the clauses it was made from).
ARCHIVE_VARIANT = "pdf/a-3a"
MANIFEST_NAME = "docgen-manifest.json"


def html(agreement: Agreement, templates: Path, date: dt.datetime) -> str:
    """The HTML WeasyPrint renders: the same tree the DOCX writer reads, the layout the DOCX has."""
    family, fonts = _fonts(templates, agreement.page.font)
    layout = layout_data.load(templates)
    watermark = _watermark(fonts.get("bold") or fonts["regular"], DRAFT_MARK) if agreement.draft else ""
    return _environment(templates).get_template("agreement.html").render(
        a=agreement, l=layout, dots=DOTS, family=family, font_files=fonts, language=LANGUAGE,
        date=date.strftime("%Y-%m-%dT%H:%M:%SZ"), watermark=watermark,
        annex_widths=lambda count: [round(w, 3) for w in layout_data.column_widths(layout.annex_columns, count)])


def write(agreement: Agreement, templates: Path, date: dt.datetime, manifest: bytes | None = None) -> bytes:
    """The PDF bytes of one agreement: a plain PDF for a draft; PDF/A-3a, tagged, with `manifest` embedded
    as a file, for a final one."""
    document = weasyprint.HTML(string=html(agreement, templates, date), base_url=str(templates / "pdf") + "/")
    # a fixed identifier per document keeps the bytes reproducible
    identifier = f"{agreement.combination}/{agreement.name}".encode()
    options = {}
    if not agreement.draft:
        options["pdf_variant"] = ARCHIVE_VARIANT
        if manifest is not None:
            options["attachments"] = [weasyprint.Attachment(
                string=manifest, name=MANIFEST_NAME, description="docgen: the clauses this document was made from",
                created=date, modified=date, relationship="Supplement")]
    return document.write_pdf(font_config=FontConfiguration(), pdf_identifier=identifier, **options)


@lru_cache(maxsize=4)
def _watermark(font_uri: str, text: str) -> str:
    """The watermark as an SVG image of the letters' outlines: seen on every page, but not text a
    reader copies or a search finds (as Word's own watermark)."""
    font = TTFont(Path(font_uri.removeprefix("file://")))
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    paths, x = [], 0
    for char in text:
        glyph = glyphs[cmap[ord(char)]]
        pen = SVGPathPen(glyphs)
        glyph.draw(pen)
        paths.append(f'<path transform="translate({x} 0)" d="{pen.getCommands()}"/>')
        x += glyph.width
    top = font["OS/2"].sCapHeight or font["head"].yMax
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {-top} {x} {top}">'
           f'<g transform="scale(1 -1)" fill="#000" fill-opacity="0.12">{"".join(paths)}</g></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates / "pdf"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.tests["ref"] = lambda part: isinstance(part, Ref)
    env.tests["blank"] = lambda part: isinstance(part, Blank)
    env.tests["change"] = lambda part: isinstance(part, Change)
    return env


def _fonts(templates: Path, font: str) -> tuple[str, dict[str, str]]:
    """The family that renders the font setting, and its files by style as file URLs."""
    table = load_data(templates / "fonts" / "fonts.yaml")
    if font not in table:
        raise DocgenError(f"no font files for '{font}'; use one of {', '.join(table)} "
                          "or add it to templates/fonts/fonts.yaml", table.path)
    entry = dict(table[font])
    family = entry.pop("family", font)
    files = {}
    for style, name in entry.items():
        path = templates / "fonts" / name
        if not path.is_file():
            raise DocgenError(f"font file {name} is missing from templates/fonts", table.path,
                              table[font].lines.get(style))
        files[style] = path.resolve().as_uri()
    return family, files
