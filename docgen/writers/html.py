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
from fontTools.ttLib import TTFont

from .. import layout as layout_data
from ..errors import DocgenError
from ..language import Language, load
from ..library import inside, load_data, read_text
from ..model import DOTS, Agreement, Blank, Change, Ref

TEMPLATE = "agreement.html"
STYLESHEET = "agreement.css"


def page(agreement: Agreement, templates: Path, language: Language | None = None,
         date: dt.datetime | None = None, font_url: Callable[[Path], str] | None = None) -> str:
    """The whole page as one HTML string, CSS included.

    `language` defaults to the agreement's own words file; `date` is stamped as created/modified
    when given; `font_url` turns a font file into the URL the page loads it from (default: its
    file:// URL; a server passes its own route).
    """
    language = language or load(templates, agreement.language)
    family, fonts = _fonts(templates, agreement.page.font)
    url = font_url or (lambda path: path.resolve().as_uri())
    watermark = ""
    if agreement.draft:
        watermark = _watermark(fonts.get("bold") or fonts["regular"], language.word("page", "watermark"))
    layout = layout_data.load(templates)
    return _environment(templates).get_template(TEMPLATE).render(
        a=agreement, l=layout, language_tag=language.word("page", "language_tag"),
        annex_widths=lambda count: [round(w, 3) for w in layout_data.column_widths(layout.annex_columns, count)],
        words=language, ref=language.reference, dots=DOTS, family=family,
        font_files={style: url(path) for style, path in fonts.items()},
        css=read_text(templates / "pdf" / STYLESHEET), date=date.strftime("%Y-%m-%dT%H:%M:%SZ") if date else "",
        watermark=watermark)


def write(agreement: Agreement, context) -> bytes:
    return page(agreement, context.templates, context.language, context.date).encode()


@lru_cache(maxsize=4)
def _watermark(font: Path, text: str) -> str:
    """The watermark as an SVG image of the letters' outlines: seen on every page, but not text a
    reader copies or a search finds (as Word's own watermark)."""
    font = TTFont(font)
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
