"""Layout → PDF (reportlab platypus), with the Vietnamese font embedded, byte-for-byte stable.

Determinism: reportlab's ``invariant=1`` fixes the creation date and the file identifier (else
"now" and a random id); every other metadata field is set from the layout. Font subsets get
fixed names (``AAAAAA+…``), so the same text gives the same bytes in any process.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus.flowables import HRFlowable

from service.documents.fonts import FAMILY, FontSet, register
from service.documents.layout import (
    MARGIN_BOTTOM_CM,
    MARGIN_LEFT_CM,
    MARGIN_RIGHT_CM,
    MARGIN_TOP_CM,
    Block,
    Columns,
    Gap,
    Grid,
    Layout,
    PageBreak,
    Para,
    Rule,
    Run,
    nfc,
    text_width_cm,
)

CONTENT_TYPE = "application/pdf"
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
_LEADING = 1.3  # line height as a multiple of the font size


def to_pdf(layout: Layout) -> bytes:
    fonts = register()
    buffer = io.BytesIO()
    meta = layout.meta
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4) if layout.landscape else A4,
        leftMargin=MARGIN_LEFT_CM * cm,
        rightMargin=MARGIN_RIGHT_CM * cm,
        topMargin=MARGIN_TOP_CM * cm,
        bottomMargin=MARGIN_BOTTOM_CM * cm,
        title=nfc(meta.title),
        author=nfc(meta.author),
        subject=nfc(meta.subject),
        keywords=nfc(meta.keywords),
        creator="tdkt",
        producer="tdkt (ReportLab)",
        lang="vi-VN",
        invariant=1,
    )
    writer = _Writer(fonts)
    story = writer.blocks(layout.blocks, text_width_cm(layout.landscape))
    document.build(story, onFirstPage=_no_number, onLaterPages=writer.page_number)
    return buffer.getvalue()


def _no_number(canvas, document) -> None:  # type: ignore[no-untyped-def]
    return None


class _Writer:
    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self._styles: dict[tuple, ParagraphStyle] = {}

    def page_number(self, canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(FAMILY, 12)
        width, height = document.pagesize
        canvas.drawCentredString(width / 2, height - 1.3 * cm, str(document.page))
        canvas.restoreState()

    def style(self, size: float, align: str, *, before: float = 0, after: float = 0, indent: float = 0, keep: bool = False) -> ParagraphStyle:
        key = (size, align, before, after, indent, keep)
        if key not in self._styles:
            self._styles[key] = ParagraphStyle(
                f"s{len(self._styles)}",
                fontName=FAMILY,
                fontSize=size,
                leading=size * _LEADING,
                alignment=_ALIGN[align],
                spaceBefore=before,
                spaceAfter=after,
                firstLineIndent=indent * cm,
                keepWithNext=1 if keep else 0,
                wordWrap=None,
            )
        return self._styles[key]

    def blocks(self, blocks: tuple[Block, ...], width: float) -> list[Flowable]:
        return [flowable for block in blocks for flowable in self.block(block, width)]

    def block(self, block: Block, width: float) -> list[Flowable]:
        if isinstance(block, Para):
            style = self.style(block.size, block.align, before=block.before, after=block.after, indent=block.indent, keep=block.keep_with_next)
            return [Paragraph(_markup(block.runs), style)]
        if isinstance(block, Rule):
            length = block.width
            if length is None:
                assert block.match is not None
                face = self.fonts.face("bold" if block.match.bold else "regular")
                length = stringWidth(nfc(block.match.text), face, block.size) / cm * block.fraction
            return [HRFlowable(width=min(length, width) * cm, thickness=0.6, color=colors.black, spaceBefore=4, spaceAfter=3, hAlign="CENTER")]
        if isinstance(block, Gap):
            return [Spacer(1, block.height)]
        if isinstance(block, Grid):
            return [self.grid(block)]
        if isinstance(block, Columns):
            return [self.columns(block)]
        if isinstance(block, PageBreak):
            return [RLPageBreak()]
        raise TypeError(f"unknown block {block!r}")  # pragma: no cover

    def grid(self, block: Grid) -> Table:
        aligns = block.aligns or ("left",) * len(block.header)
        head = [Paragraph(_markup((Run(text, bold=True),)), self.style(block.size, "center")) for text in block.header]
        rows = [
            [Paragraph(_markup((Run(text),)), self.style(block.size, align)) for text, align in zip(row, aligns)]
            for row in block.rows
        ]
        table = Table([head, *rows], colWidths=[w * cm for w in block.widths], repeatRows=1, hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def columns(self, block: Columns) -> Table:
        cells = [self.blocks(blocks, width - 0.2) for blocks, width in zip(block.cells, block.widths)]
        table = Table([cells], colWidths=[w * cm for w in block.widths], hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # centres the rules; paragraphs keep their own alignment
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return table


def _markup(runs: tuple[Run, ...]) -> str:
    parts = []
    for run in runs:
        text = escape(nfc(run.text)).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)
