"""Extract of the vote-counting minutes ("Trích biên bản kiểm phiếu") for one candidate: the
cluster's honouring ballot ("suy tôn") or the city council's secret ballot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from service.documents.layout import (
    Block,
    Grid,
    Issuer,
    Layout,
    Meta,
    Signature,
    body,
    date_line,
    heading,
    labelled,
    national_header,
    percent,
    text_width_cm,
    title_block,
    two_signatures,
)
from service.documents.model import TallyLine

TEMPLATE = "ballot_minutes"
TEMPLATE_VERSION = "1"

BallotKind = Literal["cluster", "council"]


@dataclass(frozen=True)
class BallotMinutes:
    issuer: Issuer
    ballot: BallotKind
    date: dt.date
    body: str  # "Cụm thi đua số 6" / "Hội đồng Thi đua - Khen thưởng thành phố Hà Nội"
    candidate: str
    award: str
    year: int
    tally: tuple[TallyLine, ...]
    passed: bool | None  # None: the result was not recorded
    chair: Signature
    secretary: Signature
    in_favour: int | None = None
    base: tuple[str, int] | None = None  # what the share of votes is counted against: ("tổng số thành viên", 7)
    reason: str | None = None
    place: str = "Hà Nội"


def layout(doc: BallotMinutes) -> Layout:
    what = "bỏ phiếu kín suy tôn" if doc.ballot == "cluster" else "bỏ phiếu kín"
    blocks: tuple[Block, ...] = national_header(doc.issuer, None, date_line(doc.place, doc.date))
    blocks += title_block("Trích biên bản kiểm phiếu", (f"{what.capitalize()} đề nghị tặng {doc.award} năm {doc.year}",))
    blocks += (
        body(
            f"Ngày {doc.date.day:02d}/{doc.date.month:02d}/{doc.date.year}, {doc.body} tổ chức {what} đề nghị tặng "
            f"{doc.award} năm {doc.year}. Trích kết quả kiểm phiếu đối với {doc.candidate} như sau:"
        ),
        heading("I. KẾT QUẢ KIỂM PHIẾU"),
    )
    width = text_width_cm()
    rows = tuple((line.label, line.value) for line in doc.tally)
    if doc.in_favour is not None and doc.base and doc.base[1] > 0:
        label, total = doc.base
        rows += ((f"Tỷ lệ phiếu đồng ý trên {label}", f"{doc.in_favour}/{total} ({percent(doc.in_favour, total)})"),)
    blocks += (Grid(header=("Nội dung", "Kết quả"), rows=rows, widths=(width - 5.5, 5.5), aligns=("left", "center")),)
    verdict = {True: "Đạt", False: "Không đạt", None: "Chưa ghi nhận"}[doc.passed]
    blocks += (
        heading("II. KẾT LUẬN"),
        labelled(f"{doc.candidate}:", f"{verdict} đề nghị tặng {doc.award}."),
    )
    if doc.reason:
        blocks += (body(f"Lý do: {doc.reason}"),)
    blocks += (body("Biên bản được lập và thông qua tại cuộc họp; các thành viên nhất trí với kết quả kiểm phiếu trên./."),)
    blocks += two_signatures(doc.secretary, doc.chair)
    return Layout(
        blocks=blocks,
        meta=Meta(
            title=f"Trích biên bản kiểm phiếu đề nghị tặng {doc.award}",
            subject=doc.candidate,
            author=doc.body,
            keywords=f"tdkt {TEMPLATE} v{TEMPLATE_VERSION}",
            created=doc.date,
        ),
    )
