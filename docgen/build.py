"""What to build (documents × combinations × formats) and writing it without half-written files."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import consistency
from .assemble import Assembler
from .errors import DocgenError
from .library import display
from .model import Agreement
from .writers import docx as docx_writer
from .writers import pdf as pdf_writer

FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class Request:
    """One document to build: kind, parties and (for a PKS) sector."""
    kind: str
    codes: tuple[str, ...]
    sector: str | None = None


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
    return agreement


def document_date(agreement: Agreement, programme: dict) -> dt.datetime:
    """Created/modified stamp: SOURCE_DATE_EPOCH when set, else the signing date — never 'now'."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    signed = programme[agreement.kind]["tanggal"]
    return dt.datetime(signed.year, signed.month, signed.day)


def render(agreement: Agreement, fmt: str, templates: Path, date: dt.datetime) -> bytes:
    if fmt == "docx":
        return docx_writer.write(agreement, date)
    return pdf_writer.write(agreement, templates, date)


def output_path(out: Path, agreement: Agreement, fmt: str) -> Path:
    return out / agreement.combination / f"{agreement.name}.{fmt}"


TEMPORARY_GLOB = ".*.tmp"


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
