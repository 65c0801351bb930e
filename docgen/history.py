"""A signed instrument through time: the text as signed, as amended by each adendum, and as drafted now.

Each state is the library at a git revision (the catalogue's `revisi`), built by the same docgen, so
the signed text can be built again at any time. The numbers of each state are those of the state
before it (docgen.signed): once signed, they never move.
"""
from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import adendum as amendment, consistency
from .assemble import Assembler, Frame
from .catalogue import Request
from .errors import DocgenError
from .instruments import Adendum, Instrument
from .library import load
from .model import Agreement, Blank, Text
from .redline import checkout, revision as checked_revision, with_catalogue
from .references import source_text
from .signed import renumber


@dataclass(frozen=True)
class State:
    """One text of an instrument: the library at a revision (None: the working tree) and the adendum that
    made it (None: the text as signed)."""
    revision: str | None
    adendum: Adendum | None


class History:
    """The states of the signed instruments of one library; revisions are read from its git repository
    into `scratch` once each."""

    def __init__(self, assembler: Assembler, scratch: Path):
        self.now, self.scratch = assembler, scratch
        self.root, self.catalogue, self.words = assembler.library.root, assembler.catalogue, assembler.language
        self._assemblers: dict[str, Assembler] = {}
        self._commits: dict[str, str] = {}

    # ---- the library at a revision --------------------------------------------------------------

    def at(self, revision: str | None) -> Assembler:
        if revision is None:
            return self.now
        commit = self.commit(revision)
        if commit not in self._assemblers:
            folder = checkout(self.root, commit, self.scratch / commit)
            with_catalogue(folder, self.root)
            self._assemblers[commit] = Assembler(load(folder), self.now.options)
        return self._assemblers[commit]

    def commit(self, revision: str) -> str:
        """The commit a tag or branch names (a tag can be moved; the commit is what was signed)."""
        if revision not in self._commits:
            out = subprocess.run(["git", "-C", str(self.root), "rev-parse", "--verify", "--quiet", "--end-of-options",
                                  f"{checked_revision(revision)}^{{commit}}"], capture_output=True, text=True)
            if out.returncode != 0:
                raise DocgenError(f"the library's git repository has no revision '{revision}'; give the tag or "
                                  "commit the instrument was signed from (git tag lists them)")
            self._commits[revision] = out.stdout.strip()
        return self._commits[revision]

    # ---- the states of an instrument ------------------------------------------------------------

    def signed(self, instrument: Instrument) -> list[State]:
        """The text as signed, then as amended by each signed adendum."""
        if instrument.status != "ditandatangani" or not instrument.revision:
            raise DocgenError(f"{instrument.id} is not signed from a revision; mark it status: ditandatangani with "
                              "tanggal_tanda_tangan and revisi: the tag of the library it was signed from",
                              instrument.path, instrument.line("status"))
        return [State(instrument.revision, None)] + [State(a.revision, a) for a in self.adenda(instrument) if a.signed]

    def adenda(self, instrument: Instrument) -> list[Adendum]:
        return self.catalogue.entries.adenda_of(instrument.id)

    def texts(self, request: Request, states: list[State]) -> list[Agreement]:
        """The tree of each state, each numbered as the one before it."""
        trees: list[Agreement] = []
        for state in states:
            tree = self.at(state.revision).agreement(request)
            trees.append(renumber(trees[-1], tree, self.words) if trees else tree)
        return trees

    def current(self, request: Request, agreement: Agreement) -> Agreement:
        """A document as built now: a signed instrument keeps its signed numbers."""
        instrument = self.catalogue.instrument(request.instrument)
        if not instrument.revision:
            return agreement
        return renumber(self.texts(request, self.signed(instrument))[-1], agreement, self.words)

    def key(self, request: Request) -> str:
        """What the numbers of a document depend on besides the working tree: the commits it was signed from."""
        instrument = self.catalogue.get(request.instrument)
        if instrument is None or not instrument.revision:
            return ""
        return " ".join(self.commit(state.revision) for state in self.signed(instrument))

    def as_signed(self, request: Request) -> Agreement:
        """The text as signed, from the revision it was signed from."""
        instrument = self.catalogue.instrument(request.instrument)
        return self.at(self.signed(instrument)[0].revision).agreement(request)

    def consolidated(self, request: Request) -> Agreement:
        """The text as amended by every adendum (the one being drafted at the working tree), each changed
        article with a footnote naming the adendum that changed it."""
        instrument = self.catalogue.instrument(request.instrument)
        states = self.signed(instrument)
        drafted = [a for a in self.adenda(instrument) if not a.signed]
        states += [State(None, a) for a in drafted[:1]]
        trees = self.texts(request, states)
        found: dict[str, list] = {}
        for index in range(1, len(states)):
            steps = amendment.steps(trees[index - 1], trees[index], self.words)
            numbers = self.numbers(states[index].adendum, request)
            for clause_id, note in amendment.notes(steps, states[index].adendum, numbers, self.words).items():
                found.setdefault(clause_id, []).append(note)
        consolidated = amendment.noted(trees[-1], found)
        heading = (Text(self.words.word("amendment", "consolidated")),)
        return dataclasses.replace(consolidated, title_lines=(heading,) + consolidated.title_lines)

    def numbers(self, entry: Adendum, request: Request) -> tuple:
        """The parties' numbers of an adendum (numbers.yaml adendum.<id>.<combination>.<province>), a blank
        for each not issued yet."""
        numbers = self.now.library.numbers
        found = []
        for code in request.codes:
            value = consistency.value(numbers, ("adendum", entry.id, request.combination, code))
            where = f"{numbers.path}:{numbers.lines.get('adendum', 1)}"
            found.append(Text(str(value)) if value not in (None, "") else
                         Blank(f"numbers adendum.{entry.id}.{request.combination}.{code}", where))
        return tuple(found)

    # ---- an adendum ------------------------------------------------------------------------------

    def plan(self, instrument: Instrument, from_rev: str | None, to_rev: str | None) -> tuple[list[State], State]:
        """The states an adendum amends (the signed text and the adenda before it) and the state it makes."""
        entries = self.adenda(instrument)
        if instrument.revision:
            states = self.signed(instrument)
            if from_rev is not None:
                commits = [self.commit(s.revision) for s in states]
                if self.commit(from_rev) not in commits:
                    raise DocgenError(f"'{from_rev}' is not a revision {instrument.id} was signed or amended from; "
                                      "give its revisi or that of a signed adendum, or leave --from out",
                                      instrument.path, instrument.line("revisi"))
                states = states[:commits.index(self.commit(from_rev)) + 1]
        elif from_rev is not None:
            states = [State(from_rev, None)]
        else:
            raise DocgenError(f"{instrument.id} is not marked signed; give --from, the tag it was signed from, or "
                              "mark it status: ditandatangani with revisi", instrument.path, instrument.line("status"))
        ordinal = len(states)
        entry = entries[ordinal - 1] if ordinal <= len(entries) else self._drafted(instrument, ordinal)
        if to_rev is None and entry.signed:
            to_rev = entry.revision
        return states, State(to_rev, entry)

    def _drafted(self, instrument: Instrument, ordinal: int) -> Adendum:
        """An adendum not yet in the catalogue: its date, place and numbers are blanks to fill."""
        return Adendum(f"{instrument.id}-adendum-{ordinal}", instrument.id, ordinal, None, None, "rencana", None,
                       None, "adendum.j2", (), instrument.path, {"jenis": instrument.line()})

    def adendum(self, request: Request, states: list[State], target: State):
        """The adendum of one document, with the text it amends and the text as amended (for its redline);
        None when the text did not change."""
        trees = self.texts(request, states)
        amended = renumber(trees[-1], self.at(target.revision).agreement(request), self.words)
        steps = amendment.steps(trees[-1], amended, self.words)
        if not steps:
            return None
        return self._instrument(request, target.adendum, steps, states), trees[-1], amended

    def _instrument(self, request: Request, entry: Adendum, steps: list, states: list[State]) -> Agreement:
        instrument = self.catalogue.instrument(request.instrument)
        frame, context = self.now.framed(request, entry.template,
                                         lambda marks: {"adendum": self._context(entry, request, states, steps,
                                                                                 instrument, marks)}, entry.date)
        # the amended instrument as its own frame names it: its title lines and its name in a sentence
        amended = Frame(self.now, instrument.template, context, frame.resolve)
        context["adendum"]["diubah"].update(
            judul=[line.strip() for line in amended.block("judul").split("\n") if line.strip()],
            nama=next(line.strip() for line in amended.block("properti_judul").split("\n") if line.strip()))
        body = amendment.body(steps, frame.paragraphs("pasal_i"), frame.paragraphs("pasal_ii"),
                              f"templates/{entry.template}")
        return Agreement(
            kind=amendment.KIND, combination=request.combination, name=entry.id,
            title=source_text(frame.lines("properti_judul")[0]), subject=source_text(frame.lines("properti_subjek")[0]),
            title_lines=frame.lines("judul"), number_lines=frame.lines("nomor"), preamble=frame.paragraphs("pembukaan"),
            articles=body, closing=frame.paragraphs("penutup"), signatures=frame.signatures(), annexes=(),
            page=self.now.page(request), language=self.now.code, author=context["program"]["penyusun"],
            keywords=(context["dokumen"]["nama"], context["program"]["nama"], request.combination))

    def _context(self, entry: Adendum, request: Request, states: list[State], steps: list,
                 instrument: Instrument, marks) -> dict:
        """What the adendum's frame knows of itself (`adendum`): its ordinal, date, place, numbers, the
        amended instrument's date and the adenda before it."""
        words = self.words

        def dated(date, what: str, where: str) -> dict:
            if date is None:
                blank = marks.add(Blank(what, where))
                return {"tanggal": blank, "hari": blank, "tanggal_kata": blank}
            return {"tanggal": words.tanggal(date), "hari": words.hari(date), "tanggal_kata": words.tanggal_kata(date)}

        def numbered(adendum: Adendum) -> dict:
            return {code: (marks.add(n) if isinstance(n, Blank) else n.value)
                    for code, n in zip(request.codes, self.numbers(adendum, request))}

        where = f"{entry.path}:{entry.line()}"
        signed_on = instrument.signed_on or instrument.event.get("tanggal")
        earlier = [{"urutan": amendment.ordinal(words, s.adendum.ordinal), "nomor": numbered(s.adendum),
                    **dated(s.adendum.signed_on or s.adendum.date, f"instruments {s.adendum.id} tanggal", where)}
                   for s in states[1:]]
        return {"ke": entry.ordinal, "urutan": amendment.ordinal(words, entry.ordinal), "nomor": numbered(entry),
                "tempat": entry.place or marks.add(Blank(f"instruments {entry.id} tempat", where)),
                **dated(entry.date, f"instruments {entry.id} tanggal", where),
                "diubah": dated(signed_on, f"instruments {instrument.id} tanggal", where),
                "sebelumnya": earlier, "jumlah_perubahan": len(steps),
                "konsiderans": list(entry.recitals)}



# ---- writing --------------------------------------------------------------------------------------

def write_adenda(history: History, instrument_id: str, from_rev: str | None, to_rev: str | None,
                 codes: tuple[str, ...] | None, out: Path, chosen: list, final: bool):
    """Write the adendum of each combination of an instrument, and the redline of the instrument from its
    signed text to the amended one (tracked changes); yields (document, files written), none when the
    text of that combination did not change."""
    from . import build, redline
    from .writers import Context
    instrument = history.catalogue.instrument(instrument_id)
    states, target = history.plan(instrument, from_rev, to_rev)
    author, stamp = redline.author_and_date(history.root, target.revision)
    for request in history.catalogue.requests(instrument.id, codes):
        name = f"{request.combination}/{target.adendum.id}"
        made = history.adendum(request, states, target)
        if made is None:
            yield name, []
            continue
        tree, before, after = made
        if final:
            tree = build.finalised(tree)
        date = build.document_date(target.adendum.date or history.now.signing_date(request))
        context = Context(history.now.templates, date, history.words, {"plain_numbers": False})
        marked = redline.redline(before, after, author, stamp)
        written = []
        for writer in chosen:
            path = request.path(out, "").with_name(target.adendum.id + writer.suffix)
            build.write_atomically(path, writer.write(tree, dataclasses.replace(context, options=writer.chosen({}))))
            written.append(path)
            if writer.redline:
                path = path.with_name(f"{target.adendum.id}.redline{writer.suffix}")
                build.write_atomically(path, writer.write(marked, dataclasses.replace(
                    context, options=writer.chosen({"plain_numbers": True}))))
                written.append(path)
        yield name, written


def write_texts(history: History, requests: list[Request], which: str, out: Path, chosen: list, final: bool):
    """Write the text as signed ('signed') or the consolidated text ('consolidated') of each document;
    yields the files written."""
    from . import build
    from .writers import Context
    suffix = history.words.word("amendment", "suffix", which)
    for request in requests:
        tree = history.as_signed(request) if which == "signed" else history.consolidated(request)
        if final:
            tree = build.finalised(tree)
        context = Context(history.now.templates, build.document_date(history.now.signing_date(request)),
                          history.words)
        written = []
        for writer in chosen:
            path = request.path(out, suffix + writer.suffix)
            build.write_atomically(path, writer.write(tree, dataclasses.replace(context, options=writer.chosen({}))))
            written.append(path)
        yield written
