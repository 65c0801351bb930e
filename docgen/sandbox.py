"""The sandboxed Jinja environment clauses and frames run in; errors come back as file:line."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .errors import DocgenError
from .library import Library, display, read_text

TOKEN = re.compile("\ue000(\\d+)\ue001")


class Marks:
    """References and blanks pass through Jinja as private-use tokens and come back as nodes."""

    def __init__(self) -> None:
        self.items: list[object] = []

    def add(self, value: object) -> str:
        self.items.append(value)
        return f"\ue000{len(self.items) - 1}\ue001"


class _Loader(jinja2.BaseLoader):
    """Clause files by their path, frame templates from templates/."""

    def __init__(self, library: Library, templates: Path):
        self.clauses = {c.path: c for c in library.clauses}
        self.templates = templates

    def get_source(self, environment, name):
        clause = self.clauses.get(name)
        if clause is not None:
            return clause.source, clause.path, lambda: True
        path = self.templates / name
        if not path.is_file():
            raise jinja2.TemplateNotFound(name)
        return read_text(path), display(path), lambda: True


class Sandbox:
    """One compiled environment per library: clause files and frames are its templates."""

    def __init__(self, library: Library, templates: Path, filters: dict):
        self.loader = _Loader(library, templates)
        self.env = ImmutableSandboxedEnvironment(
            loader=self.loader, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, autoescape=False, auto_reload=False)
        self.env.filters.update(filters)

    def render(self, name: str, context: dict, block: str | None = None) -> str:
        """A clause file or frame, or one block of a frame, rendered with `context`."""
        try:
            template = self.env.get_template(name)
            if block is None:
                return template.render(context)
            if block not in template.blocks:
                raise DocgenError(f"the template has no block '{block}'; add "
                                  f"{{% block {block} %}}…{{% endblock %}}", name)
            return "".join(template.blocks[block](template.new_context(context)))
        except DocgenError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", error.filename or name, error.lineno) from None
        except Exception as error:  # anything a clause can provoke inside Jinja
            raise self._located(error, name) from None

    def render_string(self, source: str, context: dict, data, key) -> str:
        """A data value that is itself a template (programme name, recitals)."""
        try:
            return self.env.from_string(source).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", data.path, data.lines.get(key)) from None
        except Exception as error:
            raise DocgenError(explain(error), data.path, data.lines.get(key)) from None

    def caller(self) -> tuple[str, int]:
        """The template file and line that is running now (for messages about ref())."""
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if self._ours(filename):
                name = filename if filename in self.loader.clauses else Path(filename).name
                return filename, self.env.get_template(name).get_corresponding_lineno(frame.f_lineno)
            frame = frame.f_back
        return "", 0

    def _ours(self, filename: str) -> bool:
        return filename in self.loader.clauses or filename.endswith(".j2")

    def _located(self, error: Exception, name: str) -> DocgenError:
        try:
            self.env.handle_exception()
        except Exception as rewritten:  # Jinja rewrites the traceback to template lines
            error = rewritten
        path, line = name, None
        tb = error.__traceback__
        while tb is not None:
            if self._ours(tb.tb_frame.f_code.co_filename):
                path, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
        if isinstance(error, DocgenError):
            return error
        return DocgenError(explain(error), path, line)


def explain(error: Exception) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; check the spelling (variables and filters: clauses/README.md)"
    if isinstance(error, SecurityError):
        return f"not allowed in a clause: {error}"
    if isinstance(error, jinja2.TemplateError):
        return f"template error: {error.message}"
    return f"{type(error).__name__}: {error}"
