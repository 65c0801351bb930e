"""Agreement tree → a standalone HTML page: the PDF's page template and CSS (with the layout of
templates/layout.yaml, which the DOCX shares), fonts referenced.

`page()` is the public entry point (the PDF writer and a preview call it); `write()` is the
writer registered as `--format html`.
"""
from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

from .. import layout as layout_data
from ..errors import DocgenError
from ..language import Language, load
from ..library import inside, load_data, read_text
from ..model import DOTS, Agreement, Blank, Change, Ref

TEMPLATE = "agreement.html"
STYLESHEET = "agreement.css"


def page(agreement: Agreement, templates: Path, language: Language | None = None,
         date: dt.datetime | None = None, font_url: Callable[[Path], str] | None = None,
         styled: bool = True) -> str:
    """The whole page as one HTML string, its stylesheet included unless `styled` is false.

    `language` defaults to the agreement's own words file; `date` is stamped as created/modified
    when given; `font_url` turns a font file into the URL the page loads it from (default: its
    file:// URL; a server passes its own route). Without the styles the page is for a renderer
    that applies `stylesheet()` itself (the PDF writer parses it once per process).
    """
    language = language or load(templates, agreement.language)
    watermark = ""
    if agreement.draft:
        fonts = _fonts(templates, agreement.page.font)[1]
        watermark = _watermark(fonts.get("bold") or fonts["regular"], language.word("page", "watermark"))
    layout = layout_data.load(templates)
    return _environment(templates).get_template(TEMPLATE).render(
        a=agreement, language_tag=language.word("page", "language_tag"),
        annex_widths=lambda count: [round(w, 3) for w in layout_data.column_widths(layout.annex_columns, count)],
        words=language, ref=language.reference, dots=DOTS, quoted=_quoted(agreement),
        styles=stylesheet(agreement, templates, font_url) if styled else "",
        date=date.strftime("%Y-%m-%dT%H:%M:%SZ") if date else "", watermark=watermark)


def stylesheet(agreement: Agreement, templates: Path, font_url: Callable[[Path], str] | None = None) -> str:
    """The page's CSS: the font faces, the layout of templates/layout.yaml and agreement.css. It depends
    only on the page settings (paper, font) and the templates, not on the text."""
    family, fonts = _fonts(templates, agreement.page.font)
    url = font_url or (lambda path: path.resolve().as_uri())
    return _environment(templates).get_template("stylesheet.css").render(
        a=agreement, l=layout_data.load(templates), family=family,
        font_files={style: url(path) for style, path in fonts.items()},
        css=read_text(templates / "pdf" / STYLESHEET))


def _quoted(agreement: Agreement) -> set[str]:
    """The clause ids of the articles an adendum's changes quote: a reference inside a quoted article
    links to one of them, and is plain text otherwise."""
    return {quoted.clause_id for article in agreement.articles for amendment in article.amendments
            for quoted in amendment.articles}


def write(agreement: Agreement, context) -> bytes:
    return page(agreement, context.templates, context.language, context.date).encode()


@lru_cache(maxsize=4)
def _watermark(font: Path, text: str) -> str:
    """The watermark as an SVG image of the letters' outlines: seen on every page, but not text a
    reader copies or a search finds (as Word's own watermark)."""
    font = TTFont(font)
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    # one path for all the letters, flipped and placed by the pen: a PDF renderer draws it on every page
    top = font["OS/2"].sCapHeight or font["head"].yMax
    pen, x = SVGPathPen(glyphs), 0
    for char in text:
        glyph = glyphs[cmap[ord(char)]]
        glyph.draw(TransformPen(pen, (1, 0, 0, -1, x, 0)))
        x += glyph.width
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {-top} {x} {top}">'
           f'<path fill="#000" fill-opacity="0.12" d="{pen.getCommands()}"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


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


def _fonts(templates: Path, font: str) -> tuple[str, dict[str, Path]]:
    """The family that renders the font setting, and its files by style."""
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
        files[style] = path
    return family, files
