"""Layout → editable DOCX (python-docx, built in code: no binary template), byte-for-byte stable.

Determinism: python-docx serialises its XML the same way every time; what varies is the zip
(entry timestamps are "now") and the core properties (python-docx's defaults date from 2013 and
name python-docx). So the core properties are set from the document's own date and template, the
template's thumbnail is dropped, and the package is rewritten with a fixed member order, fixed
timestamps (1980-01-01), fixed permissions and a fixed compression level.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.pdfbase.pdfmetrics import stringWidth

from service.documents.layout import (
    BODY_SIZE,
    MARGIN_BOTTOM_CM,
    MARGIN_LEFT_CM,
    MARGIN_RIGHT_CM,
    MARGIN_TOP_CM,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    Block,
    Columns,
    Gap,
    Grid,
    Layout,
    PageBreak,
    Para,
    Rule,
    nfc,
    text_width_cm,
)

FONT = "Times New Roman"  # Decree 30/2020/NĐ-CP, Appendix I
LANGUAGE = "vi-VN"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_LINE = 1.15  # line spacing (multiple); Decree 30 asks for single to 1.5 lines
# Children of w:pPr that the schema places after w:pBdr.
_AFTER_PBDR = tuple(
    f"w:{tag}"
    for tag in ["shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
)


def to_docx(layout: Layout) -> bytes:
    document = docx.Document()
    _setup(document, layout)
    writer = _Writer(document)
    for block in layout.blocks:
        writer.block(document, block, text_width_cm(layout.landscape))
    _core_properties(document, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_package(buffer.getvalue())


def normalise_package(data: bytes) -> bytes:
    """Rewrite an OOXML zip with a fixed member order and fixed entry metadata."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()


# --- document set-up -------------------------------------------------------------------------


def _setup(document: docx.document.Document, layout: Layout) -> None:
    section = document.sections[0]
    if layout.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(PAGE_HEIGHT_CM), Cm(PAGE_WIDTH_CM)
    else:
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
    section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    _set_language(rpr)
    # The document defaults too, so table text and new paragraphs typed in Word match.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_language(default_rpr)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = _LINE

    # Page numbers from page 2, centred in the top margin (Decree 30, Appendix I).
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    header._p.append(field)

    # python-docx's template ships a thumbnail of an empty page: drop it.
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(rel_id)


def _set_language(rpr) -> None:  # type: ignore[no-untyped-def]
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _core_properties(document: docx.document.Document, layout: Layout) -> None:
    meta = layout.meta
    stamp = datetime(meta.created.year, meta.created.month, meta.created.day)
    props = document.core_properties
    props.title = nfc(meta.title)
    props.subject = nfc(meta.subject)
    props.author = nfc(meta.author)
    props.last_modified_by = nfc(meta.author)
    props.keywords = nfc(meta.keywords)
    props.comments = ""
    props.category = ""
    props.language = LANGUAGE
    props.revision = 1
    props.created = stamp
    props.modified = stamp


# --- blocks ----------------------------------------------------------------------------------


def _docx_width_cm(text: str, size: float, bold: bool) -> float:
    """The width of ``text`` in Times New Roman, from the Times metrics bundled with reportlab
    (Vietnamese marks do not change a letter's advance, so they are stripped first)."""
    base = "".join(c for c in unicodedata.normalize("NFD", nfc(text)) if not unicodedata.combining(c))
    base = base.replace("đ", "d").replace("Đ", "D")
    return stringWidth(base, "Times-Bold" if bold else "Times-Roman", size) / 72 * 2.54


class _Writer:
    def __init__(self, document: docx.document.Document) -> None:
        self.document = document

    def block(self, container, block: Block, width: float) -> None:  # type: ignore[no-untyped-def]
        if isinstance(block, Para):
            self.para(container, block)
        elif isinstance(block, Rule):
            self.rule(container, block, width)
        elif isinstance(block, Gap):
            self.gap(container, block)
        elif isinstance(block, Grid):
            self.grid(container, block)
        elif isinstance(block, Columns):
            self.columns(container, block)
        elif isinstance(block, PageBreak):
            paragraph = self._paragraph(container)
            paragraph.add_run().add_break(WD_BREAK.PAGE)
        else:  # pragma: no cover - a new block type without a writer
            raise TypeError(f"unknown block {block!r}")

    def _paragraph(self, container):  # type: ignore[no-untyped-def]
        """A new paragraph; in a table cell, the cell's own empty first paragraph is used first."""
        if getattr(container, "_tdkt_fresh", False):
            container._tdkt_fresh = False
            return container.paragraphs[0]
        return container.add_paragraph()

    def para(self, container, block: Para):  # type: ignore[no-untyped-def]
        paragraph = self._paragraph(container)
        fmt = paragraph.paragraph_format
        paragraph.alignment = _ALIGN[block.align]
        fmt.space_before = Pt(block.before)
        fmt.space_after = Pt(block.after)
        fmt.line_spacing = _LINE
        if block.indent:
            fmt.first_line_indent = Cm(block.indent)
        if block.keep_with_next:
            fmt.keep_with_next = True
        for run in block.runs:
            if not run.text:
                continue
            r = paragraph.add_run(nfc(run.text))
            r.bold = run.bold or None
            r.italic = run.italic or None
            r.font.size = Pt(block.size)
        _mark_size(paragraph, block.size)
        return paragraph

    def rule(self, container, block: Rule, width: float) -> None:  # type: ignore[no-untyped-def]
        length = block.width
        if length is None:
            assert block.match is not None
            length = _docx_width_cm(block.match.text, block.size, block.match.bold) * block.fraction
        length = min(length, width)
        paragraph = self._paragraph(container)
        fmt = paragraph.paragraph_format
        side = max((width - length) / 2, 0.0)
        fmt.left_indent = Cm(side)
        fmt.right_indent = Cm(side)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(2)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(3)
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.insert_element_before(borders, *_AFTER_PBDR)  # the schema's order of pPr children
        _mark_size(paragraph, 2)

    def gap(self, container, block: Gap) -> None:  # type: ignore[no-untyped-def]
        paragraph = self._paragraph(container)
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(block.height, 1.0))
        _mark_size(paragraph, 2)

    def grid(self, container, block: Grid) -> None:  # type: ignore[no-untyped-def]
        table = container.add_table(rows=0, cols=len(block.header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # w:tblLayout type="fixed"
        aligns = block.aligns or ("left",) * len(block.header)
        header = table.add_row()
        _repeat_header(header)
        for cell, text, width in zip(header.cells, block.header, block.widths):
            self._cell_text(cell, text, width, "center", block.size, bold=True)
        for row in block.rows:
            cells = table.add_row().cells
            for cell, text, width, align in zip(cells, row, block.widths, aligns):
                self._cell_text(cell, text, width, align, block.size)
        _grid_columns(table, block.widths)

    def _cell_text(self, cell, text: str, width: float, align: str, size: float, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
        cell.width = Cm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = _ALIGN[align]
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(2)
        fmt.space_after = Pt(2)
        fmt.line_spacing = 1.0
        if text:
            run = paragraph.add_run(nfc(text))
            run.font.size = Pt(size)
            run.bold = bold or None
        _mark_size(paragraph, size)

    def columns(self, container, block: Columns) -> None:  # type: ignore[no-untyped-def]
        table = container.add_table(rows=1, cols=len(block.cells))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # w:tblLayout type="fixed"
        for cell, blocks, width in zip(table.rows[0].cells, block.cells, block.widths):
            cell.width = Cm(width)
            cell._tdkt_fresh = True
            for inner in blocks:
                self.block(cell, inner, width - 0.4)  # less the cell's default side margins
        _grid_columns(table, block.widths)


def _mark_size(paragraph, size: float) -> None:  # type: ignore[no-untyped-def]
    """Size of the paragraph mark, which sets the height of an empty line."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(round(size * 2)))
        rpr.append(element)


def _grid_columns(table, widths: tuple[float, ...]) -> None:  # type: ignore[no-untyped-def]
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(round(width / 2.54 * 1440)))


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)
