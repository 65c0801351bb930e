"""The `docgen` command: parse, call, report. Every user error is caught here, once."""
from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import click

from . import build as builder
from . import check as checker
from . import redline as redliner
from . import writers
from .assemble import PAPER_MM, Assembler, Options
from .catalogue import WHAT
from .errors import DocgenError
from .history import History, write_adenda, write_texts
from .library import load


def _data(ctx, param, value):
    """Every value from the command line is data: one that looks like an option is refused here, before it
    reaches git, the file system or a subprocess."""
    for item in value if isinstance(value, tuple) else (value,):
        text = str(item) if item is not None else ""
        if text.startswith("-") or any(ord(c) < 32 for c in text):
            raise click.BadParameter(f"'{text}' looks like an option, not a value; give a name, path or "
                                     "revision (use ./-name for a file whose name starts with '-')")
    return value


def _revision(ctx, param, value):
    try:
        return redliner.revision(_data(ctx, param, value)) if value is not None else None
    except DocgenError as error:
        raise click.BadParameter(error.message) from None


def _assembler(paper: str = "F4", font: str = "Arial") -> Assembler:
    return Assembler(load(Path.cwd()), Options(paper, font))


class _Commands(click.Group):
    """Click's own usage errors as one line, like every other error."""

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as error:
            click.echo(f"error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Commands)
def main() -> None:
    """Agreements of the Bali–NTB–NTT regional cooperation, from the clause library in ./clauses."""


@main.command()
@click.argument("what", metavar="INSTRUMENT|" + "|".join(WHAT), callback=_data)
@click.option("--parties", callback=_data, help="Provinces of one agreement, e.g. bali,ntb (default: every combination).")
@click.option("--sector", callback=_data, help="Sector slug of one PKS (default: every sector in the MoU's scope).")
@click.option("--format", "fmt", type=click.Choice([*writers.WRITERS, "all"]), default="all", show_default=True,
              help="all: " + ", ".join(w.name for w in writers.chosen("all")) + ".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True,
              callback=_data)
@click.option("--paper", type=click.Choice(list(PAPER_MM)), default="F4", show_default=True)
@click.option("--font", default="Arial", callback=_data, show_default=True, help="Body font (see templates/fonts/fonts.yaml).")
@click.option("--final", is_flag=True, help="No draft mark; refuse while any blank is left to fill.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="cores",
              help="Documents rendered in parallel.")
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--plain-numbers", is_flag=True, help="DOCX: article numbers and references as plain text, not fields.")
@click.option("--signed", "text", flag_value="signed", help="A signed instrument: its text as signed, from the "
              "revision the catalogue names (<instrument>.ditandatangani.docx).")
@click.option("--consolidated", "text", flag_value="consolidated", help="A signed instrument: its text as amended "
              "by its adenda, each change footnoted (<instrument>.konsolidasi.docx).")
def build(what: str, parties: str | None, sector: str | None, fmt: str, out: Path, paper: str, font: str,
          final: bool, jobs: int, force: bool, plain_numbers: bool, text: str | None) -> None:
    """Build instruments of the catalogue as DOCX and PDF into output/<combination>/<instrument>.

    INSTRUMENT is an id of clauses/instruments.yaml (docgen list shows them); mou, pks and
    surat-kuasa build every instrument of that kind; all builds the whole catalogue.

    Only what changed is rebuilt: an output whose clauses, data, templates, fonts,
    options and docgen version are all unchanged since it was written is kept. A signed
    instrument keeps the numbers it was signed with (Pasal 5A, "Pasal 7 dihapus").
    """
    def run() -> None:
        _outside_library(out)
        assembler = _assembler(paper, font)
        catalogue = assembler.catalogue
        codes = catalogue.parse_parties(parties) if parties else None
        requests = catalogue.requests(what, codes, sector)
        chosen = writers.chosen(fmt)
        with tempfile.TemporaryDirectory() as scratch:
            history = History(assembler, Path(scratch))
            if text:
                written = _report(write_texts(history, requests, text, out, chosen, final), len(requests) * len(chosen))
                click.echo(f"{written} written, in {out}/")
                return
            _build(assembler, history, requests, chosen, out, (what, codes, sector),
                   {"plain_numbers": plain_numbers}, final, force, jobs)
    _guarded(run)


def _build(assembler: Assembler, history: History, requests: list, chosen: list, out: Path, scope: tuple,
           options: dict, final: bool, force: bool, jobs: int) -> None:
    """Write what is not up to date; remove what this build no longer makes."""
    catalogue = assembler.catalogue
    builder.remove_stale_temporaries(out)
    library_checked = []

    def checked(request, agreement) -> None:   # the rules of `docgen check`, before anything is written
        if not library_checked:
            _refuse(checker.library_problems(assembler))
            library_checked.append(True)
        _refuse(checker.document_problems(assembler, request, agreement))
    tasks, kept = builder.plan(assembler, requests, chosen, out, options, final, force, checked, history)
    written = _report(builder.run(tasks, jobs), sum(len(t.outputs) for t in tasks))
    expected = {request.path(out, w.suffix) for request in requests for w in chosen}
    for path in builder.remove_outdated(out, expected, catalogue, *scope, tuple(w.suffix for w in chosen)):
        click.echo(f"removed {path} (no longer built)")
    click.echo(f"{written} written, {kept} up to date, in {out}/")


def _outside_library(out: Path) -> None:
    """Outputs never go into the library itself, where they would be read as clauses or templates."""
    for folder in ("clauses", "templates"):
        if out.resolve().is_relative_to((Path.cwd() / folder).resolve()):
            raise DocgenError(f"--out {out} is inside {folder}/; write the documents elsewhere, like output/")


def _refuse(problems: list[DocgenError]) -> None:
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more: docgen check lists them)" if len(problems) > 1 else ""
        raise DocgenError(first.message + more, first.path, first.line)


def _report(results, total: int) -> int:
    """Progress: a bar with counts on a terminal, a plain line per file otherwise."""
    written = 0
    if sys.stdout.isatty() and total > 4:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}")) as progress:
            bar = progress.add_task("", total=total)
            for paths in results:
                written += len(paths)
                progress.update(bar, advance=len(paths), description=str(paths[-1]))
        return written
    for paths in results:
        for path in paths:
            click.echo(f"wrote {path}")
        written += len(paths)
    return written


@main.command()
@click.option("--final", is_flag=True, help="Also fail on every blank still to fill (numbers, unknown names).")
def check(final: bool) -> None:
    """Check the clause library and every document it can build; one line per problem."""
    def run() -> None:
        problems = checker.check(Path.cwd(), final=final)
        try:
            amended = checker.unamended(_assembler())
        except DocgenError:   # the library itself is broken: check reports why
            amended = []
        for warning in checker.warnings(Path.cwd()) + amended:
            click.echo(f"{warning} (warning)", err=True)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
            sys.exit(1)
        click.echo("library is clean: every document builds and passes every check")
    _guarded(run)


@main.command()
@click.option("--from", "from_rev", required=True, callback=_revision, help="The older revision of the library (commit, tag, HEAD~1).")
@click.option("--to", "to_rev", callback=_revision, help="The newer revision (default: the working tree).")
@click.option("--matrix", is_flag=True, help="Also write the change matrix (a DOCX table per changed article).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True,
              callback=_data)
@click.argument("documents", nargs=-1, callback=_data)
def redline(from_rev: str, to_rev: str | None, matrix: bool, out: Path, documents: tuple[str, ...]) -> None:
    """Tracked-changes DOCX (and a marked PDF) of every document that changed between two revisions.

    DOCUMENTS narrow the set: 'mou', 'pks-pariwisata', 'bali-ntb' or 'bali-ntb/mou'.
    """
    def run() -> None:
        _outside_library(out)
        for name, written in redliner.write_redlines(Path.cwd(), from_rev, to_rev, documents, out, matrix):
            if written:
                click.echo(f"changed   {name}: wrote {', '.join(path.name for path in written)}")
            else:
                click.echo(f"unchanged {name}")
    _guarded(run)


@main.command()
@click.argument("instrument", callback=_data)
@click.option("--from", "from_rev", callback=_revision, help="The revision the amended text was signed from (default: "
              "the catalogue's revisi, or that of its last signed adendum).")
@click.option("--to", "to_rev", callback=_revision, help="The revision of the amended text (default: the working tree).")
@click.option("--parties", callback=_data, help="Provinces of one agreement, e.g. bali,ntb (default: every combination).")
@click.option("--format", "fmt", type=click.Choice([*writers.WRITERS, "all"]), default="all", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True,
              callback=_data)
@click.option("--final", is_flag=True, help="No draft mark; refuse while any blank is left to fill.")
def adendum(instrument: str, from_rev: str | None, to_rev: str | None, parties: str | None, fmt: str, out: Path,
            final: bool) -> None:
    """The adendum of a signed INSTRUMENT: what changed since it was signed, as an instrument of its own
    (<instrument>-adendum-<n>.docx and .pdf per combination), with the instrument's redline from the signed
    text to the amended one (<instrument>-adendum-<n>.redline.docx).
    """
    def run() -> None:
        _outside_library(out)
        assembler = _assembler()
        codes = assembler.catalogue.parse_parties(parties) if parties else None
        with tempfile.TemporaryDirectory() as scratch:
            history = History(assembler, Path(scratch))
            for name, written in write_adenda(history, instrument, from_rev, to_rev, codes, out,
                                              writers.chosen(fmt), final):
                if written:
                    click.echo(f"changed   {name}: wrote {', '.join(path.name for path in written)}")
                else:
                    click.echo(f"unchanged {name}: nothing to amend")
    _guarded(run)


@main.command(name="review")
@click.argument("file", type=click.Path(path_type=Path), callback=_data)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_(file: Path, fmt: str) -> None:
    """List the comments and tracked changes of a reviewed DOCX with the clause file and line of each."""
    def run() -> None:
        from . import review as reviewer
        assembler = _assembler()
        remarks = reviewer.review(file, assembler.library, assembler.language)
        if fmt == "json":
            click.echo(json.dumps([r.as_dict() for r in remarks], ensure_ascii=False, indent=2))
            return
        for remark in remarks:
            click.echo(remark.line(assembler.language))
        click.echo(f"{len(remarks)} comments and changes in {file}", err=True)
    _guarded(run)


@main.command(name="facts")
@click.argument("documents", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
def facts_(documents: tuple[str, ...], fmt: str) -> None:
    """The lembar verifikasi: every fact a document prints, with its source and validity.

    DOCUMENTS narrow the set like for redline: 'bali-ntb/mou', 'pks-energi', 'ntb-ntt'.
    """
    def run() -> None:
        import csv
        from . import facts
        from .writers import text as text_writer
        assembler = _assembler()
        rows = []
        for request in assembler.catalogue.select(documents):
            agreement = assembler.agreement(request)
            instrument = assembler.catalogue.instrument(request.instrument)
            instrument = assembler.catalogue.get(instrument.authorises) or instrument
            # the agency of a PKS of one sector is a fact of agencies.yaml
            slugs = [f.slug for f in instrument.fields]
            sector = slugs[0] if len(slugs) == 1 and slugs[0] in assembler.library.agencies else None
            event = {**assembler.library.programme[instrument.kind], **instrument.event}
            rows += [f.row() for f in facts.of_document(assembler.library, agreement, request.codes, sector,
                                                         text_writer.text(agreement, assembler.language),
                                                         assembler.language, event)]
        if fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(facts.HEADER)
            writer.writerows(rows)
            return
        from rich.console import Console
        from rich.table import Table
        table = Table(*facts.HEADER, show_lines=False)
        for row in rows:
            table.add_row(*row)
        Console(width=max(160, Console().width)).print(table)
    _guarded(run)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the catalogue in the web browser.")
def preview(port: int, open_browser: bool) -> None:
    """Show every document in the browser, updated as clause and template files are saved."""
    def run() -> None:
        from . import preview as previewer
        previewer.serve(Path.cwd(), port, open_browser,
                        lambda url: click.echo(f"preview at {url} (Ctrl+C stops it)"))
    _guarded(run)


@main.command(name="manifest")
@click.argument("file", type=click.Path(path_type=Path))
def manifest_(file: Path) -> None:
    """Print what a final PDF was made from: the library's commit, its clauses and data with their digests."""
    _guarded(lambda: click.echo(builder.read_manifest(file)))


@main.command(name="list")
def list_() -> None:
    """Show the instruments, provinces, sectors, themes and clause ids of the library."""
    def run() -> None:
        assembler = _assembler()
        library, catalogue = assembler.library, assembler.catalogue
        click.echo("Instruments:")
        for instrument in catalogue.instruments:
            made = ", ".join("-".join(c) for c in instrument.combinations)
            about = instrument.authorises or ", ".join(f.slug for f in instrument.fields)
            click.echo(f"  {instrument.id:<36}{instrument.kind:<13}{instrument.status:<16}{about}  [{made}]")
        for entry in catalogue.entries.adenda:
            click.echo(f"  {entry.id:<36}{'adendum':<13}{entry.status:<16}{entry.amends}")
        click.echo("Provinces:")
        for code, province in library.provinces.items():
            click.echo(f"  {code:<22}{province['pemerintah']}")
        click.echo("Sectors:")
        for slug, sector in library.sectors.items():
            click.echo(f"  {slug:<22}{sector['nama']}")
        click.echo("Themes:")
        for slug, theme in catalogue.themes.items():
            click.echo(f"  {slug:<22}{theme.data['nama']}")
        click.echo("Clauses:")
        for clause in sorted(library.clauses, key=lambda c: (c.documents, c.position, c.id)):
            click.echo(f"  {clause.id:<36}{','.join(clause.documents):<9}{clause.path}")
    _guarded(run)


def _guarded(run) -> None:
    # A terminated build stops like an interrupted one: the file being written is discarded.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        run()
    except DocgenError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; files already written are complete, none is half-written", err=True)
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (docgen list | head): nothing to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as error:  # a bug, not the user's: still one line, and how to see more
        if os.environ.get("DOCGEN_DEBUG"):
            raise
        click.echo(f"error: internal error ({type(error).__name__}: {error}); nothing was half-written; please "
                   "report this with the command you ran (DOCGEN_DEBUG=1 shows the details)", err=True)
        sys.exit(2)
