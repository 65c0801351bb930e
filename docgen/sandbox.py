"""The sandboxed Jinja environment clauses and frames run in; errors come back as file:line.

One rule for clause files, data values that are templates and the frame templates:
variables, the library's filters, `ref()` and `pasal()`, `for` and `if`, and nothing that
reaches a file or keeps state (include, import, extends, macro, block capture, namespace).
Frames alone may also name blocks and extend another frame of templates/.
Every render runs under a time limit and an output-size limit; arithmetic and repetition
are bounded, so no clause can hang the build or allocate gigabytes.
"""
from __future__ import annotations

import re
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import hygiene
from .errors import DocgenError
from .library import Library, display, inside, read_text

TOKEN = re.compile("\ue000(\\d+)\ue001")
FRAME_NAME = re.compile(r"[a-z0-9-]+\.j2")


MAX_OUTPUT = 1_000_000      # characters one clause (or one block of a frame) may produce
MAX_SECONDS = 5.0           # time one clause may take to render
MAX_ITEMS = 100_000         # length of a string or list made by repetition or passed to ref()
MAX_BITS = 256              # size of a number made by arithmetic (2**256 is far beyond any count)

# Statement and expression nodes a clause may use; anything else is refused where it is written.
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.For, nodes.If, nodes.Assign,
    nodes.Name, nodes.Const, nodes.Tuple, nodes.List, nodes.Dict, nodes.Pair, nodes.Keyword,
    nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand,
    nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Concat,
    nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Call, nodes.Filter, nodes.Test,
)
# templates/*.j2 name their parts with blocks, and a frame may extend another frame of templates/
# (pks-regional.j2 extends pks.j2); the loader serves a frame nothing outside templates/*.j2
FRAME_NODES = ALLOWED_NODES + (nodes.Block, nodes.Extends)
# Jinja's own filters that cannot grow text beyond their input (center, indent, format, wordwrap,
# replace, batch and the like can, and random is not reproducible).
SAFE_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "length", "count", "first", "last",
                "join", "map", "select", "reject", "selectattr", "rejectattr", "default", "d", "list",
                "string", "int", "abs", "round", "sum", "min", "max", "unique", "reverse", "sort",
                "dictsort", "items", "wordcount", "truncate", "striptags", "e", "escape")
# What a refused construct is called in a message.
NAMES = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import",
         nodes.Extends: "extends", nodes.Macro: "macro", nodes.CallBlock: "call", nodes.Block: "block",
         nodes.AssignBlock: "set … endset", nodes.FilterBlock: "filter", nodes.With: "with",
         nodes.NSRef: "namespace", nodes.ScopedEvalContextModifier: "autoescape"}


def bounded_replace(text: object, old: str, new: str, count: int | None = None) -> str:
    """Jinja's replace, for replacements that cannot make the text longer (a space by a no-break space or
    a line break, as the frames keep an office's name on one line): no clause can grow text with it."""
    if not isinstance(old, str) or not isinstance(new, str) or not old or len(new) > len(old):
        raise SecurityError("replace may only put in text no longer than what it takes out")
    return str(text).replace(old, new, -1 if count is None else int(count))


class RenderLimit(Exception):
    """A clause took too long or produced too much; the message says which limit."""


class ClauseEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the clause rule checked at parse time and bounded operators."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//", "/"})
    intercepted_unops = frozenset()

    def __init__(self, filters: dict, functions: tuple[str, ...], **options):
        super().__init__(**options)
        self.functions = functions   # the only things a clause may call
        self.filters = ({name: self.filters[name] for name in SAFE_FILTERS} | {"replace": bounded_replace}
                        | dict(filters))
        self.globals = {}    # no range, lipsum, cycler, joiner or namespace

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        vet(tree, name, filename, self.functions)
        return tree

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        for value in (*args, *kwargs.values()):
            if isinstance(value, (str, list, tuple)) and len(value) > MAX_ITEMS:
                raise RenderLimit(f"an argument of {len(value)} characters or items is more than a clause needs")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise RenderLimit("'%' formatting of text is not available in a clause; use ~ to join text")
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        if operator == "**" and numbers:
            if abs(right) > MAX_BITS or (isinstance(left, int) and abs(left).bit_length() * abs(right) > MAX_BITS):
                raise RenderLimit(f"{left} ** {right} is a larger number than any agreement needs")
        elif operator == "*" and not numbers:
            size = max((len(v) for v in (left, right) if hasattr(v, "__len__")), default=0)
            times = next((v for v in (left, right) if isinstance(v, int)), 1)
            if size * max(times, 0) > MAX_ITEMS:
                raise RenderLimit(f"repeating {size} characters or items {times} times is more than a clause needs")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > MAX_BITS:
            raise RenderLimit("the result is a larger number than any agreement needs")
        return result


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
        # only the frames themselves (mou.j2, pks.j2): never a path to anywhere else
        path = self.templates / name
        if not FRAME_NAME.fullmatch(name) or not path.exists():
            raise jinja2.TemplateNotFound(name)
        return read_text(inside(path, self.templates)), display(path), lambda: True


class Sandbox:
    """One compiled environment per library: clause files and frames are its templates."""

    def __init__(self, library: Library, templates: Path, filters: dict, functions: tuple[str, ...]):
        self.loader = _Loader(library, templates)
        self.env = ClauseEnvironment(
            filters, functions, loader=self.loader, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, autoescape=False, auto_reload=False)
        self._frames: dict[str, list[str]] = {}

    def render(self, name: str, context: dict, block: str | None = None) -> str:
        """A clause file or frame, or one block of a frame, rendered with `context`."""
        try:
            template = self.env.get_template(name)
            if block is None:
                text = collect(template.generate(context))
            else:
                owner = self.block_owner(name, block)
                if owner is None:
                    raise DocgenError(f"the template has no block '{block}'; add "
                                      f"{{% block {block} %}}…{{% endblock %}}", name)
                # the frame's own blocks win over those of the frame it extends
                text = collect(owner.blocks[block](template.new_context(context)))
                template = owner
            return _printable(text, template.filename or name, self.loader.get_source(self.env, template.name)[0])
        except DocgenError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", error.filename or name, error.lineno) from None
        except Exception as error:  # anything a clause can provoke inside Jinja
            raise self._located(error, name) from None

    def frames(self, name: str) -> list[str]:
        """A frame and the frames it extends ({% extends "pks.j2" %}), nearest first."""
        if name not in self._frames:
            chain = [name]
            while True:
                source = self.env.loader.get_source(self.env, chain[-1])[0]
                parent = next(iter(self.env.parse(source, chain[-1]).find_all(nodes.Extends)), None)
                if parent is None or not isinstance(parent.template, jinja2.nodes.Const) \
                        or parent.template.value in chain:
                    break
                chain.append(parent.template.value)
            self._frames[name] = chain
        return self._frames[name]

    def block_owner(self, name: str, block: str):
        """The template that defines `block`: the frame itself, or the nearest frame it extends."""
        return next((self.env.get_template(frame) for frame in self.frames(name)
                     if block in self.env.get_template(frame).blocks), None)

    def render_string(self, source: str, context: dict, data, key) -> str:
        """A data value that is itself a template (programme name, recitals)."""
        try:
            text = collect(self.env.from_string(source).generate(context))
        except jinja2.TemplateSyntaxError as error:
            raise DocgenError(f"template syntax: {error.message}", data.path, data.lines.get(key)) from None
        except Exception as error:
            raise DocgenError(explain(error), data.path, data.lines.get(key)) from None
        return _printable(text, data.path, None, data.lines.get(key))

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


def _printable(text: str, path: str, source: str | None, line: int | None = None) -> str:
    """Rendered text passes the same character rules as the files (a string escape like "\\u200b" in
    a template makes a character the file itself does not contain)."""
    try:
        hygiene.inspect(TOKEN.sub("", text), path)
    except DocgenError as error:
        if source is not None:
            line = next((n for n, row in enumerate(source.split("\n"), start=1) if "\\" in row), None)
        raise DocgenError(error.message.replace("; delete it", ", made by a string escape; delete it"),
                          path, line) from None
    return text


def explain(error: Exception) -> str:
    if isinstance(error, RenderLimit):
        return f"{error}; simplify the clause"
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; check the spelling (variables and filters: clauses/README.md)"
    if isinstance(error, SecurityError):
        return f"not allowed in a clause: {error}"
    if isinstance(error, jinja2.TemplateError):
        return f"template error: {error.message}"
    return f"{type(error).__name__}: {error}"


def vet(tree: nodes.Template, name: str | None, filename: str | None, functions: tuple[str, ...]) -> None:
    """Refuse, at its line, any construct outside the clause rule."""
    allowed = FRAME_NODES if (filename or name or "").endswith(".j2") else ALLOWED_NODES
    calls = ", ".join(f + "()" for f in functions)
    for node in _walk(tree):
        if not isinstance(node, allowed):
            what = NAMES.get(type(node), type(node).__name__.lower())
            reach = " (it reaches another file)" if isinstance(
                node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)) else ""
            raise jinja2.TemplateSyntaxError(
                f"'{what}' is not allowed in a clause{reach}; use only variables, filters, {calls}, "
                "for and if (clauses/README.md)", node.lineno, name, filename)
        if isinstance(node, nodes.Call) and not (isinstance(node.node, nodes.Name) and node.node.name in functions):
            raise jinja2.TemplateSyntaxError(
                f"only {calls} can be called in a clause; use a filter "
                "instead (clauses/README.md)", node.lineno, name, filename)


def _walk(node: nodes.Node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def collect(chunks) -> str:
    """Join a template's output under the time and size limits."""
    out, size = [], 0
    with deadline():
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT:  # checked per piece: a loop never holds much more than the limit
                raise RenderLimit(f"produces more than {MAX_OUTPUT:,} characters; a clause is one article")
            out.append(chunk)
    return "".join(out)


_armed = threading.local()


@contextmanager
def deadline(seconds: float | None = None):
    """Interrupt a render that runs longer than `seconds` (main thread: a timer signal)."""
    seconds = seconds or MAX_SECONDS
    if getattr(_armed, "on", False) or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderLimit(f"takes more than {seconds:g} s to render; look for a loop that does not end soon")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _armed.on = True
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _armed.on = False

