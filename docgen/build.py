"""What to build (documents × combinations × formats), what is already up to date, and writing it."""
from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import hashlib
import os
import signal
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import consistency
from .assemble import Assembler
from .errors import DocgenError
from .library import display, read_bytes
from .model import Agreement

FORMATS = ("docx", "pdf")
CODE = Path(__file__).resolve().parent
TEMPORARY_GLOB = ".*.tmp"


@dataclass(frozen=True)
class Request:
    """One document to build: kind, parties and (for a PKS) sector."""
    kind: str
    codes: tuple[str, ...]
    sector: str | None = None

    @property
    def name(self) -> str:
        return self.kind if self.kind == "mou" else f"pks-{self.sector}"

    def path(self, out: Path, fmt: str) -> Path:
        return out / "-".join(self.codes) / f"{self.name}.{fmt}"


@dataclass(frozen=True)
class Output:
    """One file to write, and the fingerprint of everything it is made from."""
    fmt: str
    path: Path
    fingerprint: str


def requests(assembler: Assembler, what: str, parties: tuple[str, ...] | None,
             sector: str | None) -> list[Request]:
    """Every document `docgen build WHAT` makes, MoU first, combinations largest first."""
    combos = [parties] if parties else assembler.combinations()
    result = []
    if what in ("mou", "all"):
        result += [Request("mou", codes) for codes in combos]
    if what in ("pks", "all"):
        sectors = [sector] if sector else assembler.mou_scope()
        result += [Request("pks", codes, slug) for codes in combos for slug in sectors]
    return result


def assemble(assembler: Assembler, request: Request) -> Agreement:
    """The agreement tree of one request, checked against its MoU when it is a PKS."""
    if request.kind == "mou":
        return assembler.mou(request.codes)
    agreement = assembler.pks(request.codes, request.sector)
    consistency.check_pks(assembler.library.programme, assembler.mou_scope(), request.sector, agreement)
    consistency.check_annex_years(assembler.library.annexes[request.sector], assembler.library.programme)
    return agreement


# ---- what is up to date -----------------------------------------------------------------------

def fingerprint(assembler: Assembler, request: Request, fmt: str, final: bool) -> str:
    """A digest of every input of one output: its clauses (header and text), the data values it can print,
    its frame template, the PDF templates and fonts, docgen's code and the options."""
    library, templates = assembler.library, assembler.templates
    files = [templates / f"{request.kind}.j2"]
    if fmt == "pdf":
        files += sorted((templates / "pdf").iterdir()) + sorted((templates / "fonts").iterdir())
    digest = hashlib.sha256()
    options = assembler.options
    digest.update(repr((request, fmt, options, final,
                        os.environ.get("SOURCE_DATE_EPOCH"), _code_digest())).encode())
    for clause in assembler.clauses(request.kind, request.sector):
        digest.update(repr((clause.id, clause.title, clause.documents, clause.position, clause.sector,
                            clause.path, clause.source)).encode())
    # data by value, not by file: a comment changes nothing; a province or agency that is not a party
    # of this document does not rebuild it
    data = {"programme": library.programme, "sectors": library.sectors, "numbers": library.numbers,
            "rules": library.rules, "provinces": list(library.provinces),
            "parties": [library.provinces[code] for code in request.codes]}
    if request.sector:
        data["agencies"] = {code: (library.agencies.get(request.sector) or {}).get(code) for code in request.codes}
        data["lampiran"] = library.annexes.get(request.sector)
    digest.update(repr(data).encode())
    for path in files:
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

def document_date(agreement: Agreement, programme: dict) -> dt.datetime:
    """Created/modified stamp: SOURCE_DATE_EPOCH when set, else the signing date — never 'now'."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    signed = programme[agreement.kind]["tanggal"]
    return dt.datetime(signed.year, signed.month, signed.day)


def render(agreement: Agreement, fmt: str, templates: Path, date: dt.datetime, fields: bool = True) -> bytes:
    # the writers load python-docx and WeasyPrint: only when something is rendered (a no-op build stays fast)
    if fmt == "docx":
        from .writers import docx as docx_writer
        return docx_writer.write(agreement, date, fields)
    from .writers import pdf as pdf_writer
    return pdf_writer.write(agreement, templates, date)


@dataclass(frozen=True)
class Task:
    """Everything a worker process needs to write one document's outputs."""
    agreement: Agreement
    outputs: tuple[Output, ...]
    templates: Path
    date: dt.datetime
    fields: bool = True


def perform(task: Task) -> tuple[Path, ...]:
    """Render and write the outputs of one document (runs in a worker process)."""
    for output in task.outputs:
        write_atomically(output.path, render(task.agreement, output.fmt, task.templates, task.date, task.fields))
        write_atomically(_stamp(output.path), output.fingerprint.encode())
    return tuple(output.path for output in task.outputs)


def run(tasks: list[Task], jobs: int):
    """Perform tasks in `jobs` processes; yields each task's paths in the order of `tasks`."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield perform(task)
        return
    import multiprocessing
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_started, initargs=(os.getpid(),))
    try:
        # biggest first keeps both cores busy to the end; results still come back in order
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].agreement.articles))
        futures = {i: pool.submit(perform, tasks[i]) for i in order}
        for index in range(len(tasks)):
            yield futures[index].result()
    except BaseException:
        # stop now, not after the queued documents: each worker deletes the file it was writing
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# ---- worker processes die with the build ------------------------------------------------------------

_writing: set[str] = set()   # temporary files this process is writing now
PR_SET_PDEATHSIG = 1         # linux/prctl.h


def _worker_started(parent: int) -> None:
    """In each worker: stop on SIGTERM/SIGINT, and when the build process dies, even by SIGKILL."""
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


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker_stop(*_signal) -> None:
    for temporary in list(_writing):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    os._exit(1)


def finalised(agreement: Agreement) -> Agreement:
    return dataclasses.replace(agreement, draft=False)


def remove_stale_temporaries(out: Path) -> None:
    """Temporary files of builds that were killed (kill -9) — not those of a build still running."""
    if out.is_dir():
        for temporary in out.glob(f"*/{TEMPORARY_GLOB}"):
            owner = temporary.name.split(".")[-2]
            if owner.isdigit() and not _running(int(owner)):
                temporary.unlink(missing_ok=True)


def remove_outdated(out: Path, expected: set[Path], what: str, codes: tuple[str, ...] | None,
                    sector: str | None, formats: tuple[str, ...]) -> list[Path]:
    """Remove what earlier builds wrote in the part of `out` this build covers but that it no longer makes
    (a sector left the MoU's scope, a combination or document kind is gone). Only files that carry
    docgen's stamp are docgen's: anything else in `out` is the user's and is left alone."""
    removed = []
    if not out.is_dir():
        return removed
    for stamp in sorted(out.glob("*/.*.inputs")):
        path = stamp.with_name(stamp.name[1:-len(".inputs")])
        name, _, form = path.name.rpartition(".")
        covered = (form in formats and (not codes or path.parent.name == "-".join(codes))
                   and (what == "all" or (name == "mou") == (what == "mou"))
                   and (not sector or name == f"pks-{sector}"))
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
