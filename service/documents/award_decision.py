"""The award decision ("Quyết định khen thưởng") with its annex list of awardees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.documents.layout import (
    HANOI_PEOPLES_COMMITTEE,
    TITLE_SIZE,
    Block,
    Count,
    Grid,
    Issuer,
    Layout,
    Meta,
    PageBreak,
    Para,
    Rule,
    Run,
    Signature,
    body,
    centred,
    closing,
    date_line,
    heading,
    labelled,
    national_header,
    number_line,
    short_date,
    text_width_cm,
    title_block,
    upper,
)
from service.documents.model import Awardee

TEMPLATE = "award_decision"
TEMPLATE_VERSION = "1"

_EXECUTORS = (
    "Chánh Văn phòng Ủy ban nhân dân Thành phố, Trưởng Ban Thi đua - Khen thưởng thành phố, "
    "Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1"
)


@dataclass(frozen=True)
class AwardDecision:
    number: str  # "5120/QĐ-UBND"
    date: dt.date  # the day it was signed
    awardees: tuple[Awardee, ...]
    signature: Signature
    legal_bases: tuple[str, ...] = ()
    # Award names that are emulation titles ("danh hiệu"), worded "Tặng danh hiệu …".
    titles: tuple[str, ...] = ()
    year: int | None = None  # the year of the achievements, when all awardees share it
    issuer: Issuer = HANOI_PEOPLES_COMMITTEE
    authority: str = "Chủ tịch Ủy ban nhân dân thành phố Hà Nội"
    proposal: str = "Xét đề nghị của Trưởng Ban Thi đua - Khen thưởng thành phố"
    executors: str = _EXECUTORS
    recipients: tuple[str, ...] = ("Như Điều 3", "Ban Thi đua - Khen thưởng thành phố", "Lưu: VT, BTĐKT")
    place: str = "Hà Nội"


def _awards(doc: AwardDecision) -> list[str]:
    seen: list[str] = []
    for awardee in doc.awardees:
        if awardee.award not in seen:
            seen.append(awardee.award)
    return seen


def _gift(doc: AwardDecision, award: str) -> str:
    return f"danh hiệu “{award}”" if award in doc.titles else award


def layout(doc: AwardDecision) -> Layout:
    awards = _awards(doc)
    subject = f"Về việc tặng {_gift(doc, awards[0])}" if len(awards) == 1 else "Về việc khen thưởng"
    blocks: tuple[Block, ...] = national_header(doc.issuer, number_line(doc.number, "QĐ-UBND"), date_line(doc.place, doc.date))
    blocks += title_block("Quyết định", (subject,))
    blocks += (centred(upper(doc.authority), bold=True, size=TITLE_SIZE, after=10.0),)
    for basis in doc.legal_bases:
        blocks += (body(f"Căn cứ {basis};", italic=True, after=2.0),)
    blocks += (body(f"{doc.proposal}.", italic=True), centred("QUYẾT ĐỊNH:", bold=True, size=TITLE_SIZE, before=6.0, after=8.0))
    when = f" năm {doc.year}" if doc.year else ""
    gifts = []
    for award in awards:
        group = [a for a in doc.awardees if a.award == award]
        count = Count(
            collectives=sum(1 for a in group if a.kind == "collective"),
            individuals=sum(1 for a in group if a.kind == "individual"),
        )
        gifts.append(f"tặng {_gift(doc, award)} cho {count.phrase()}")
    article_1 = "; ".join(gifts)
    article_1 = article_1[0].upper() + article_1[1:]
    blocks += (
        labelled("Điều 1.", f"{article_1} (có danh sách kèm theo), đã có thành tích xuất sắc trong phong trào thi đua{when}."),
        labelled("Điều 2.", "Quyết định này có hiệu lực thi hành kể từ ngày ký."),
        labelled("Điều 3.", f"{doc.executors} chịu trách nhiệm thi hành Quyết định này./."),
    )
    blocks += closing(doc.recipients, doc.signature)
    blocks += _annex(doc, awards)
    return Layout(
        blocks=blocks,
        meta=Meta(
            title=f"Quyết định số {doc.number}",
            subject=subject,
            author=doc.authority,
            keywords=f"tdkt {TEMPLATE} v{TEMPLATE_VERSION}",
            created=doc.date,
        ),
    )


def _annex(doc: AwardDecision, awards: list[str]) -> tuple[Block, ...]:
    width = text_width_cm()
    of = f"(Kèm theo Quyết định số {doc.number} ngày {short_date(doc.date)} của {doc.authority})"
    blocks: tuple[Block, ...] = (PageBreak(),)
    for index, award in enumerate(awards):
        group = [a for a in doc.awardees if a.award == award]
        kinds = sorted({a.kind for a in group}, key=lambda k: k != "collective")
        who = " và ".join("tập thể" if k == "collective" else "cá nhân" for k in kinds)
        heading_text = f"DANH SÁCH {who.upper()} ĐƯỢC TẶNG {upper(_gift(doc, award))}"
        blocks += (
            centred(heading_text, bold=True, size=TITLE_SIZE, before=0.0 if index == 0 else 12.0),
            Para((Run(of, italic=True),), align="center", after=2.0),
            Rule(width=4.0),
        )
        for number, kind in enumerate(kinds, start=1):
            members = [a for a in group if a.kind == kind]
            if len(kinds) > 1:
                blocks += (heading(f"{'I' * number}. {'TẬP THỂ' if kind == 'collective' else 'CÁ NHÂN'}", before=6.0),)
            rows = tuple((str(i), a.name, a.description) for i, a in enumerate(members, start=1))
            header = ("STT", "Tên tập thể" if kind == "collective" else "Họ và tên", "Chức vụ, đơn vị công tác" if kind == "individual" else "Ghi chú")
            blocks += (Grid(header=header, rows=rows, widths=(1.3, 6.7, width - 8.0), aligns=("center", "left", "left")),)
    return blocks
