"""Two versions of a document → one tree whose changes are Change nodes (a redline), and a change matrix.

Articles are matched by clause id, then paragraphs and list items, then words; numbers
(Pasal, ayat, letters) and references compare by what they point to, so renumbering
alone is no change.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import io
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import DocgenError
from .instruments import FILE as CATALOGUE
from .model import Agreement, Article, Blank, Change, Content, Item, Line, Paragraph, Ref, Revision, Text, lines, merged
from .writers import text

WORD = re.compile(r"\s+|[^\s]+")


# ---- the library at a git revision ----------------------------------------------------------

REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]*")


def revision(value: str) -> str:
    """A revision as given on the command line, refused unless it can only be a revision (never an option)."""
    if not REVISION.fullmatch(value) or ".." in value or value.endswith((".lock", "/", ".")):
        raise DocgenError(f"'{value}' is not a revision; give a commit, tag or branch such as HEAD~1 or v1.0 "
                          "(it may not start with '-')")
    return value


def checkout(root: Path, revision_: str, into: Path) -> Path:
    """clauses/ and templates/ as they were at `revision`, extracted under `into`."""
    revision_ = revision(revision_)
    # --end-of-options: whatever the revision says, git reads it as a revision, never as an option
    result = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", "--end-of-options",
                             f"{revision_}^{{tree}}", "clauses", "templates"], capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().split("\n")[-1]
        raise DocgenError(f"cannot read revision '{revision_}' ({message}); give a commit, tag or HEAD~N")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(into, filter="data")
    return into


def with_catalogue(old: Path, new: Path) -> None:
    """A revision from before the instrument catalogue is read with the newer catalogue, its themes and frames.

    Its MoU and sector PKS then compare clause by clause as before; an instrument it could not build
    shows as wholly inserted.
    """
    if (old / "clauses" / CATALOGUE).exists():
        return
    shutil.copy2(new / "clauses" / CATALOGUE, old / "clauses" / CATALOGUE)
    for theme in (new / "clauses").glob("*/tema.yaml"):
        if not (old / "clauses" / theme.parent.name).exists():
            shutil.copytree(theme.parent, old / "clauses" / theme.parent.name)
    for frame in (new / "templates").glob("*.j2"):
        if not (old / "templates" / frame.name).exists():
            shutil.copy2(frame, old / "templates" / frame.name)


def author_and_date(root: Path, revision_: str | None) -> tuple[str, str]:
    """Who made the newer version and when: the commit's author, or the working tree's user now."""
    if revision_:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%an%x00%aI", "--end-of-options",
                              revision(revision_), "--"],
                             capture_output=True, text=True)
        if out.returncode == 0 and "\x00" in out.stdout:
            name, date = out.stdout.strip().split("\x00")
            return name, _utc(date)
    name = subprocess.run(["git", "-C", str(root), "config", "user.name"], capture_output=True,
                          text=True).stdout.strip()
    return name or "docgen", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- comparing two trees ------------------------------------------------------------------------

def redline(old: Agreement, new: Agreement, author: str, date: str) -> Agreement:
    """The new document with every inserted and deleted word marked."""
    mark = _Marker(author, date)
    old_by_id = {a.clause_id: a for a in old.articles}
    new_ids = {a.clause_id for a in new.articles}
    articles: list[Article] = []
    pending = [a for a in old.articles if a.clause_id not in new_ids]
    for article in new.articles:
        previous = old_by_id.get(article.clause_id)
        # deleted articles stay where they stood: before the first kept article that followed them
        while previous is not None and pending and _old_index(old, pending[0]) < _old_index(old, previous):
            articles.append(_whole(pending.pop(0), mark, "del"))
        articles.append(_whole(article, mark, "ins") if previous is None else _compare(previous, article, mark))
    articles += [_whole(a, mark, "del") for a in pending]
    preamble = _rebuild(_diff_lines(_lines(old.preamble), _lines(new.preamble), mark))
    closing = _rebuild(_diff_lines(_lines(old.closing), _lines(new.closing), mark))
    return dataclasses.replace(new, articles=tuple(articles), preamble=preamble, closing=closing)


def _old_index(old: Agreement, article: Article) -> int:
    return old.articles.index(article)


class _Marker:
    def __init__(self, author: str, date: str):
        self.author, self.date = author, date

    def __call__(self, kind: str, content: Content) -> Change:
        return Change(kind, tuple(content), self.author, self.date)

    def whole(self, kind: str) -> Revision:
        return Revision(kind, self.author, self.date)


def _whole(article: Article, mark: _Marker, kind: str) -> Article:
    lines = [(level, dataclasses.replace(line, change=mark.whole(kind))) for level, line in _lines(article.paragraphs)]
    return dataclasses.replace(article, paragraphs=_rebuild(lines), change=mark.whole(kind))


def _compare(old: Article, new: Article, mark: _Marker) -> Article:
    return dataclasses.replace(new, paragraphs=_rebuild(_diff_lines(_lines(old.paragraphs),
                                                                    _lines(new.paragraphs), mark)))


def _lines(paragraphs: tuple[Paragraph, ...]) -> list[tuple[int, Line]]:
    """Paragraphs and items flat, with their level, each without its sub-items (_rebuild nests them again)."""
    return [(level, dataclasses.replace(line, items=())) for level, line in lines(paragraphs)]


def _diff_lines(old: list, new: list, mark: _Marker) -> list[tuple[int, Line]]:
    """New lines with word changes; deleted lines kept, struck through, where they stood."""
    matcher = difflib.SequenceMatcher(None, [content_key(l.content) for _, l in old], [content_key(l.content) for _, l in new],
                                      autojunk=False)
    result: list = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += new[j1:j2]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for offset in range(pairs):
            (_, before), (level, after) = old[i1 + offset], new[j1 + offset]
            result.append((level, dataclasses.replace(after, content=_diff_words(before.content, after.content,
                                                                                 mark))))
        result += [(level, dataclasses.replace(l, change=mark.whole("del"))) for level, l in old[i1 + pairs:i2]]
        result += [(level, dataclasses.replace(l, change=mark.whole("ins"))) for level, l in new[j1 + pairs:j2]]
    return result


def _diff_words(old: Content, new: Content, mark: _Marker) -> Content:
    before, after = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [_token_key(t) for t in before], [_token_key(t) for t in after],
                                      autojunk=False)
    out: list = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += after[j1:j2]
            continue
        if i2 > i1:
            out.append(mark("del", merged(before[i1:i2])))
        if j2 > j1:
            out.append(mark("ins", merged(after[j1:j2])))
    return merged(out)


def _tokens(content: Content) -> list:
    tokens = []
    for part in content:
        if isinstance(part, Text):
            tokens += [Text(word) for word in WORD.findall(part.value)]
        else:
            tokens.append(part)
    return tokens


def _token_key(token) -> tuple:
    if isinstance(token, Text):
        return ("t", token.value)
    if isinstance(token, Ref):   # 'Pasal 6' and 'Pasal 7' to the same article are equal
        return ("ref", token.target, token.label, token.phrase)
    if isinstance(token, Blank):
        return ("blank", token.what)
    return ("change", token.kind, content_key(token.content))


def content_key(content: Content) -> tuple:
    """What a line says, for comparing: its words and what its references point to, not their numbers."""
    return tuple(_token_key(t) for t in _tokens(content) if not (isinstance(t, Text) and not t.value.strip()))


def _rebuild(flat: list[tuple[int, Line]]) -> tuple[Paragraph, ...]:
    """Flat lines back into paragraphs with nested items."""
    roots: list[list] = []            # [line, children]
    stack: list[list] = []
    for level, line in flat:
        node = [line, []]
        if isinstance(line, Item) and not roots:   # a list without its paragraph: it becomes one
            node[0] = Paragraph(line.content, change=line.change)
        if isinstance(node[0], Paragraph):
            roots.append(node)
            stack = [node]
            continue
        del stack[max(1, min(level, len(stack))):]
        stack[-1][1].append(node)
        stack.append(node)

    def built(node) -> Line:
        return dataclasses.replace(node[0], items=tuple(built(c) for c in node[1]))

    return tuple(built(node) for node in roots)


def changed(old: Agreement | None, new: Agreement) -> bool:
    """Whether two versions of a document say different things (numbers aside)."""
    if old is None:
        return True
    return _document_key(old) != _document_key(new)


def _document_key(agreement: Agreement) -> tuple:
    return (tuple(content_key(line) for line in agreement.title_lines),
            tuple(content_key(l.content) for _, l in lines(agreement.preamble)),
            tuple((a.clause_id, a.title, tuple(content_key(l.content) for _, l in lines(a.paragraphs)))
                  for a in agreement.articles),
            tuple(content_key(l.content) for _, l in lines(agreement.closing)),
            tuple((s.role, content_key(s.office), content_key(s.name)) for s in agreement.signatures))


# ---- the change matrix ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MatrixRow:
    """One changed clause: its Pasal number before and after, and its text before and after."""
    clause_id: str
    old_number: int | None
    new_number: int | None
    old_text: str
    new_text: str


def matrix(old: Agreement, new: Agreement, language) -> list[MatrixRow]:
    """One row per clause whose text changed, was added or was removed, in the new order."""
    old_by_id = {a.clause_id: a for a in old.articles}
    new_by_id = {a.clause_id: a for a in new.articles}
    order = [a.clause_id for a in new.articles] + [a.clause_id for a in old.articles if a.clause_id not in new_by_id]
    rows = []
    for clause_id in order:
        before, after = old_by_id.get(clause_id), new_by_id.get(clause_id)
        if before and after and article_key(before) == article_key(after):
            continue
        rows.append(MatrixRow(clause_id, before.number if before else None, after.number if after else None,
                              _article_text(before, language), _article_text(after, language)))
    return rows


def article_key(article: Article) -> tuple:
    return article.title, tuple(content_key(l.content) for _, l in lines(article.paragraphs))


def _article_text(article: Article | None, language) -> str:
    if article is None:
        return ""
    return "\n".join([article.title] + [line.strip() for line in text.paragraphs(article.paragraphs, language)])


# ---- writing the redlines of a library ----------------------------------------------------------

def write_redlines(root: Path, from_rev: str, to_rev: str | None, documents: tuple[str, ...], out: Path,
                   with_matrix: bool):
    """Write a redline (in every writer that shows tracked changes) of each selected document that
    changed between two revisions; yields (document, files written), no files when it is unchanged."""
    from . import build, writers
    from .assemble import Assembler
    from .library import load
    with tempfile.TemporaryDirectory() as scratch:
        old_root = checkout(root, from_rev, Path(scratch) / "old")
        new_root = checkout(root, to_rev, Path(scratch) / "new") if to_rev else root
        if to_rev:
            with_catalogue(new_root, root)
        with_catalogue(old_root, new_root)
        old, new = Assembler(load(old_root)), Assembler(load(new_root))
        author, date = author_and_date(root, to_rev)
        stamp = dt.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ")
        context = writers.Context(new.templates, stamp, new.language, {"plain_numbers": True})
        for request in new.catalogue.select(documents):
            after = new.agreement(request)
            try:
                before = old.agreement(request)
            except DocgenError:  # the document could not be built at the older revision
                before = dataclasses.replace(after, articles=(), preamble=(), closing=())
            name = f"{request.combination}/{request.name}"
            if not changed(before, after):
                yield name, []
                continue
            marked = redline(before, after, author, date)
            written = []
            for writer in (w for w in writers.WRITERS.values() if w.redline):
                path = request.path(out, ".redline" + writer.suffix)
                build.write_atomically(path, writer.write(marked, context))
                written.append(path)
            if with_matrix:
                from .writers import docx as docx_writer
                path = request.path(out, new.language.word("matrix", "suffix") + ".docx")
                build.write_atomically(path, docx_writer.write_matrix(after, matrix(before, after, new.language),
                                                                      context))
                written.append(path)
            yield name, written
