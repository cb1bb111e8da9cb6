"""The cover letter proposing the award ("Tờ trình đề nghị khen thưởng", template 01)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.documents.layout import (
    Block,
    Count,
    Grid,
    Issuer,
    Layout,
    Meta,
    Para,
    Run,
    Signature,
    body,
    closing,
    date_line,
    national_header,
    number_line,
    text_width_cm,
    title_block,
)
from service.documents.model import Nominee

TEMPLATE = "cover_letter"
TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class CoverLetter:
    issuer: Issuer  # the proposing unit (or cluster)
    date: dt.date
    proposer: str  # the proposing body as the sentence's subject: "Sở Nội vụ thành phố Hà Nội"
    award: str  # "Bằng khen của Chủ tịch UBND Thành phố"
    year: int  # the year of the achievements
    nominees: tuple[Nominee, ...]
    signature: Signature
    number: str | None = None  # None: "Số:      /TTr", filled in when the letter is registered
    symbol: str = "TTr"
    place: str = "Hà Nội"
    addressee: str = "Chủ tịch Ủy ban nhân dân thành phố Hà Nội"
    legal_bases: tuple[str, ...] = ()  # "Luật Thi đua, khen thưởng số 06/2022/QH15"
    grounds: tuple[str, ...] = ()  # further grounds: "kết quả bỏ phiếu suy tôn của Cụm thi đua số 6 ngày 20/11/2026"
    forwarded_to: str | None = None  # "Thủ tướng Chính phủ" where the city forwards the proposal
    recipients: tuple[str, ...] = ("Như trên", "Ban Thi đua - Khen thưởng thành phố", "Lưu: VT")


def layout(doc: CoverLetter) -> Layout:
    count = Count(
        collectives=sum(1 for n in doc.nominees if n.kind == "collective"),
        individuals=sum(1 for n in doc.nominees if n.kind == "individual"),
    )
    blocks: tuple[Block, ...] = national_header(doc.issuer, number_line(doc.number, doc.symbol), date_line(doc.place, doc.date))
    blocks += title_block("Tờ trình", (f"Về việc đề nghị tặng {doc.award}",))
    blocks += (Para((Run("Kính gửi: "), Run(doc.addressee + ".")), align="center", after=10.0),)
    for basis in doc.legal_bases:
        blocks += (body(f"Căn cứ {basis};", italic=True, after=2.0),)
    for ground in doc.grounds:
        blocks += (body(f"Căn cứ {ground};", italic=True, after=2.0),)
    action = f"trình {doc.forwarded_to} tặng" if doc.forwarded_to else "tặng"
    blocks += (
        body(
            f"{doc.proposer} kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, {action} {doc.award} "
            f"cho {count.phrase()} đã có thành tích xuất sắc trong phong trào thi đua năm {doc.year}, cụ thể:",
        ),
    )
    width = text_width_cm()
    rows = tuple((str(i), n.name, n.workplace) for i, n in enumerate(doc.nominees, start=1))
    blocks += (
        Grid(
            header=("STT", "Tên tập thể / Họ và tên", "Chức vụ, đơn vị công tác"),
            rows=rows,
            widths=(1.3, 6.2, width - 7.5),
            aligns=("center", "left", "left"),
        ),
        Para((Run("(Có danh sách trích ngang, báo cáo thành tích và hồ sơ kèm theo)", italic=True),), align="center", before=6.0),
        body(f"{doc.proposer} kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định./."),
    )
    blocks += closing(doc.recipients, doc.signature)
    return Layout(
        blocks=blocks,
        meta=Meta(
            title=f"Tờ trình đề nghị tặng {doc.award}",
            subject=", ".join(n.name for n in doc.nominees),
            author=doc.proposer,
            keywords=f"tdkt {TEMPLATE} v{TEMPLATE_VERSION}",
            created=doc.date,
        ),
    )

