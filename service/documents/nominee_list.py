"""The list of nominees ("Danh sách trích ngang"), landscape, attached to the cover letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.documents.layout import (
    TABLE_SIZE,
    Block,
    Columns,
    Gap,
    Grid,
    Issuer,
    Layout,
    Meta,
    Signature,
    centred,
    date_line,
    national_header,
    signature_cell,
    text_width_cm,
    title_block,
)
from service.documents.model import Nominee

TEMPLATE = "nominee_list"
TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class NomineeList:
    issuer: Issuer
    date: dt.date
    proposer: str  # "Sở Nội vụ thành phố Hà Nội": whose cover letter the list goes with
    award: str
    year: int
    nominees: tuple[Nominee, ...]
    signature: Signature
    place: str = "Hà Nội"


def layout(doc: NomineeList) -> Layout:
    width = text_width_cm(landscape=True)
    blocks: tuple[Block, ...] = national_header(doc.issuer, None, date_line(doc.place, doc.date), landscape=True)
    blocks += title_block("Danh sách trích ngang", (f"đề nghị tặng {doc.award}, năm {doc.year}",), rule=False)
    blocks += (centred(f"(Kèm theo Tờ trình của {doc.proposer})", italic=True, after=8.0),)
    rows = tuple(
        (
            str(i),
            n.name,
            str(n.birth_year) if n.birth_year else "",
            n.gender or "",
            n.workplace,
            doc.award,
            n.summary,
        )
        for i, n in enumerate(doc.nominees, start=1)
    )
    fixed = 1.3 + 4.6 + 1.6 + 1.6 + 5.4 + 4.2
    blocks += (
        Grid(
            header=("STT", "Tên tập thể / Họ và tên", "Năm sinh", "Giới tính", "Chức vụ, đơn vị công tác", "Hình thức đề nghị", "Tóm tắt thành tích"),
            rows=rows,
            widths=(1.3, 4.6, 1.6, 1.6, 5.4, 4.2, width - fixed),
            aligns=("center", "left", "center", "center", "left", "left", "justify"),
            size=TABLE_SIZE,
        ),
        Gap(10.0),
        Columns(cells=((Gap(1.0),), signature_cell(doc.signature)), widths=(width - 9.0, 9.0)),
    )
    return Layout(
        blocks=blocks,
        meta=Meta(
            title=f"Danh sách trích ngang đề nghị tặng {doc.award}",
            subject=", ".join(n.name for n in doc.nominees),
            author=doc.proposer,
            keywords=f"tdkt {TEMPLATE} v{TEMPLATE_VERSION}",
            created=doc.date,
        ),
        landscape=True,
    )
