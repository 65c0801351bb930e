"""`docgen review`: the comments and tracked changes of a reviewed DOCX, traced back to clause files."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from lxml import etree

from .errors import DocgenError
from .library import Library, read_bytes
from .writers.docx import anchored_clause

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAX_DOCX = 100_000_000   # bytes of the .docx file itself
MAX_PART = 50_000_000    # bytes of one part once decompressed (a 500-page agreement is a few MB)
# No DTD, no entities, nothing fetched: a reviewed file is data, not instructions to the parser.
PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Remark:
    """One comment or tracked change, and where in the library it belongs."""
    kind: str            # 'comment', 'insertion' or 'deletion'
    author: str
    date: str
    text: str            # the comment, or the inserted/deleted words
    clause: str | None   # clause id, None outside any article (title, parties, signatures)
    source: str | None   # 'clauses/common/pembiayaan.md:9'
    pasal: int | None

    def line(self, language) -> str:
        where = self.source or "(outside the articles)"
        pasal = language.article_heading(self.pasal) if self.pasal else "-"
        return f"{where}: {pasal} [{self.clause or '-'}] {self.kind} by {self.author or '?'} " \
               f"{self.date or ''}: {self.text}".replace("  ", " ")

    def as_dict(self) -> dict:
        return asdict(self)


def review(path: Path, library: Library, language) -> list[Remark]:
    """Every comment and tracked insertion/deletion of `path`, in document order."""
    heading_of = re.compile(rf"^\s*{re.escape(language.word('reference', 'article'))}\s+(\d+)\s*$")
    document, comments = _read(path)
    remarks: list[Remark] = []
    open_anchors: dict[str, str] = {}
    anchored = False
    pasal: int | None = None
    paragraph_text = ""
    for element in document.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "bookmarkStart":
            clause = anchored_clause(element.get(f"{{{W}}}name", ""))
            if clause:
                open_anchors[element.get(f"{{{W}}}id")] = clause
                anchored = True
                heading = heading_of.match(_text(element.getparent()))  # the anchor opens in the Pasal heading
                pasal = int(heading.group(1)) if heading else None
        elif tag == "bookmarkEnd":
            open_anchors.pop(element.get(f"{{{W}}}id"), None)
        elif tag == "p":
            paragraph_text = _text(element)
        clause = list(open_anchors.values())[-1] if open_anchors else None
        if tag == "commentRangeStart" or (tag == "commentReference" and not _started(document, element)):
            comment = comments.get(element.get(f"{{{W}}}id"))
            if comment is not None:
                remarks.append(_remark("comment", comment, _text(comment), clause, pasal, paragraph_text, library))
        elif tag in ("ins", "del") and element.getparent() is not None \
                and etree.QName(element.getparent()).localname != "rPr":
            words = _text(element)
            if words.strip():
                kind = "insertion" if tag == "ins" else "deletion"
                remarks.append(_remark(kind, element, words, clause, pasal, paragraph_text, library))
    if not anchored:
        raise DocgenError("not a DOCX made by docgen: it has no clause anchors (bookmarks K_…); "
                          "review a file that docgen built", str(path))
    return remarks


def anchors(path: Path) -> list[str]:
    """The clause ids anchored in a DOCX, in document order, each once."""
    document, _ = _read(path)
    found = []
    for start in document.iter(f"{{{W}}}bookmarkStart"):
        clause = anchored_clause(start.get(f"{{{W}}}name", ""))
        if clause and clause not in found:
            found.append(clause)
    return found


def _read(path: Path):
    data = read_bytes(path, MAX_DOCX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            document = _part(package, "word/document.xml", path)
            names = package.namelist()
            comments_xml = _part(package, "word/comments.xml", path) if "word/comments.xml" in names else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, EOFError, NotImplementedError):
        raise DocgenError("not a DOCX file (cannot read word/document.xml); give the .docx that came back "
                          "from review", str(path)) from None
    comments = {}
    if comments_xml is not None:
        for comment in comments_xml.iter(f"{{{W}}}comment"):
            comments[comment.get(f"{{{W}}}id")] = comment
    return document, comments


def _part(package: zipfile.ZipFile, name: str, path: Path):
    """One XML part, its declared and its actual size bounded before it is read, with no DTD."""
    info = package.getinfo(name)
    if info.file_size > MAX_PART:
        raise DocgenError(f"{name} declares {info.file_size:,} bytes uncompressed, more than {MAX_PART:,}; "
                          "this is not a reviewed agreement", str(path))
    with package.open(info) as stream:
        data = stream.read(MAX_PART + 1)
    if len(data) > MAX_PART:
        raise DocgenError(f"{name} decompresses to more than {MAX_PART:,} bytes (more than it declares); "
                          "this is not a reviewed agreement", str(path))
    root = None if b"<!ENTITY" in data or b"<!DOCTYPE" in data else etree.fromstring(data, PARSER)
    if root is None or root.getroottree().docinfo.doctype:
        raise DocgenError(f"{name} carries a DTD or entity declarations, which Word never writes; "
                          "save the document again from Word or LibreOffice", str(path))
    return root


def _started(document, reference) -> bool:
    """A comment on a range is reported at its start; a point comment at its reference."""
    wanted = reference.get(f"{{{W}}}id")
    return any(start.get(f"{{{W}}}id") == wanted for start in document.iter(f"{{{W}}}commentRangeStart"))


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t", f"{{{W}}}delText"))


def _remark(kind: str, element, text: str, clause: str | None, pasal: int | None, context: str,
            library: Library) -> Remark:
    author = element.get(f"{{{W}}}author", "")
    date = element.get(f"{{{W}}}date", "")
    return Remark(kind, author, date, " ".join(text.split()), clause, _source(library, clause, context), pasal)


def _source(library: Library, clause_id: str | None, context: str) -> str | None:
    """path:line of the clause file line that shares most words with the paragraph remarked on."""
    if clause_id is None:
        return None
    clause = library.clause(clause_id)
    if clause is None:
        return f"(clause '{clause_id}' is no longer in the library)"
    words = set(re.findall(r"\w+", context.lower()))
    best, best_line = 0, None
    for number, line in enumerate(clause.source.split("\n"), start=1):
        shared = len(words & set(re.findall(r"\w+", line.lower())))
        if line.strip() and best_line is None:
            best_line = number  # the first line of the body, when nothing matches
        if shared > best:
            best, best_line = shared, number
    return f"{clause.path}:{best_line or clause.line}"
