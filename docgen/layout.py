"""The page layout both writers follow (templates/layout.yaml): line pitch, spacing, indents, keep rules."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DocgenError
from .library import load_data

ALIGNMENTS = ("left", "center", "justify")
CM_PER_PT = 2.54 / 72


@dataclass(frozen=True)
class Style:
    """One paragraph style: the DOCX style of that name and the PDF elements matched by `css`."""
    name: str
    css: str
    align: str = "left"
    bold: bool = False
    keep_next: bool = False
    before: float = 0.0          # points
    after: float = 0.0           # points
    font_pt: float | None = None
    line_pt: float | None = None
    outline: int | None = None   # 1 = top level


@dataclass(frozen=True)
class Layout:
    margin_cm: dict
    footer_cm: float
    font_pt: float
    line_pt: float
    indent_cm: float
    orphans: int
    widows: int
    styles: tuple[Style, ...]
    signature_room_cm: float
    cell_padding_pt: dict
    paraf_box_cm: dict
    annex_columns: dict
    matrix_columns: dict

    def style(self, name: str) -> Style:
        return next(s for s in self.styles if s.name == name)

    def text_width_cm(self, paper_width_mm: float) -> float:
        return paper_width_mm / 10 - self.margin_cm["left"] - self.margin_cm["right"]


@lru_cache(maxsize=4)
def load(templates: Path) -> Layout:
    """The layout of templates/layout.yaml; a missing or wrong value is a DocgenError naming its line."""
    data = load_data(templates / "layout.yaml")
    try:
        styles = []
        for name, entry in data["styles"].items():
            style = Style(name, **entry)
            if style.align not in ALIGNMENTS:
                raise DocgenError(f"align of style '{name}' must be one of {', '.join(ALIGNMENTS)}",
                                  data.path, data["styles"].lines.get(name))
            styles.append(style)
        fields = {key: data[key] for key in Layout.__dataclass_fields__ if key != "styles"}
        return Layout(styles=tuple(styles), **fields)
    except KeyError as error:
        raise DocgenError(f"layout value {error} is missing; add it", data.path) from None
    except TypeError as error:
        raise DocgenError(f"unknown layout setting ({error}); see the comments at the top of the file",
                          data.path) from None


def column_widths(columns: dict, count: int) -> list[float]:
    """Percentages of the text width of a table with `count` columns: the `first` and `last` widths given,
    the columns between sharing what is left."""
    first, last = list(columns.get("first", [])), list(columns.get("last", []))
    middle = count - len(first) - len(last)
    if middle < 0:
        first, last, middle = first[:count], [], max(0, count - len(first))
    rest = (100 - sum(first) - sum(last)) / middle if middle else 0
    return first + [rest] * middle + last
