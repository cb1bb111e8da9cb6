"""Spreadsheet (.xlsx) exports for emulation officers: a list view of nominations, a cluster
ballot's counting minutes, and a decision's annex of awardees ("phụ lục danh sách khen thưởng")."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from service.actors import Actor
from service.ballots import minutes
from service.errors import NotFound
from service.models import Decision, Nomination, Person, Unit
from service.nominee_import import workbook_bytes
from service.queries import list_nominations
from service.transitions import award_of
from workflow.nomination import STATE_LABELS

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20000


def _sheet(workbook: Workbook, title: str, headings: list[str], rows: list[list[Any]], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(headings, start=1):
        widest = max([len(str(heading))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, widest + 2))


def _unit_name(session: Session, code: str | None) -> str:
    unit = session.get(Unit, code) if code else None
    return unit.name_vi if unit else ""


def nominations_xlsx(session: Session, actor: Actor, **filters: Any) -> bytes:
    """The nominations ``actor`` may see, with the list view's filters, as one sheet."""
    rows = []
    for n in list_nominations(session, actor, limit=EXPORT_LIMIT, **filters):
        award = award_of(n)
        decision = session.get(Decision, n.decision_id) if n.decision_id else None
        rows.append([n.id, n.nominee_name, n.nominee_kind, _unit_name(session, n.proposing_unit_code), n.award_code, award.name_vi,
                     n.year, STATE_LABELS[n.state][0], n.due_at.date().isoformat() if n.due_at else None,
                     decision.number if decision else None, n.outcome_reason])
    workbook = Workbook()
    _sheet(workbook, "Danh sách hồ sơ", ["Số hồ sơ", "Đối tượng", "Loại", "Đơn vị đề nghị", "Mã hình thức", "Hình thức khen thưởng",
                                          "Năm", "Trạng thái", "Hạn bước hiện tại", "Số quyết định", "Lý do"], rows, first=True)
    return workbook_bytes(workbook)


def decision_annex_xlsx(session: Session, decision_id: int) -> tuple[Decision, bytes]:
    """The annex of an award decision: every nomination it decided, in order."""
    decision = session.get(Decision, decision_id)
    if decision is None or decision.kind not in ("award", "central"):
        raise NotFound(f"Không có quyết định khen thưởng #{decision_id}.", f"There is no award decision #{decision_id}.")
    awardees = session.exec(select(Nomination).where(Nomination.decision_id == decision.id).order_by(Nomination.id)).all()
    rows = []
    for number, n in enumerate(awardees, start=1):
        person = session.get(Person, n.person_id) if n.person_id is not None else None
        unit = person.unit_code if person else n.nominee_unit_code
        rows.append([number, n.nominee_name, person.position_vi if person else None, _unit_name(session, unit), award_of(n).name_vi,
                     n.year, "Đã thu hồi" if n.state == "revoked" else ""])
    workbook = Workbook()
    _sheet(workbook, "Phụ lục", ["STT", "Họ và tên / Tên tập thể", "Chức vụ", "Đơn vị", "Hình thức khen thưởng", "Năm thành tích",
                                 "Ghi chú"], rows, first=True)
    info = workbook.create_sheet("Quyết định")
    for label, value in (("Số quyết định", decision.number), ("Ngày ký", decision.signed_on.strftime("%d/%m/%Y")),
                         ("Người ký", decision.signer), ("Số người/tập thể", len(rows))):
        info.append([label, value])
    return decision, workbook_bytes(workbook)


def ballot_minutes_xlsx(session: Session, ballot_id: int) -> bytes:
    """The counting minutes of a closed cluster ballot round: one row per candidate per award."""
    result = minutes(session, ballot_id)
    rows = []
    for code, award in sorted(result.get("awards", {}).items()):
        for c in award.get("candidates", []):
            rows.append([code, award.get("name_vi"), c.get("unit"), _unit_name(session, c.get("unit")), c.get("score_rank"),
                         c.get("yes"), c.get("no"), c.get("abstain"), c.get("base"), c.get("needed"), c.get("outcome"),
                         award.get("ballots_cast"), award.get("members")])
    workbook = Workbook()
    _sheet(workbook, "Kết quả suy tôn", ["Mã hình thức", "Hình thức", "Mã đơn vị", "Đơn vị", "Xếp hạng điểm", "Đồng ý", "Không đồng ý",
                                         "Không biểu quyết", "Căn cứ tính", "Số phiếu cần", "Kết quả", "Số phiếu thu về", "Số thành viên"],
           rows, first=True)
    elections = []
    for office, e in sorted(result.get("election", {}).items()):
        if isinstance(e, dict):
            votes = "; ".join(f"{v['unit']}: {v['votes']}" for v in e.get("votes", []))
            elections.append([office, e.get("status"), e.get("winner"), votes])
    if elections:
        _sheet(workbook, "Bầu cụm trưởng, cụm phó", ["Chức danh", "Trạng thái", "Đơn vị trúng cử", "Số phiếu"], elections)
    return workbook_bytes(workbook)
