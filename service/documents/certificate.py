"""The certificate of a decided award ("bằng khen" / "giấy chứng nhận") as a one-page PDF with a QR
code that links to the public verification endpoint.

Deterministic: the same inputs (including the verification code) give the same bytes — reportlab's
``invariant=1`` fixes the date and file id, the font subsets get fixed names (see pdf_writer) — so
the SHA-256 recorded in the audit trail identifies the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from service.documents.fonts import register
from service.documents.layout import nfc

CONTENT_TYPE = "application/pdf"
TEMPLATE_VERSION = "certificate@1"


@dataclass(frozen=True)
class CertificateText:
    issuer: str  # "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    award_name: str  # "Bằng khen của Chủ tịch UBND Thành phố"
    nominee_name: str
    unit_name: str
    achievement: str
    year: int
    decision_number: str
    signed_on: date
    signer: str
    verify_url: str
    code: str


def _centre(canvas: Canvas, face: str, size: float, y: float, text: str, width: float) -> None:
    canvas.setFont(face, size)
    canvas.drawCentredString(width / 2, y, nfc(text))


def _wrap(canvas: Canvas, text: str, face: str, size: float, width: float, lines: int) -> list[str]:
    words, out, line = nfc(text).split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if canvas.stringWidth(trial, face, size) <= width:
            line = trial
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip(".,;") + " …"
    return out


def render_certificate(text: CertificateText) -> bytes:
    fonts = register()
    regular, bold, italic = fonts.face("regular"), fonts.face("bold"), fonts.face("italic")
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=0)
    canvas.setTitle(nfc(f"{text.award_name} — {text.nominee_name}"))
    canvas.setAuthor(nfc(text.issuer))
    canvas.setSubject(nfc(f"Quyết định số {text.decision_number}"))
    canvas.setCreator("tdkt")
    canvas.setProducer("tdkt (ReportLab)")
    canvas.setLineWidth(2)
    canvas.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    _centre(canvas, bold, 12, height - 2.4 * cm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", width)
    _centre(canvas, bold, 11, height - 3.0 * cm, "Độc lập - Tự do - Hạnh phúc", width)
    _centre(canvas, bold, 13, height - 4.2 * cm, text.issuer.upper(), width)
    _centre(canvas, bold, 26, height - 6.0 * cm, text.award_name.upper(), width)
    _centre(canvas, regular, 13, height - 7.2 * cm, "tặng", width)
    _centre(canvas, bold, 20, height - 8.4 * cm, text.nominee_name, width)
    _centre(canvas, italic, 13, height - 9.3 * cm, text.unit_name, width)
    y = height - 10.6 * cm
    for line in _wrap(canvas, f"Đã có thành tích: {text.achievement}" if text.achievement else
                      f"Đã có thành tích xuất sắc năm {text.year}.", regular, 13, width - 8 * cm, 3):
        _centre(canvas, regular, 13, y, line, width)
        y -= 0.65 * cm
    _centre(canvas, regular, 12, 4.6 * cm, f"Quyết định số {text.decision_number}, ngày {text.signed_on:%d/%m/%Y}", width)
    _centre(canvas, bold, 12, 3.9 * cm, text.signer, width)
    # QR code: the public verification address, with the code printed for people who type it.
    widget = QrCodeWidget(text.verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 3.4 * cm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, width - 1.8 * cm - size, 1.9 * cm)
    canvas.setFont(regular, 8)
    canvas.drawRightString(width - 1.8 * cm, 1.6 * cm, nfc(f"Mã xác thực: {text.code}"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
