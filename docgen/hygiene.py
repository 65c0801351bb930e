"""Text that prints as what it says: no invisible, direction-changing or look-alike characters.

A zero-width space inside "PIHAK KETIGA", a right-to-left override that turns "0001" into
"1000" on paper, or a Cyrillic "А" inside a Latin word all print as something no reader
(and no check) sees. Indonesian legal text needs Latin letters (with diacritics), digits,
punctuation such as the en dash, typographic quotes and the ellipsis, and the no-break space.
"""
from __future__ import annotations

import re
import unicodedata

from .errors import DocgenError

# Compatibility characters legal text uses as they are (NFKC would turn them into others).
KEPT = set("\u00a0\u2026\u00b2\u00b3\u00b9\u00bc\u00bd\u00be")
SPACES = {" ", "\u00a0", "\n", "\t"}
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SCRIPTS = ("LATIN", "BALINESE")      # Aksara Bali may stand above the Latin text (Pergub Bali 80/2018)
_SUSPECT = re.compile(r"[^\x20-\x7e\n\t]")   # only non-ASCII characters need a closer look


def problem(char: str) -> str | None:
    """Why `char` may not stand in a document's text, or None when it may."""
    if char in SPACES:
        return None
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    if char in BIDI:
        return "a bidirectional control, which changes the order in which text prints"
    if category == "Cf":
        return "an invisible format character"
    if category in ("Zs", "Zl", "Zp"):
        return "a space or line break that looks like an ordinary one; type a normal space or a new line"
    if category in ("Cc", "Cs", "Co", "Cn"):
        return "not a printable character"
    if category == "Mn" and not 0x300 <= ord(char) <= 0x36F:
        return "a combining mark that is not a Latin diacritic"
    if category.startswith("L") and name.split(" ")[0] not in SCRIPTS:
        return "a letter of another script that can look like a Latin one"
    if category == "Nd" and not "0" <= char <= "9":
        return "a digit other than 0–9"
    if char not in KEPT and unicodedata.normalize("NFKC", char) != char:
        return "a look-alike (compatibility) form of another character"
    return None


def describe(char: str) -> str:
    """'U+200B ZERO WIDTH SPACE'."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def inspect(text: str, path: str | None, first_line: int = 1) -> None:
    """Raise a DocgenError naming the first character of `text` a document must not carry."""
    for match in _SUSPECT.finditer(text):
        char = match.group()
        line = first_line + text.count("\n", 0, match.start())
        if char == "\ufeff" and match.start() == 0:
            raise DocgenError("the file starts with a byte-order mark (U+FEFF BOM); save it as UTF-8 without BOM",
                              path, line)
        why = problem(char)
        if why:
            raise DocgenError(f"character {describe(char)} is {why}; delete it or type the plain character",
                              path, line)


def inspect_values(data, path: str | None, line: int | None = None) -> None:
    """The same for every text of a parsed data file (escapes like "\\u200b" are decoded there)."""
    if isinstance(data, dict):
        lines = getattr(data, "lines", {})
        for key, value in data.items():
            if isinstance(key, str):
                inspect(key, path, lines.get(key, line or 1))
            inspect_values(value, path, lines.get(key, line))
    elif isinstance(data, list):
        for value in data:
            inspect_values(value, path, line)
    elif isinstance(data, str):
        for char in data:
            if problem(char) and char not in "\r":
                raise DocgenError(f"character {describe(char)} is {problem(char)}; delete it or type the plain "
                                  "character", path, line)
