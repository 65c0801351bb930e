"""Raw WordprocessingML where python-docx's API ends: fields, fonts, borders, package clean-up."""
from __future__ import annotations

import io
import re
import zipfile

from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.text.paragraph import Paragraph
from lxml import etree
from docx.oxml.ns import qn

# A fixed zip timestamp keeps the bytes of a DOCX the same for the same input.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
LEFTOVER_RELS = (RT.THUMBNAIL, RT.CUSTOM_XML, STYLES_WITH_EFFECTS)

APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
<Template>{template}</Template><Application>docgen</Application><Company>{company}</Company></Properties>"""

# The order of the children the schema (ISO/IEC 29500-1, transitional) allows in the elements docgen
# writes into; an element appended out of order is a schema error Word may "repair" by dropping it.
SCHEMA_ORDER = {
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
                "w:tblPrChange"),
    "w:trPr": ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter", "w:cantSplit",
               "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
               "w:trPrChange"),
    "w:tblCellMar": ("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
               "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
               "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"),
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
              "w:pPrChange"),
    # a paragraph mark's run properties begin with its own tracked insertion or deletion
    "w:rPr": ("w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i",
              "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss",
              "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing",
              "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
              "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
              "w:specVanish", "w:oMath", "w:rPrChange"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                 "w:docGrid", "w:printerSettings", "w:sectPrChange"),
    "w:settings": ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
                   "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
                   "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
                   "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
                   "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
                   "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
                   "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
                   "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter", "w:stylePaneSortMethod",
                   "w:documentType", "w:mailMerge", "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves",
                   "w:doNotTrackFormatting", "w:documentProtection", "w:autoFormatOverride",
                   "w:styleLockTheme", "w:styleLockQFSet", "w:defaultTabStop", "w:autoHyphenation",
                   "w:consecutiveHyphenLimit", "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope",
                   "w:summaryLength", "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
                   "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
                   "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
                   "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
                   "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
                   "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
                   "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
                   "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
                   "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
                   "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
                   "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
                   "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
                   "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                   "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
                   "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
                   "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                   "w:listSeparator"),
}


def child(parent, tag: str):
    """The child `tag` of `parent` ('w:lang' in an rPr), made and put in schema order when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        insert_in_order(parent, found)
    return found


def insert_in_order(parent, element) -> None:
    """Put `element` into `parent` before the first child the schema orders after it (SCHEMA_ORDER)."""
    order = [qn(tag) for tag in SCHEMA_ORDER[parent.prefix + ":" + etree.QName(parent).localname]]
    later = set(order[order.index(element.tag) + 1:])
    for existing in parent:
        if existing.tag in later:
            existing.addprevious(element)
            return
    parent.append(element)


def set_fonts(rpr_parent, name: str) -> None:
    """Use one font for every script slot (python-docx sets only ascii/hAnsi)."""
    fonts = child(rpr_parent.get_or_add_rPr(), "w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def set_language(rpr, tag: str) -> None:
    """Spelling and hyphenation language of run properties (Word checks Indonesian text as Indonesian)."""
    lang = child(rpr, "w:lang")
    for script in ("w:val", "w:eastAsia"):
        lang.set(qn(script), tag)


def document_language(document, tag: str) -> None:
    """`tag` as the language of the defaults, of every style and of the theme fonts, so Word checks the
    whole text as that language and a PDF exported from it declares it."""
    styles = document.styles.element
    defaults = child(child(child(styles, "w:docDefaults"), "w:rPrDefault"), "w:rPr")
    set_language(defaults, tag)
    for style in styles.iterchildren(qn("w:style")):
        set_language(style.get_or_add_rPr(), tag)
    settings = document.settings.element
    child(settings, "w:themeFontLang").set(qn("w:val"), tag)


def compatibility_mode(document, version: int) -> None:
    """The Word version whose layout rules apply (15: Word 2013 and later, no "Compatibility Mode")."""
    compat = child(document.settings.element, "w:compat")
    for setting in compat.iterchildren(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), str(version))


def outline_level(style, level: int) -> None:
    """The outline level of a paragraph style (0 is level 1): Word's Navigation Pane and PDF bookmarks."""
    child(style.element.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(level))


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
    def run_with(part) -> None:
        run = OxmlElement("w:r")
        run.append(part)
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
    for part in (char("begin"), instr, char("separate"), result, char("end")):
        run_with(part)


class Bookmarks:
    """Bookmark names for one document: Word allows 40 characters, letters, digits and '_'."""

    def __init__(self) -> None:
        self.names: dict[tuple, str] = {}
        self.placed: set[str] = set()   # the names already in the document: a name marks one place only
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
        self.placed.add(name)
        self.next_id += 1
        return self.next_id - 1

    def end(self, paragraph, number: int) -> None:
        element = OxmlElement("w:bookmarkEnd")
        element.set(qn("w:id"), str(number))
        paragraph._p.append(element)


# The footnotes part as Word writes it: the separator line above the notes (id -1) and the one above notes
# continued from the page before (id 0), which settings.xml names; the notes themselves count from 1.
FOOTNOTES_XML = """<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>\
</w:footnotes>"""
SEPARATORS = ("-1", "0")


class Footnotes:
    """Word's own footnotes (python-docx has none): the footnotes part, made with the first note, and
    the numbered reference in the text. Word and LibreOffice number the notes in their order."""

    def __init__(self, document, text_style: str, reference_style: str) -> None:
        self.document = document
        self.text_style = text_style
        self.reference_style = reference_style
        self.part = None
        self.next_id = 1

    def add(self, paragraph, after: str = ""):
        """Append a footnote reference to `paragraph` (after `after`, raised as it: the ',' between two
        notes on one heading); returns the note's paragraph, its number already in it, for the caller to fill."""
        if self.part is None:
            self.part = self._made()
        number = str(self.next_id)
        self.next_id += 1
        if after:
            separator = self._reference_run("w:t")
            separator[-1].text = after
            paragraph._p.append(separator)
        reference = self._reference_run("w:footnoteReference")
        reference[-1].set(qn("w:id"), number)
        paragraph._p.append(reference)
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), number)
        p = OxmlElement("w:p")
        child(p.get_or_add_pPr(), "w:pStyle").set(qn("w:val"), self.text_style)
        p.append(self._reference_run("w:footnoteRef"))
        note.append(p)
        self.part.element.append(note)
        body = Paragraph(p, paragraph._parent)
        body.add_run(" ")
        return body

    def _reference_run(self, tag: str):
        run = OxmlElement("w:r")
        child(run.get_or_add_rPr(), "w:rStyle").set(qn("w:val"), self.reference_style)
        run.append(OxmlElement(tag))
        return run

    def _made(self) -> XmlPart:
        package = self.document.part.package
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(FOOTNOTES_XML), package)
        self.document.part.relate_to(part, RT.FOOTNOTES)
        properties = child(self.document.settings.element, "w:footnotePr")
        for number in SEPARATORS:
            separator = OxmlElement("w:footnote")
            separator.set(qn("w:id"), number)
            properties.append(separator)
        return part


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
        rpr = child(paragraph._p.get_or_add_pPr(), "w:rPr")
        insert_in_order(rpr, self._element(kind, author, date))

    def _element(self, kind: str, author: str, date: str):
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), author)
        element.set(qn("w:date"), date)
        self.next_id += 1
        return element


def table_borders(table, size: int = 4) -> None:
    """Single thin borders on every cell edge (the paraf boxes, the annex table)."""
    borders = child(table._tbl.tblPr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)


def table_geometry(table, widths, padding_pt: dict) -> None:
    """Fixed column widths (w:tblGrid and every cell's w:tcW, which Word and LibreOffice each read) and
    the inner margins of the cells, so the table is laid out as its widths say, not by its content."""
    tbl_pr = table._tbl.tblPr
    total = child(tbl_pr, "w:tblW")
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(sum(round(width.twips) for width in widths)))
    child(tbl_pr, "w:tblLayout").set(qn("w:type"), "fixed")
    margins = child(tbl_pr, "w:tblCellMar")
    for edge in ("top", "left", "bottom", "right"):
        element = child(margins, f"w:{edge}")
        element.set(qn("w:w"), str(round(padding_pt[edge] * 20)))
        element.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def repeat_header(row) -> None:
    """Repeat a table's header row on every page it runs over."""
    child(row._tr.get_or_add_trPr(), "w:tblHeader")


def cant_split(row) -> None:
    """Keep a table row on one page."""
    child(row._tr.get_or_add_trPr(), "w:cantSplit")


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
    """Remove what python-docx's default template carries: thumbnail, custom XML."""
    package = document.part.package
    for owner in (package, document.part):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype in LEFTOVER_RELS:
                owner.rels.pop(rel_id)


def app_properties(document, company: str, template: str) -> None:
    """The extended properties (docProps/app.xml): the application, the template the document was made
    from and the office that made it (the template's leftovers, such as its page count, go)."""
    app = document.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    app._blob = APP_XML.format(template=escape(template), company=escape(company)).encode("utf-8")


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
