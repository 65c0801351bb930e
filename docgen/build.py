"""What to build (documents × combinations × formats), what is already up to date, and writing it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import consistency, instruments
from .assemble import Assembler
from .errors import DocgenError
from .library import DATA_FILES, display
from .model import Agreement

FORMATS = ("docx", "pdf")
CODE = Path(__file__).resolve().parent
TEMPORARY_GLOB = ".*.tmp"


@dataclass(frozen=True)
class Request:
    """One document to build: an instrument of the catalogue, its parties, and for a surat kuasa its grantor."""
    instrument: str
    codes: tuple[str, ...]
    grantor: str | None = None

    @property
    def name(self) -> str:
        return f"{self.instrument}-{self.grantor}" if self.grantor else self.instrument

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
    """Every document `docgen build WHAT` makes, in catalogue order, combinations largest first.

    WHAT is an instrument id, a kind (mou, pks, surat-kuasa) or all; the catalogue is checked first.
    """
    catalogue = assembler.catalogue
    if sector and sector not in assembler.mou_scope():
        raise consistency.scope_error(assembler.library, sector)
    consistency.check_catalogue(assembler.library, catalogue)
    chosen = [i for i in catalogue.instruments if what in ("all", i.kind, i.id)]
    if not chosen:
        raise DocgenError(f"'{what}' is neither an instrument nor a kind of the catalogue; use all, "
                          f"{', '.join(instruments.KINDS)} or an id that docgen list shows", catalogue.path)
    if sector:
        chosen = [i for i in chosen if i.sector == sector or (i.kind == "surat-kuasa" and
                                                             catalogue.get(i.authorises).sector == sector)]
        if not chosen:
            raise DocgenError(f"--sector applies to the PKS of a sector; use 'docgen build pks --sector {sector}'")
    result = []
    for instrument in chosen:
        if parties and instrument.kind == "pks" and parties not in instrument.combinations and instrument.parent:
            # not made for these parties: say why when it is because no MoU has them all
            consistency.parent_parties(catalogue.get(instrument.parent), parties, assembler.library)
        for codes in instrument.combinations:
            if parties and codes != parties:
                continue
            if instrument.kind == "surat-kuasa":
                result += [Request(instrument.id, codes, code)
                           for code in consistency.grantors(catalogue, instrument) if code in codes]
            else:
                result.append(Request(instrument.id, codes))
    if parties and not result:
        raise DocgenError(f"no {what} is made for {'-'.join(parties)}; the catalogue lists its combinations "
                          "(kombinasi)", catalogue.path)
    return result


def assemble(assembler: Assembler, request: Request) -> Agreement:
    """The agreement tree of one request, checked against its MoU when it is a PKS."""
    instrument = assembler.instrument(request.instrument)
    agreement = assembler.document(instrument, request.codes, request.grantor)
    if instrument.kind == "pks":
        consistency.check_pks(assembler.library, assembler.catalogue, instrument, agreement)
        for field in instrument.fields:
            consistency.check_annex_years(assembler.library.annexes[field.slug], instrument.event)
    return agreement


def signing_date(assembler: Assembler, request: Request) -> dt.date:
    """The date a document carries: its own, or for a surat kuasa that of the PKS it authorises."""
    instrument = assembler.instrument(request.instrument)
    if instrument.kind == "surat-kuasa":
        instrument = assembler.catalogue.get(instrument.authorises)
    return instrument.event["tanggal"]


# ---- what is up to date -----------------------------------------------------------------------

def fingerprint(assembler: Assembler, request: Request, fmt: str, final: bool) -> str:
    """A digest of every input of one output: clauses and data it uses, templates, fonts, code, options."""
    library, templates = assembler.library, assembler.templates
    clauses_dir = library.root / "clauses"
    files = [clauses_dir / f"{name}.yaml" for name in DATA_FILES if name != "rules"]
    files.append(clauses_dir / instruments.FILE)
    instrument = assembler.instrument(request.instrument)
    # a surat kuasa names the PKS it authorises (its fields' names) but holds none of its articles
    document = assembler.catalogue.get(instrument.authorises) if instrument.authorises else instrument
    for field in document.fields:
        files.append(clauses_dir / field.slug / "tema.yaml")
        if document is instrument:
            files.append(clauses_dir / field.slug / "lampiran.yaml")
    files += [templates / frame for frame in assembler.frames(instrument.template)]
    if fmt == "pdf":
        files += sorted((templates / "pdf").iterdir()) + sorted((templates / "fonts").iterdir())
    digest = hashlib.sha256()
    options = assembler.options
    digest.update(repr((request, fmt, options, final,
                        os.environ.get("SOURCE_DATE_EPOCH"), _code_digest())).encode())
    for clause in assembler.clauses(instrument):
        digest.update(clause.id.encode() + clause.source.encode())
    for path in files:
        digest.update(path.name.encode() + _file_digest(path))
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _file_digest(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        # biggest first keeps both cores busy to the end; results still come back in order
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].agreement.articles))
        futures = {i: pool.submit(perform, tasks[i]) for i in order}
        try:
            for index in range(len(tasks)):
                yield futures[index].result()
        except BaseException:
            # interrupted: finish the documents being written, start no other
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def finalised(agreement: Agreement) -> Agreement:
    return dataclasses.replace(agreement, draft=False)


def remove_stale_temporaries(out: Path) -> None:
    """Temporary files of builds that were killed (kill -9) — not those of a build still running."""
    if out.is_dir():
        for temporary in out.glob(f"*/{TEMPORARY_GLOB}"):
            owner = temporary.name.split(".")[-2]
            if owner.isdigit() and not _running(int(owner)):
                temporary.unlink(missing_ok=True)


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
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise DocgenError(f"cannot write the output ({error.strerror}); choose another folder with --out "
                          "or fix its permissions", display(path)) from None
