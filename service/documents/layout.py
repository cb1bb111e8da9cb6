"""A small page model shared by the DOCX and PDF writers, and the parts of a Vietnamese
administrative document (Decree 30/2020/NĐ-CP, Appendix I) built from it.

Templates describe a document once, as :class:`Layout` blocks; :mod:`.docx_writer` and
:mod:`.pdf_writer` turn the same blocks into each format, so both files say the same thing.

Decree 30 layout used here: A4; margins top/bottom 2 cm, left 3 cm, right 1.5 cm; Times New Roman
(the PDF embeds a substitute, see :mod:`.fonts`); header as two columns, the issuing body on the
left (its parent body in regular capitals, its own name in bold capitals, a short rule, then the
number and symbol "Số: …/…") and the national motto on the right ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
NAM" bold capitals, "Độc lập - Tự do - Hạnh phúc" bold with a rule as long as it, then the place
and date in italics); the title centred in bold capitals with its summary and a rule; the body
justified with a first-line indent; the signature block on the right (authority, position,
space to sign, name) and the recipients ("Nơi nhận:") on the left; page numbers from page 2,
centred in the top margin.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

Align = Literal["left", "center", "right", "justify"]

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_TOP_CM = 2.0
MARGIN_BOTTOM_CM = 2.0
MARGIN_LEFT_CM = 3.0
MARGIN_RIGHT_CM = 1.5

BODY_SIZE = 13.0
SMALL_SIZE = 12.0
TABLE_SIZE = 11.5
RECIPIENT_SIZE = 11.0
TITLE_SIZE = 14.0


def text_width_cm(landscape: bool = False) -> float:
    page = PAGE_HEIGHT_CM if landscape else PAGE_WIDTH_CM
    return page - MARGIN_LEFT_CM - MARGIN_RIGHT_CM


def nfc(text: str) -> str:
    """Vietnamese text as NFC (precomposed), the form TCVN 6909 and the fonts expect."""
    return unicodedata.normalize("NFC", text)


def upper(text: str) -> str:
    return nfc(text).upper()


# --- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    align: Align = "justify"
    size: float = BODY_SIZE
    before: float = 0.0  # points
    after: float = 6.0  # points
    indent: float = 0.0  # first-line indent, cm
    keep_with_next: bool = False


@dataclass(frozen=True)
class Rule:
    """A short centred horizontal line: ``width`` cm, or ``fraction`` of the width of ``match``
    set in its own font (each writer measures it in the font it uses)."""

    width: float | None = None
    match: Run | None = None
    size: float = SMALL_SIZE
    fraction: float = 1.0


@dataclass(frozen=True)
class Gap:
    height: float  # points


@dataclass(frozen=True)
class Grid:
    """A ruled table with a header row that repeats on every page."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # cm
    aligns: tuple[Align, ...] = ()
    size: float = TABLE_SIZE


@dataclass(frozen=True)
class Columns:
    """Blocks side by side without borders (the header, the signature and recipients)."""

    cells: tuple[tuple[Block, ...], ...]
    widths: tuple[float, ...]  # cm


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Para | Rule | Gap | Grid | Columns | PageBreak


@dataclass(frozen=True)
class Meta:
    title: str
    subject: str
    author: str
    keywords: str  # carries the template and its version
    created: date  # the document's own date, never "now"


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...]
    meta: Meta
    landscape: bool = False


# --- Decree 30 parts ---------------------------------------------------------------------------

MOTTO_COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Issuer:
    """The issuing body ("tên cơ quan ban hành") and the body it belongs to, if any, each as
    lines of capitals: e.g. ``parent=("UBND THÀNH PHỐ HÀ NỘI",), name=("SỞ NỘI VỤ",)``."""

    name: tuple[str, ...]
    parent: tuple[str, ...] = ()


HANOI_PEOPLES_COMMITTEE = Issuer(name=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"))


@dataclass(frozen=True)
class Signature:
    """The signature block ("chữ ký"): ``authority`` such as "TM. ỦY BAN NHÂN DÂN" or
    "KT. CHỦ TỊCH", the ``position`` ("CHỦ TỊCH"), a ``hint`` such as "(Ký, ghi rõ họ tên)",
    and the signer's ``name`` (empty: left blank to fill in by hand)."""

    position: str
    name: str = ""
    authority: str | None = None
    hint: str | None = None


def date_line(place: str, day: date) -> str:
    """"Hà Nội, ngày 05 tháng 02 năm 2026": a zero before days below 10 and months 1 and 2."""
    dd = f"{day.day:02d}" if day.day < 10 else str(day.day)
    mm = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {dd} tháng {mm} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def number_line(number: str | None, symbol: str) -> str:
    """"Số: 5120/QĐ-UBND", or "Số:       /TTr" with the number left for the registry to fill."""
    if number:
        return f"Số: {number}"
    return f"Số:{chr(0xA0) * 10}/{symbol}"  # no-break spaces: the blank survives reflow


def para(text: str, *, bold: bool = False, italic: bool = False, **kw: object) -> Para:
    return Para((Run(text, bold=bold, italic=italic),), **kw)  # type: ignore[arg-type]


def centred(text: str, *, bold: bool = False, italic: bool = False, size: float = BODY_SIZE, after: float = 0.0, before: float = 0.0) -> Para:
    return Para((Run(text, bold=bold, italic=italic),), align="center", size=size, after=after, before=before)


def body(text: str, *, italic: bool = False, bold: bool = False, after: float = 6.0) -> Para:
    return Para((Run(text, bold=bold, italic=italic),), align="justify", indent=1.0, after=after)


def labelled(label: str, text: str, *, indent: float = 1.0) -> Para:
    """A body paragraph starting with a bold label ("Điều 1.", "- Họ và tên:")."""
    return Para((Run(label, bold=True), Run(" " + text if text else "")), align="justify", indent=indent)


def heading(text: str, *, before: float = 6.0) -> Para:
    return Para((Run(text, bold=True),), align="left", indent=1.0, before=before, after=4.0, keep_with_next=True)


def placeholder(text: str = "(Đơn vị bổ sung nội dung này.)") -> Para:
    return Para((Run(text, italic=True),), align="justify", indent=1.0)


def national_header(issuer: Issuer | None, number: str | None, dated: str | None, *, landscape: bool = False) -> tuple[Block, ...]:
    """The two-column header; without an issuer (a person's own report), the motto alone, centred."""
    motto = (
        centred(MOTTO_COUNTRY, bold=True, size=SMALL_SIZE),
        centred(MOTTO, bold=True, size=BODY_SIZE),
        Rule(match=Run(MOTTO, bold=True), size=BODY_SIZE),
    )
    if dated:
        motto += (centred(dated, italic=True, before=6.0),)
    if issuer is None:
        return motto + (Gap(12.0),)
    left: tuple[Block, ...] = tuple(centred(upper(line), size=SMALL_SIZE) for line in issuer.parent)
    left += tuple(centred(upper(line), bold=True, size=SMALL_SIZE) for line in issuer.name)
    longest = max(issuer.name, key=len)
    left += (Rule(match=Run(upper(longest), bold=True), size=SMALL_SIZE, fraction=0.4),)
    if number is not None:
        left += (centred(number, size=BODY_SIZE, before=4.0),)
    width = text_width_cm(landscape)
    left_width = 6.6 if not landscape else width / 2 - 1.5
    return (Columns(cells=(left, motto), widths=(left_width, width - left_width)), Gap(12.0))


def title_block(title: str, summary: tuple[str, ...] = (), *, rule: bool = True) -> tuple[Block, ...]:
    blocks: tuple[Block, ...] = (centred(upper(title), bold=True, size=TITLE_SIZE, before=6.0),)
    for line in summary:
        blocks += (centred(line, bold=True, size=TITLE_SIZE),)
    if rule:
        longest = max((title, *summary), key=len)
        blocks += (Rule(match=Run(longest, bold=True), size=TITLE_SIZE, fraction=0.35),)
    return blocks + (Gap(8.0),)


def signature_cell(signature: Signature, *, dated: str | None = None) -> tuple[Block, ...]:
    cell: tuple[Block, ...] = ()
    if dated:
        cell += (centred(dated, italic=True, after=4.0),)
    if signature.authority:
        cell += (centred(upper(signature.authority), bold=True),)
    cell += tuple(centred(upper(line), bold=True) for line in signature.position.split("\n"))
    if signature.hint:
        cell += (centred(signature.hint, italic=True, size=SMALL_SIZE),)
    cell += (Gap(64.0),)
    cell += (centred(signature.name, bold=True) if signature.name else Gap(14.0),)
    return cell


def recipients_cell(recipients: tuple[str, ...]) -> tuple[Block, ...]:
    if not recipients:
        return (Gap(1.0),)
    cell: tuple[Block, ...] = (Para((Run("Nơi nhận:", bold=True, italic=True),), align="left", size=SMALL_SIZE, after=0.0),)
    last = len(recipients) - 1
    for i, item in enumerate(recipients):
        end = "." if i == last else ";"
        cell += (Para((Run(f"- {item.rstrip(';.')}{end}"),), align="left", size=RECIPIENT_SIZE, after=0.0),)
    return cell


def closing(recipients: tuple[str, ...], signature: Signature, *, dated: str | None = None) -> tuple[Block, ...]:
    """The recipients on the left and the signature block on the right."""
    width = text_width_cm()
    return (Gap(10.0), Columns(cells=(recipients_cell(recipients), signature_cell(signature, dated=dated)), widths=(7.5, width - 7.5)))


def two_signatures(left: Signature, right: Signature, *, dated: str | None = None) -> tuple[Block, ...]:
    width = text_width_cm()
    return (Gap(10.0), Columns(cells=(signature_cell(left), signature_cell(right, dated=dated)), widths=(width / 2, width / 2)))


def percent(numerator: int, denominator: int) -> str:
    """"85,71%": Vietnamese decimal comma, two decimals."""
    return f"{100 * numerator / denominator:.2f}".replace(".", ",") + "%"


@dataclass(frozen=True)
class Count:
    """Singular nouns for counts: "2 tập thể và 3 cá nhân"."""

    collectives: int = 0
    individuals: int = 0

    def phrase(self) -> str:
        parts = []
        if self.collectives:
            parts.append(f"{self.collectives:02d} tập thể" if self.collectives < 10 else f"{self.collectives} tập thể")
        if self.individuals:
            parts.append(f"{self.individuals:02d} cá nhân" if self.individuals < 10 else f"{self.individuals} cá nhân")
        return " và ".join(parts)
