"""Raw WordprocessingML where python-docx's API ends: fields, fonts, borders, package clean-up."""
from __future__ import annotations

import io
import re
import zipfile

from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# A fixed zip timestamp keeps the bytes of a DOCX the same for the same input.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
LEFTOVER_RELS = (RT.THUMBNAIL, RT.CUSTOM_XML, STYLES_WITH_EFFECTS)

APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
<Application>docgen</Application></Properties>"""


def set_fonts(rpr_parent, name: str) -> None:
    """Use one font for every script slot (python-docx sets only ascii/hAnsi)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def set_language(rpr_parent, tag: str) -> None:
    """Spelling and hyphenation language of a style (Word checks Indonesian text as Indonesian)."""
    rpr = rpr_parent.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def simple_field(paragraph, instruction: str, cached: str) -> None:
    """A field such as PAGE, with its current result cached for readers that do not compute it."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = cached
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def complex_field(paragraph, instruction: str, cached: str) -> None:
    """A field Word recomputes on F9 (SEQ, REF), with its current result cached so it reads right at once."""
    def run_with(child) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    result = OxmlElement("w:t")
    result.text = cached
    for child in (char("begin"), instr, char("separate"), result, char("end")):
        run_with(child)


class Bookmarks:
    """Bookmark names for one document: Word allows 40 characters, letters, digits and '_'."""

    def __init__(self) -> None:
        self.names: dict[tuple, str] = {}
        self.next_id = 0

    def name(self, *key: str) -> str:
        if key not in self.names:
            base = "_".join(re.sub(r"[^A-Za-z0-9]", "_", part) for part in key)[:36]
            name, n = base, 1
            while name in self.names.values():
                n += 1
                name = f"{base[:33]}_{n}"
            self.names[key] = name
        return self.names[key]

    def around(self, paragraph, name: str, write) -> None:
        """Put a bookmark called `name` around what `write()` appends to the paragraph."""
        number = self.start(paragraph, name)
        write()
        self.end(paragraph, number)

    def start(self, paragraph, name: str) -> int:
        """Open a bookmark at the end of the paragraph so far; returns its id for end()."""
        element = OxmlElement("w:bookmarkStart")
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:name"), name)
        paragraph._p.append(element)
        self.next_id += 1
        return self.next_id - 1

    def end(self, paragraph, number: int) -> None:
        element = OxmlElement("w:bookmarkEnd")
        element.set(qn("w:id"), str(number))
        paragraph._p.append(element)


class Revisions:
    """Tracked changes (w:ins, w:del) with the ids Word needs to step through them."""

    def __init__(self) -> None:
        self.next_id = 1

    def wrap(self, paragraph, runs, kind: str, author: str, date: str) -> None:
        """Move `runs` of the paragraph into one tracked insertion or deletion."""
        if not runs:
            return
        element = self._element(kind, author, date)
        runs[0]._r.addprevious(element)
        for run in runs:
            if kind == "del":
                for text in run._r.findall(qn("w:t")):
                    text.tag = qn("w:delText")
            element.append(run._r)

    def mark_paragraph(self, paragraph, kind: str, author: str, date: str) -> None:
        """Mark the paragraph mark itself, so accepting a deleted paragraph removes it entirely."""
        rpr = paragraph._p.get_or_add_pPr().find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            paragraph._p.get_or_add_pPr().append(rpr)
        rpr.append(self._element(kind, author, date))

    def _element(self, kind: str, author: str, date: str):
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), author)
        element.set(qn("w:date"), date)
        self.next_id += 1
        return element


def table_borders(table, size: int = 4) -> None:
    """Single thin borders on every cell edge (the paraf boxes, the annex table)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def repeat_header(row) -> None:
    """Repeat a table's header row on every page it runs over."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def cant_split(row) -> None:
    """Keep a table row on one page."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


WATERMARK = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>\
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" \
path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/>\
<v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>\
<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>\
<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>\
<v:path textpathok="t" o:connecttype="custom"/><v:textpath on="t" fitshape="t"/>\
<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>\
<v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136" \
style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:140pt;rotation:315;\
z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;\
mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" \
fillcolor="#d9d9d9" stroked="f"><v:fill opacity=".5"/>\
<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt" string="{text}"/></v:shape></w:pict></w:r>"""


def watermark(header, text: str, font: str) -> None:
    """Word's own text watermark (Design › Watermark), drawn behind every page of the section."""
    from docx.oxml import parse_xml
    header.paragraphs[0]._p.append(parse_xml(WATERMARK.format(text=escape(text), font=escape(font))))


def drop_leftovers(document) -> None:
    """Remove what python-docx's default template carries: thumbnail, custom XML, app properties."""
    package = document.part.package
    for owner in (package, document.part):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype in LEFTOVER_RELS:
                owner.rels.pop(rel_id)
    app = package.part_related_by(RT.EXTENDED_PROPERTIES)
    app._blob = APP_XML.encode("utf-8")


def normalised_zip(data: bytes) -> bytes:
    """Rewrite a package with fixed entry dates and a stable order, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        first = [n for n in names if n == "[Content_Types].xml"]
        for name in first + sorted(n for n in names if n not in first):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
