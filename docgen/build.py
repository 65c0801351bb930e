"""What to build (documents × combinations × formats), what is already up to date, and writing it."""
from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .assemble import Assembler
from .catalogue import Request
from . import writers
from .errors import DocgenError
from .library import DATA_FILES, display, read_bytes
from .model import Agreement, Blank, walk
from .writers import Context, Writer

CODE = Path(__file__).resolve().parent
TEMPORARY_GLOB = ".*.tmp"


@dataclass(frozen=True)
class Output:
    """One file to write, by one writer, and the fingerprint of everything it is made from."""
    writer: Writer
    path: Path
    fingerprint: str


def fingerprint(assembler: Assembler, request: Request, writer: Writer, options: dict, final: bool,
                signed: str = "") -> str:
    """A digest of every input of one output: the files the document and the writer read, code, options,
    and for a signed instrument the commits it was signed and amended from (`signed`), which give its numbers."""
    library = assembler.library
    digest = hashlib.sha256()
    commit = library_commit(library.root) if final and writer.name == "pdf" else None   # named in the manifest
    digest.update(repr((request, writer.name, assembler.options, writer.chosen(options), final, commit, signed,
                        os.environ.get("SOURCE_DATE_EPOCH"), _code_digest())).encode())
    # data by value, not by file: a comment changes nothing; a province or agency that is not a party
    # of this document does not rebuild it
    # a surat kuasa names the agencies of the fields of the PKS it authorises, but prints no Lampiran
    instrument = assembler.catalogue.instrument(request.instrument)
    document = assembler.catalogue.get(instrument.authorises)
    fields = [f.slug for f in (document or instrument).fields]
    annexes = [] if document else fields
    data_files = {library.data_path(name) for name in DATA_FILES}
    data = {"programme": library.programme, "sectors": library.sectors, "numbers": library.numbers,
            "rules": library.rules, "provinces": list(library.provinces),
            "parties": [library.provinces[code] for code in request.codes],
            "agencies": {slug: {code: (library.agencies.get(slug) or {}).get(code) for code in request.codes}
                         for slug in fields},
            "lampiran": {slug: library.annexes.get(slug) for slug in annexes}}
    data_files.update(library.annex_path(slug) for slug in annexes)
    digest.update(repr(data).encode())
    for path in assembler.inputs(request) + writer.files(library.templates):
        if path not in data_files:
            digest.update(path.name.encode() + _file_digest(path))
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _file_digest(path: Path) -> bytes:
    try:
        return hashlib.sha256(read_bytes(path)).digest()
    except DocgenError:
        return b"missing"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(f".{path.name}.inputs")


def up_to_date(output: Output) -> bool:
    """The file exists and was written from exactly these inputs."""
    try:
        return output.path.exists() and _stamp(output.path).read_text() == output.fingerprint
    except OSError:
        return False


# ---- rendering and writing ----------------------------------------------------------------------

def document_date(signed: dt.date) -> dt.datetime:
    """Created/modified stamp: SOURCE_DATE_EPOCH when set, else the signing date — never 'now'."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(signed.year, signed.month, signed.day)


@dataclass(frozen=True)
class Task:
    """Everything a worker process needs to write one document's outputs."""
    agreement: Agreement
    outputs: tuple[Output, ...]
    context: Context                  # options: every writer option given; each writer takes its own


def perform(task: Task) -> tuple[Path, ...]:
    """Render and write the outputs of one document (runs in a worker process)."""
    for output in task.outputs:
        context = dataclasses.replace(task.context, options=output.writer.chosen(task.context.options))
        write_atomically(output.path, output.writer.write(task.agreement, context))
        write_atomically(_stamp(output.path), output.fingerprint.encode())
    return tuple(output.path for output in task.outputs)


def warm(modules: list[str]) -> None:
    """A worker's start: import the writers it will use once, before its first document (only a build
    with something to write starts workers, so a no-op build loads no writer)."""
    for module in modules:
        importlib.import_module(f"{writers.__name__}.{module}")


def run(tasks: list[Task], jobs: int):
    """Perform tasks in `jobs` processes; yields each task's paths in the order of `tasks`."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield perform(task)
        return
    import multiprocessing
    modules = sorted({output.writer.module for task in tasks for output in task.outputs})
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_started, initargs=(os.getpid(), modules))
    try:
        # biggest first keeps both cores busy to the end; results still come back in order
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].agreement.articles))
        futures = {i: pool.submit(perform, tasks[i]) for i in order}
        for index in range(len(tasks)):
            yield futures[index].result()
    except BaseException:
        # interrupted: stop now; the documents not started are dropped, each worker deletes the file it
        # was writing (the files already written are complete)
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# ---- worker processes die with the build ------------------------------------------------------------

_writing: set[str] = set()   # temporary files this process is writing now
PR_SET_PDEATHSIG = 1         # linux/prctl.h


def _worker_started(parent: int, modules: list[str] = ()) -> None:
    """In each worker: stop on SIGTERM/SIGINT, and when the build process dies, even by SIGKILL; then
    import the writers of `modules` (warm)."""
    signal.signal(signal.SIGTERM, _worker_stop)
    signal.signal(signal.SIGINT, _worker_stop)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):   # not Linux: watch the parent instead
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:          # the parent died before the signal was armed
        _worker_stop()
    warm(modules)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker_stop(*_signal) -> None:
    for temporary in list(_writing):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    os._exit(1)


def plan(assembler: Assembler, requests: list[Request], writers: list[Writer], out: Path, options: dict,
         final: bool, force: bool, checked=None, history=None) -> tuple[list[Task], int]:
    """The tasks that write what is not up to date, and how many outputs are kept as they are. With a
    `history` (docgen.history), a signed instrument keeps the numbers it was signed with."""
    tasks, kept = [], 0
    for request in requests:
        signed = history.key(request) if history else ""
        outputs = [Output(w, request.path(out, w.suffix), fingerprint(assembler, request, w, options, final, signed))
                   for w in writers]
        stale = tuple(o for o in outputs if force or not up_to_date(o))
        kept += len(outputs) - len(stale)
        if not stale:
            continue
        agreement = assembler.agreement(request)
        if checked:   # the rules `docgen check` applies: raise before anything is written
            checked(request, agreement)
        if signed:
            agreement = history.current(request, agreement)
        if final:
            agreement = finalised(agreement)
        date = document_date(assembler.signing_date(request))
        archived = manifest(assembler, request) if final else None
        tasks.append(Task(agreement, stale, Context(assembler.templates, date, assembler.language, options,
                                                    archived)))
    return tasks, kept


# ---- the manifest of a final PDF ------------------------------------------------------------------

UNCOMMITTED = "uncommitted"


@lru_cache(maxsize=None)
def library_commit(root: Path) -> str:
    """The git commit of the library, or 'uncommitted' when clauses/ or templates/ differ from it (or
    there is no git repository): an archived PDF then does not claim a commit it was not made from."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    try:
        head = git("rev-parse", "--verify", "HEAD")
        status = git("status", "--porcelain", "--", "clauses", "templates")
    except OSError:
        return UNCOMMITTED
    if head.returncode or status.returncode or status.stdout.strip():
        return UNCOMMITTED
    return head.stdout.strip()


def manifest(assembler: Assembler, request: Request) -> bytes:
    """What a final PDF was made from, as JSON: the library's commit, the clauses (id, file, SHA-256 of
    the file) and the data files, so an archived PDF says exactly which wording it carries."""
    library = assembler.library
    root = library.root.resolve()

    def entry(path: Path) -> dict:
        path = path.resolve()
        return {"file": path.relative_to(root).as_posix(), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}

    clauses = [{"id": clause.id, **entry(clause.file)} for clause in library.articles(assembler.catalogue.instrument(request.instrument))]
    data = [entry(library.data_path(name)) for name in DATA_FILES if library.data_path(name).is_file()]
    content = {"document": f"{request.combination}/{request.name}", "commit": library_commit(root),
               "clauses": clauses, "data": data}
    return json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8")


def read_manifest(path: Path) -> str:
    """The manifest embedded in a final PDF, as its JSON text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from .writers.pdf import MANIFEST_NAME
    try:
        attachments = PdfReader(path).attachments
    except (OSError, PdfReadError) as error:
        raise DocgenError(f"cannot read the PDF ({error}); give a PDF built with 'docgen build --final'",
                          display(path)) from None
    if MANIFEST_NAME not in attachments:
        raise DocgenError("the PDF carries no manifest; only a PDF built with 'docgen build --final' has one",
                          display(path))
    return attachments[MANIFEST_NAME][0].decode("utf-8")


def refuse_blanks(agreement: Agreement) -> None:
    """A final build stops at the first document that still has a blank to fill."""
    left = blanks(agreement)
    if left:
        raise DocgenError(f"{left[0].message.split(';')[0]} (and {len(left) - 1} more); fill them in "
                          "(docgen check --final lists them) or build without --final", left[0].path, left[0].line)


def blanks(agreement: Agreement) -> list[DocgenError]:
    """One problem per blank of the document, located in the data file that fills it."""
    problems = []
    for blank in walk(agreement, Blank):
        path, _, line = blank.source.partition(":")
        problems.append(DocgenError(f"still blank in the {agreement.name} of {agreement.combination}: "
                                    f"{blank.what}; fill it in before the final build",
                                    path or None, int(line) if line.isdigit() else None))
    return problems


def finalised(agreement: Agreement) -> Agreement:
    """The document without its draft mark; refused while a blank is left to fill."""
    refuse_blanks(agreement)
    return dataclasses.replace(agreement, draft=False)


def remove_stale_temporaries(out: Path) -> None:
    """Temporary files of builds that were killed (kill -9) — not those of a build still running."""
    if out.is_dir():
        for temporary in out.glob(f"*/{TEMPORARY_GLOB}"):
            owner = temporary.name.split(".")[-2]
            if owner.isdigit() and not _running(int(owner)):
                temporary.unlink(missing_ok=True)


def remove_outdated(out: Path, expected: set[Path], catalogue, what: str, codes: tuple[str, ...] | None,
                    sector: str | None, suffixes: tuple[str, ...]) -> list[Path]:
    """Remove what earlier builds wrote in the part of `out` this build covers but that it no longer makes
    (a sector left the MoU's scope, a combination or document kind is gone). Only files that carry
    docgen's stamp are docgen's: anything else in `out` is the user's and is left alone."""
    removed = []
    if not out.is_dir():
        return removed
    chosen = {request.instrument for request in catalogue.requests(what, None, sector)}
    for stamp in sorted(out.glob("*/.*.inputs")):
        path = stamp.with_name(stamp.name[1:-len(".inputs")])
        suffix = next((x for x in suffixes if path.name.endswith(x)), None)
        name = path.name[:-len(suffix)] if suffix else ""
        covered = (suffix is not None and (not codes or path.parent.name == "-".join(codes))
                   and _covers(catalogue, chosen, name, what, sector))
        if not covered or path in expected:
            continue
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
        stamp.unlink(missing_ok=True)
        try:
            path.parent.rmdir()   # only when nothing else is left in it
        except OSError:
            pass
    return removed


def _covers(catalogue, chosen: set[str], name: str, what: str, sector: str | None) -> bool:
    """Whether the output `name` (an instrument id, or a surat kuasa's id and grantor) is one that
    `docgen build WHAT` makes: an instrument of the catalogue by its id, one that left it by its kind."""
    instrument = catalogue.get(name) or catalogue.get(name.rpartition("-")[0])
    if instrument is not None:
        return instrument.id in chosen
    return ((what == "all" or name == what or name.startswith(what + "-"))
            and (not sector or name == f"pks-{sector}"))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                           suffix=f".{os.getpid()}.tmp")
        _writing.add(temporary)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        finally:
            _writing.discard(temporary)
    except OSError as error:
        raise DocgenError(f"cannot write the output ({error.strerror}); choose another folder with --out "
                          "or fix its permissions", display(path)) from None
