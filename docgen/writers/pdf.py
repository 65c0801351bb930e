"""Agreement tree → HTML (templates/pdf) → PDF with WeasyPrint, fonts shipped in templates/fonts."""
from __future__ import annotations

import base64
import datetime as dt
import urllib.parse
from functools import lru_cache
from pathlib import Path

import jinja2
import weasyprint
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont
from jinja2.sandbox import SandboxedEnvironment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..errors import DocgenError
from ..library import inside, load_data, read_bytes, read_text
from ..model import DOTS, DRAFT_MARK, Agreement, Blank, Change, Ref


def html(agreement: Agreement, templates: Path, date: dt.datetime) -> str:
    """The HTML WeasyPrint renders: the same tree the DOCX writer reads."""
    family, fonts = _fonts(templates, agreement.page.font)
    watermark = _watermark(fonts.get("bold") or fonts["regular"], DRAFT_MARK) if agreement.draft else ""
    return _environment(templates).get_template("agreement.html").render(
        a=agreement, dots=DOTS, family=family, font_files=fonts, date=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        watermark=watermark)


def write(agreement: Agreement, templates: Path, date: dt.datetime) -> bytes:
    """The PDF bytes of one agreement."""
    document = weasyprint.HTML(string=html(agreement, templates, date), base_url=str(templates / "pdf") + "/",
                               url_fetcher=_LibraryFiles(templates))
    # a fixed identifier per document keeps the bytes reproducible
    identifier = f"{agreement.combination}/{agreement.name}".encode()
    return document.write_pdf(font_config=FontConfiguration(), pdf_identifier=identifier)


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


@lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    # the page template is library text like the frames: sandboxed, and read only from templates/pdf/
    def source(name: str) -> str:
        return read_text(inside(templates / "pdf" / name, templates))
    env = SandboxedEnvironment(loader=jinja2.FunctionLoader(source), autoescape=True,
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
