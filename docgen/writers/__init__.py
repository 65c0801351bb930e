"""The writers: each turns an agreement tree into one file format with `write(tree, context) -> bytes`.

A writer is one module of this package with that function, plus one line in WRITERS below.
Modules are imported only when something is written (python-docx and WeasyPrint load slowly).
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocgenError


@dataclass(frozen=True)
class Context:
    """What a writer needs besides the tree."""
    templates: Path                    # templates/ of the library: page templates, fonts, words
    date: dt.datetime                  # created/modified stamp (fixed, for reproducible bytes)
    language: object                   # docgen.language.Language: the words it prints by itself
    options: dict = field(default_factory=dict)   # this writer's options, by name
    manifest: bytes | None = None      # a final document: what it was made from (JSON), embedded in a PDF


@dataclass(frozen=True)
class Writer:
    """One output format."""
    name: str                          # the --format value
    suffix: str                        # of the file written: '.docx'
    module: str                        # docgen.writers.<module> defines write(tree, context) -> bytes
    inputs: tuple[str, ...] = ()       # files under templates/ it reads (globs): part of the fingerprint
    options: dict = field(default_factory=dict)   # option name → default; only these reach the writer
    default: bool = False              # built by --format all
    redline: bool = False              # shows tracked changes, so `docgen redline` writes it too

    def write(self, tree, context: Context) -> bytes:
        return importlib.import_module(f"{__name__}.{self.module}").write(tree, context)

    def files(self, templates: Path) -> list[Path]:
        """The template files this writer reads, in a stable order."""
        return sorted(p for pattern in self.inputs for p in templates.glob(pattern) if p.is_file())

    def chosen(self, options: dict) -> dict:
        """This writer's options out of all options given (the defaults where not given)."""
        return {name: options.get(name, default) for name, default in self.options.items()}


WRITERS = {writer.name: writer for writer in (
    Writer("docx", ".docx", "docx", ("layout.yaml",), {"plain_numbers": False}, default=True, redline=True),
    Writer("pdf", ".pdf", "pdf", ("layout.yaml", "pdf/*", "fonts/*"), default=True, redline=True),
    Writer("html", ".html", "html", ("layout.yaml", "pdf/*", "fonts/*")),
    Writer("text", ".txt", "text"),
)}


def get(name: str) -> Writer:
    """The writer of a format; an unknown format is an error, never a fallback."""
    if name not in WRITERS:
        raise DocgenError(f"unknown format '{name}'; use {', '.join(WRITERS)} or all")
    return WRITERS[name]


def chosen(fmt: str) -> list[Writer]:
    """The writers of a --format value: one name, or 'all' for the default ones."""
    return [w for w in WRITERS.values() if w.default] if fmt == "all" else [get(fmt)]
