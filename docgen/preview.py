"""`docgen preview`: every document in a browser, updated as clause files are saved, each article traced
to its file. A Starlette app served by uvicorn on the loopback interface; watchfiles reports saved files
and server-sent events tell the open pages which documents changed."""
from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
import tempfile
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import jinja2
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from . import build, instruments
from .assemble import Assembler
from .catalogue import Request
from .errors import DocgenError
from .history import History
from .library import display, load

LOOPBACK = "127.0.0.1"
FORMATS = ("docx", "pdf")
# Folders whose files the browser may fetch (the page's CSS, fonts and script); nothing else is served.
SERVED_FOLDERS = ("templates/pdf", "templates/fonts", "templates/preview")
CHECK_TIMEOUT_S = 120
# The check starts this long after a save: the open pages are brought up to date first, and a burst
# of saves is checked once.
CHECK_DELAY_S = 0.4
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; font-src 'self'; "
                               "img-src 'self' data:; style-src 'self' 'unsafe-inline'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def document_html(assembler: Assembler, agreement, date) -> str:
    """The document as the HTML writer makes it, its fonts loaded from this server."""
    from .writers import html
    return html.page(agreement, assembler.templates, assembler.language, date,
                     font_url=lambda path: f"/files/templates/fonts/{path.name}")


def browser_parts(html: str) -> tuple[str, str]:
    """The HTML writer's page cut for the preview's own page: its styles, and the inside of its body."""
    head = html.split("<body", 1)[0]
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    return "\n".join(re.findall(r"<style>.*?</style>", head, re.S)), body.group(1) if body else ""


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled clauses and frames kept in memory across reloads of the library: after a save only
    the files whose text changed are compiled again."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


@dataclass
class Rendering:
    """One document as the page shows it."""
    title: str
    head: str
    body: str
    width_mm: float
    trace: dict              # clause id → its file and line


@dataclass
class Entry:
    """One document of the catalogue: what to build, its last good rendering, and its current error."""
    request: Request
    label: str
    good: Rendering | None = None
    error: str | None = None
    stale: bool = True
    assemblies: int = 0


@dataclass
class Preview:
    """What the server knows: the library, every document's last good rendering, the library's problems."""
    root: Path
    entries: dict = field(default_factory=dict)      # 'bali-ntb/mou' → Entry
    inputs: dict = field(default_factory=dict)       # Request → the files it is assembled from, as shown
    assembler: Assembler | None = None
    load_error: str | None = None
    problems: list = field(default_factory=list)     # the lines of `docgen check`
    checking: bool = True                             # until `docgen check` has run on this library
    lock: threading.Lock = field(default_factory=threading.Lock)
    compiled: CompiledTemplates = field(default_factory=CompiledTemplates)
    history: History | None = None                    # a signed instrument shows the numbers it was signed with
    revisions: tempfile.TemporaryDirectory = field(default_factory=tempfile.TemporaryDirectory)

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def reload(self) -> bool:
        """Read the library again; on a problem keep the last good library and remember the problem."""
        try:
            assembler = Assembler(load(self.root))
            assembler.sandbox.env.bytecode_cache = self.compiled
            requests = assembler.catalogue.requests()
        except DocgenError as error:
            self.load_error = str(error)
            return False
        self.assembler, self.load_error = assembler, None
        self.history = History(assembler, Path(self.revisions.name))
        self.inputs = {r: {display(p) for p in assembler.inputs(r)} for r in requests}
        entries = {}
        for request in requests:
            key = f"{request.combination}/{request.name}"
            entries[key] = self.entries.get(key) or Entry(request, "")
            entries[key].request, entries[key].label = request, self._label(assembler, request)
        self.entries = entries
        return True

    @staticmethod
    def _label(assembler: Assembler, request: Request) -> str:
        """The document's kind and fields, for the list of documents (a surat kuasa: its file name)."""
        library, instrument = assembler.library, assembler.catalogue.instrument(request.instrument)
        if instrument.kind not in library.programme:
            return request.name
        name = str(library.programme[instrument.kind]["nama"])
        fields = [instruments.field_data(library, assembler.catalogue, f)["nama"] for f in instrument.fields]
        return f"{name} {assembler.language.daftar(fields)}" if fields else name

    def changed(self, paths: set[Path]) -> tuple[list[str], bool]:
        """After files were saved: the documents that use them (now stale), and whether the page's own
        layout (style sheets, fonts, the preview's script) changed so that open pages must load again."""
        shown = {display(p) for p in paths}
        layout = any(s.startswith(folder + "/") for s in shown for folder in SERVED_FOLDERS)
        with self.lock:
            before = self.inputs
            if not self.reload():
                keys = list(self.entries)
            else:
                keys = [key for key, entry in self.entries.items() if layout or shown & self.inputs[entry.request]
                        or shown & before.get(entry.request, set())]
            for key in keys:
                if key in self.entries:
                    self.entries[key].stale = True
            return keys, layout

    def document(self, key: str) -> Entry:
        """The document's entry, assembled again first if a file it uses changed."""
        with self.lock:
            entry = self.entries[key]
            if entry.stale and self.assembler and not self.load_error:
                entry.stale = False
                entry.assemblies += 1
                try:
                    entry.good, entry.error = self._render(entry.request), None
                except DocgenError as error:
                    entry.error = str(error)
                except Exception as error:  # noqa: BLE001 — a bad edit must never stop the server
                    entry.error = f"{type(error).__name__}: {error}"
            return entry

    def _render(self, request: Request) -> Rendering:
        assembler = self.assembler
        agreement = self.history.current(request, assembler.agreement(request))
        date = build.document_date(assembler.signing_date(request))
        head, body = browser_parts(document_html(assembler, agreement, date))
        trace = {}
        for article in agreement.articles:
            clause = assembler.library.clause(article.clause_id)
            trace[article.clause_id] = {"path": article.source, "line": clause.line if clause else 1}
        return Rendering(agreement.title, head, body, agreement.page.width_mm, trace)

    def problem_lines(self, entry: Entry | None = None) -> list[str]:
        """What the page shows at the top: `docgen check`'s lines; while it runs, the problem found now."""
        found = [self.load_error, entry.error if entry else None] if self.checking else []
        lines = found + self.problems
        return list(dict.fromkeys(line for line in lines if line))


async def check_lines(root: Path) -> list[str]:
    """The lines `docgen check` prints about the library, run as its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "docgen", "check", cwd=root,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), CHECK_TIMEOUT_S)
    except asyncio.TimeoutError:
        return [f"docgen check took more than {CHECK_TIMEOUT_S} s and was stopped"]
    finally:  # also when the server stops while the check runs
        if process.returncode is None:
            process.kill()
    if process.returncode == 0:
        return []
    lines = out.decode().splitlines() or err.decode().strip().splitlines()[-1:]
    return [line.removeprefix("error: ") for line in lines if line.strip()]


class Server:
    """The web application: routes, the file watcher, the event streams of open pages."""

    def __init__(self, root: Path):
        self.preview = Preview(root)
        self.preview.reload()
        self.listeners: set[asyncio.Queue] = set()
        self.check_wanted = asyncio.Event()
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(self.preview.templates / "preview"),
                                        autoescape=True, undefined=jinja2.StrictUndefined,
                                        trim_blocks=True, lstrip_blocks=True)
        routes = [
            Route("/", self.catalogue),
            Route("/doc/{combination}/{name}", self.document_page),
            Route("/compare/{name}", self.compare_page),
            Route("/api/doc/{combination}/{name}", self.document_json),
            Route("/events", self.events),
            Route("/clause/{clause_id}", self.clause_source),
            Route("/download/{combination}/{file}", self.download),
            Route("/files/{path:path}", self.library_file),
        ]
        self.app = Starlette(routes=routes, lifespan=self.lifespan, middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=[LOOPBACK, "localhost"])])
        self.app.add_middleware(_Headers)

    # ---- life: watching files, checking the library ------------------------------------------

    @asynccontextmanager
    async def lifespan(self, app):
        stop = anyio.Event()
        self.check_wanted = asyncio.Event()
        self.check_wanted.set()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self.watch, stop)
            tasks.start_soon(self.check, stop)
            yield
            stop.set()
            tasks.cancel_scope.cancel()

    async def watch(self, stop: anyio.Event) -> None:
        from watchfiles import awatch
        root = self.preview.root
        # step: report a save after 10 ms without further changes (an editor's write, rename and chmod)
        async for changes in awatch(root / "clauses", root / "templates", stop_event=stop, step=10):
            keys, layout = await anyio.to_thread.run_sync(self.preview.changed, {Path(p) for _, p in changes})
            self.preview.problems, self.preview.checking = [], True
            self.send("changed", {"documents": keys, "reload": layout})
            self.check_wanted.set()

    async def check(self, stop: anyio.Event) -> None:
        while True:
            await self.check_wanted.wait()
            if stop.is_set():
                return
            await asyncio.sleep(CHECK_DELAY_S)
            self.check_wanted.clear()
            self.preview.checking = True
            self.send("problems", {"problems": self.preview.problems, "checking": True})
            problems = await check_lines(self.preview.root)
            if not self.check_wanted.is_set():  # no newer save is waiting to be checked
                self.preview.problems, self.preview.checking = problems, False
                self.send("problems", {"problems": problems, "checking": False})

    def send(self, event: str, data: dict) -> None:
        for queue in self.listeners:
            queue.put_nowait({"event": event, "data": json.dumps(data)})

    async def events(self, request: HttpRequest):
        queue: asyncio.Queue = asyncio.Queue()
        closing = anyio.Event()   # set when the server stops: the stream then ends cleanly
        self.listeners.add(queue)

        async def stream():
            try:
                while (event := await _next(queue, closing)) is not None:
                    yield event
            finally:
                self.listeners.discard(queue)
        return EventSourceResponse(stream(), ping=15, shutdown_event=closing, shutdown_grace_period=1)

    # ---- pages --------------------------------------------------------------------------------

    def _entry(self, combination: str, name: str) -> tuple[str, Entry]:
        key = f"{combination}/{name}"
        if key not in self.preview.entries:
            raise HTTPException(404)
        return key, self.preview.entries[key]

    async def catalogue(self, request: HttpRequest):
        preview = self.preview
        names = list(dict.fromkeys(e.request.name for e in preview.entries.values()))
        combinations = list(dict.fromkeys(e.request.combination for e in preview.entries.values()))
        labels = {e.request.name: e.label for e in preview.entries.values()}
        return self._page("catalogue.html", names=names, combinations=combinations, labels=labels,
                          keys=set(preview.entries), problems=preview.problem_lines(), checking=preview.checking)

    async def document_page(self, request: HttpRequest):
        key, _ = self._entry(request.path_params["combination"], request.path_params["name"])
        return await self._sheets([key])

    async def compare_page(self, request: HttpRequest):
        name = request.path_params["name"]
        keys = [key for key, entry in self.preview.entries.items() if entry.request.name == name]
        if not keys:
            raise HTTPException(404)
        return await self._sheets(keys)

    async def _sheets(self, keys: list[str]):
        entries = [await anyio.to_thread.run_sync(self.preview.document, key) for key in keys]
        sheets = [{"key": key, "entry": entry, "good": entry.good} for key, entry in zip(keys, entries)]
        head = next((e.good.head for e in entries if e.good), "")
        problems = self.preview.problem_lines(next((e for e in entries if e.error), None))
        return self._page("document.html", sheets=sheets, head=jinja2.utils.markupsafe.Markup(head),
                          problems=problems, checking=self.preview.checking, compare=len(keys) > 1,
                          name=entries[0].request.name, label=entries[0].label, formats=FORMATS)

    def _page(self, template: str, **context) -> HTMLResponse:
        return HTMLResponse(self.pages.get_template(template).render(**context))

    async def document_json(self, request: HttpRequest):
        key, _ = self._entry(request.path_params["combination"], request.path_params["name"])
        entry = await anyio.to_thread.run_sync(self.preview.document, key)
        good = entry.good
        return JSONResponse({"body": good.body if good else None, "trace": good.trace if good else {},
                             "error": entry.error or self.preview.load_error,
                             "problems": self.preview.problem_lines(entry), "checking": self.preview.checking})

    # ---- the library's own files and the built documents ----------------------------------------

    async def clause_source(self, request: HttpRequest):
        assembler = self.preview.assembler
        clause = assembler.library.clause(request.path_params["clause_id"]) if assembler else None
        if clause is None:
            raise HTTPException(404)
        return PlainTextResponse(clause.file.read_text(encoding="utf-8", errors="replace"))

    async def library_file(self, request: HttpRequest):
        wanted = request.path_params["path"]
        root = self.preview.root
        # the request is looked up among the files that exist; it is never joined to a path
        served = {p.relative_to(root).as_posix(): p for folder in SERVED_FOLDERS if (root / folder).is_dir()
                  for p in (root / folder).iterdir() if p.is_file() and not p.name.startswith(".")}
        if wanted not in served:
            raise HTTPException(404)
        return FileResponse(served[wanted])

    async def download(self, request: HttpRequest):
        """The document's DOCX or PDF from output/, brought up to date by the normal incremental build."""
        stem, _, fmt = request.path_params["file"].rpartition(".")
        key, entry = self._entry(request.path_params["combination"], stem)
        if fmt not in FORMATS:
            raise HTTPException(404)
        req = entry.request
        command = [sys.executable, "-m", "docgen", "build", req.instrument, "--parties", ",".join(req.codes),
                   "--format", fmt, "--jobs", "1"]
        process = await asyncio.create_subprocess_exec(*command, cwd=self.preview.root,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
        _, err = await process.communicate()
        if process.returncode:
            return PlainTextResponse(err.decode().removeprefix("error: "), status_code=409)
        path = req.path(self.preview.root / "output", f".{fmt}")
        return FileResponse(path, filename=f"{key.replace('/', '-')}.{fmt}")


class _Headers:
    """Security headers on every response; only GET and HEAD are answered."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD"):
            return await PlainTextResponse("only GET", status_code=405)(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send(message)
        await self.app(scope, receive, with_headers)


async def _next(queue: asyncio.Queue, closing: anyio.Event) -> dict | None:
    """The next event for one open page, or None once the server is stopping."""
    waiters = [asyncio.ensure_future(queue.get()), asyncio.ensure_future(closing.wait())]
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    return waiters[0].result() if waiters[0] in done else None


def listening_socket(port: int) -> socket.socket:
    """A socket on the loopback interface; port 0 picks a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as error:
        sock.close()
        raise DocgenError(f"cannot listen on {LOOPBACK}:{port} ({error.strerror}); choose another --port") from None
    sock.listen(64)
    return sock


def serve(root: Path, port: int, open_browser: bool, announce) -> None:
    """Run the preview until interrupted."""
    import uvicorn
    if not (root / "clauses").is_dir():
        raise DocgenError("no clauses/ folder here; run docgen from the project folder", display(root / "clauses"))
    sock = listening_socket(port)
    url = f"http://{LOOPBACK}:{sock.getsockname()[1]}/"
    server = Server(root)
    announce(url)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    config = uvicorn.Config(server.app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
