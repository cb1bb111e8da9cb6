"""The achievement report ("Báo cáo thành tích"): of a collective (template 02), of an individual
(template 03), or the short report of an ad-hoc award ("báo cáo tóm tắt thành tích").

A skeleton: what the engine knows (the nominee, the achievements as filed, earlier titles and
commendations, initiatives) is filled in; the parts only the unit can write are marked for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    placeholder,
    text_width_cm,
    title_block,
    two_signatures,
)
from service.documents.model import HonourLine, InitiativeLine, Nominee

TEMPLATE = "achievement_report"
TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class AchievementReport:
    nominee: Nominee
    award: str
    year: int
    date: dt.date
    achievements: str  # as filed with the nomination; blank lines separate paragraphs
    issuer: Issuer | None = None  # a collective's report carries its unit's header; a person's has none
    short: bool = False  # the short report of an ad-hoc award
    duties: str = ""  # functions and duties ("chức năng, nhiệm vụ"); blank: left for the unit
    honours: tuple[HonourLine, ...] = ()
    initiatives: tuple[InitiativeLine, ...] = ()
    place: str = "Hà Nội"
    # Defaults follow the templates: the reporter signs on the right, the head of unit certifies.
    reporter: Signature | None = None
    certifier: Signature | None = None


def layout(doc: AchievementReport) -> Layout:
    n = doc.nominee
    person = n.kind == "individual"
    title = "Báo cáo tóm tắt thành tích" if doc.short else "Báo cáo thành tích"
    blocks: tuple[Block, ...] = national_header(doc.issuer, None, None if person else date_line(doc.place, doc.date))
    blocks += title_block(title, (f"ĐỀ NGHỊ TẶNG {doc.award.upper()}",), rule=False)
    blocks += _profile(doc)
    blocks += (heading("II. THÀNH TÍCH ĐẠT ĐƯỢC"),)
    if not doc.short:
        blocks += (heading("1. Chức năng, nhiệm vụ được giao:" if not person else "1. Quyền hạn, nhiệm vụ được giao hoặc đảm nhận:", before=0.0),)
        blocks += tuple(body(p) for p in _paragraphs(doc.duties)) or (placeholder(),)
        blocks += (heading(f"2. Thành tích đạt được năm {doc.year}:", before=0.0),)
    blocks += tuple(body(p) for p in _paragraphs(doc.achievements)) or (placeholder("(Đơn vị bổ sung thành tích đạt được.)"),)
    if doc.initiatives:
        blocks += (heading("Sáng kiến, giải pháp đã được công nhận:" if not doc.short else "Sáng kiến:", before=2.0),)
        for line in doc.initiatives:
            status = "" if line.certified else " (chưa có văn bản công nhận)"
            blocks += (body(f"- Năm {line.year}: {line.title}; phạm vi ảnh hưởng {line.scope}{status}.", after=2.0),)
    if not doc.short:
        blocks += _honours(doc.honours)
    reporter = doc.reporter or (
        Signature(position="Người báo cáo thành tích", hint="(Ký, ghi rõ họ và tên)", name=n.name)
        if person
        else Signature(position="Thủ trưởng đơn vị", hint="(Ký, đóng dấu)")
    )
    certifier = doc.certifier or (
        Signature(position="Thủ trưởng đơn vị\nxác nhận, đề nghị", hint="(Ký, đóng dấu)")
        if person
        else Signature(position="Xác nhận của cấp trình\nkhen thưởng", hint="(Ký, đóng dấu)")
    )
    blocks += two_signatures(certifier, reporter, dated=date_line(doc.place, doc.date) if person else None)
    return Layout(
        blocks=blocks,
        meta=Meta(
            title=f"{title} đề nghị tặng {doc.award}",
            subject=n.name,
            author=n.name if person else (n.name or ""),
            keywords=f"tdkt {TEMPLATE} v{TEMPLATE_VERSION}",
            created=doc.date,
        ),
    )


def _profile(doc: AchievementReport) -> tuple[Block, ...]:
    n = doc.nominee
    if n.kind == "individual":
        blocks: tuple[Block, ...] = (heading("I. SƠ LƯỢC LÝ LỊCH"),)
        lines = (
            ("- Họ và tên:", n.name),
            ("- Năm sinh:", str(n.birth_year) if n.birth_year else ""),
            ("- Giới tính:", n.gender or ""),
            ("- Chức vụ:", n.position or ""),
            ("- Đơn vị công tác:", n.unit or ""),
        )
        return blocks + tuple(labelled(label, value or "……") for label, value in lines)
    return (
        heading("I. ĐẶC ĐIỂM, TÌNH HÌNH"),
        labelled("- Tên đơn vị:", n.name),
        *((labelled("- Trực thuộc:", n.unit),) if n.unit else ()),
        placeholder("(Đơn vị bổ sung: đặc điểm, tình hình; tổ chức bộ máy; cơ sở vật chất.)"),
    )


def _honours(honours: tuple[HonourLine, ...]) -> tuple[Block, ...]:
    blocks: tuple[Block, ...] = (heading("III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG"),)
    width = text_width_cm()
    sections = (
        ("title", "1. Danh hiệu thi đua:", "Danh hiệu thi đua"),
        ("commendation", "2. Hình thức khen thưởng:", "Hình thức khen thưởng"),
        ("rating", "3. Kết quả đánh giá, xếp loại:", "Kết quả"),
    )
    for category, label, column in sections:
        lines = [h for h in honours if h.category == category]
        if not lines and category == "rating":
            continue
        blocks += (heading(label, before=2.0),)
        if not lines:
            blocks += (placeholder("(Không có.)"),)
            continue
        blocks += (
            Grid(
                header=("Năm", column, "Số, ngày, tháng, năm của quyết định; cơ quan ban hành"),
                rows=tuple((str(h.year), h.name, h.decision) for h in lines),
                widths=(1.8, 6.2, width - 8.0),
                aligns=("center", "left", "left"),
            ),
        )
    return blocks


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())
