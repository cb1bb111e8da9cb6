"""Dossier and decision assembly on SQLite and PostgreSQL: documents stored, their SHA-256 in the
audit trail, the chain intact, re-runs change nothing, and the decision's annex lists its awardees."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import docx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, func, select

from config.settings import get_settings
from service import audit
from service import nominations as actions
from service.actors import SYSTEM, Actor
from service.demo import DemoNomination, drive
from service.documents import date_line
from service.dossier import assemble_decision, assemble_dossier
from service.errors import Forbidden, InvalidInput, NotFound
from service.models import AuditEntry, Decision, Document, Nomination
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)
APPROVER = Actor("chu_tich", Role.APPROVER)
COUNCIL_PASSED = [
    "submit", "endorse", "receive", "start_appraisal", "send_to_council",
    {"record_council_result": {"passed": True, "tally": {"members": 15, "present": 14, "in_favour": 14}}},
]


def text_of(document: Document) -> str:
    if document.filename.endswith(".pdf"):
        raw = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(document.data)).pages)
    else:
        parsed = docx.Document(io.BytesIO(document.data))
        parts = [p.text for p in parsed.paragraphs]

        def cells(tables) -> None:  # type: ignore[no-untyped-def]
            for table in tables:
                for row in table.rows:
                    for cell in row.cells:
                        parts.extend(p.text for p in cell.paragraphs)
                        cells(cell.tables)

        cells(parsed.tables)
        raw = "\n".join(parts)
    return " ".join(raw.split())


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(Document)).one(),
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
    )


def last_entry(session: Session, nomination_id: int, action: str) -> AuditEntry:
    entries = [e for e in audit.entries_of(session, audit.nomination_chain(nomination_id)) if e.action == action]
    assert entries, f"no {action} entry"
    return entries[-1]


def assert_hashes_recorded(session: Session, entry: AuditEntry, documents: list[Document]) -> None:
    files = audit.payload_of(entry)["files"]
    assert len(files) == len(documents)
    for recorded, document in zip(files, documents):
        session.refresh(document)
        assert recorded == {"kind": document.kind, "filename": document.filename, "sha256": document.sha256}
        assert hashlib.sha256(document.data).hexdigest() == recorded["sha256"]


def test_assembly_stores_the_dossier_and_audits_each_files_hash(session: Session) -> None:
    n = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026",
                                      achievements="Sáng kiến đổi mới phương pháp dạy Vật lý được áp dụng toàn thành phố.",
                                      steps=COUNCIL_PASSED))
    version = n.version
    documents = assemble_dossier(session, n.id, actor=BOARD)

    kinds = [d.kind for d in documents]
    assert kinds == ["to_trinh", "to_trinh", "bao_cao_ca_nhan", "bao_cao_ca_nhan",
                     "danh_sach_trich_ngang", "danh_sach_trich_ngang", "bien_ban_hoi_dong", "bien_ban_hoi_dong"]
    assert [d.filename.rsplit(".", 1)[1] for d in documents] == ["docx", "pdf"] * 4
    assert all(d.id is not None and d.nomination_id == n.id for d in documents)
    assert {d.content_type for d in documents} == {
        "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    }

    entry = last_entry(session, n.id, "assemble_dossier")
    session.refresh(n)
    assert n.version == version + 1 and entry.seq == n.version and entry.actor == BOARD.name
    assert_hashes_recorded(session, entry, documents)
    payload = audit.payload_of(entry)
    assert payload["template_versions"]["to_trinh"].startswith("cover_letter@")
    assert payload["pdf_font"]
    assert audit.verify_all(session) == []

    # The documents say what the records say, dated from the records (never "now").
    endorsed = last_entry(session, n.id, "endorse").at.astimezone(get_settings().zone).date()
    cover_pdf, cover_docx = documents[1], documents[0]
    for document in (cover_pdf, cover_docx):
        text = text_of(document)
        assert "Nguyễn Thị Thu Hà" in text and "Chiến sĩ thi đua thành phố" in text
        assert date_line("Hà Nội", endorsed) in text
        assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text
    report = text_of(documents[3])
    assert "Ứng dụng mô phỏng số trong dạy thí nghiệm Vật lý lớp 11" in report  # initiative from the history
    assert "Chiến sĩ thi đua cơ sở" in report and "Sáng kiến đổi mới phương pháp dạy Vật lý" in report
    minutes = text_of(documents[7])
    assert "14/15 (93,33%)" in minutes and "Hội đồng Thi đua - Khen thưởng thành phố Hà Nội" in minutes


def test_re_running_with_unchanged_inputs_changes_nothing(session: Session) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026",
                                      steps=["submit", "endorse", "receive", "start_appraisal"]))
    first = assemble_dossier(session, n.id, actor=BOARD)
    session.refresh(n)
    before = (counts(session), n.version)

    second = assemble_dossier(session, n.id, actor=SYSTEM)
    session.refresh(n)
    assert (counts(session), n.version) == before
    assert [d.id for d in second] == [d.id for d in first]
    assert [d.sha256 for d in second] == [d.sha256 for d in first]
    assert audit.verify_all(session) == []


def test_a_new_tally_adds_its_minutes_and_keeps_the_unchanged_files(session: Session) -> None:
    n = drive(session, DemoNomination(person="P002", award="CSTD_TP", campaign="TK-2026",
                                      steps=["submit", "endorse", "receive", "start_appraisal", "send_to_council"]))
    first = assemble_dossier(session, n.id, actor=BOARD)
    assert "bien_ban_hoi_dong" not in {d.kind for d in first}

    # A tally as the council module records it (workflow/votes.py CouncilTally.as_dict).
    tally = {"outcome": "passed", "members": 15, "present": 14, "quorum_needed": 10, "quorum": "66,67%", "threshold": "90%",
             "denominator": "all", "yes": 14, "no": 0, "abstain": 0, "absentee": 1, "base": 15, "needed": 14, "session": 3,
             "citation": "Nghị định 152/2025/NĐ-CP"}
    actions.record_council_result(session, n.id, actor=BOARD, passed=True, tally=tally)
    second = assemble_dossier(session, n.id, actor=BOARD)
    assert [d.kind for d in second][-2:] == ["bien_ban_hoi_dong", "bien_ban_hoi_dong"]
    minutes = text_of(second[-1])
    assert "Số phiếu đồng ý 14" in minutes and "Số phiếu gửi bằng văn bản 1" in minutes
    assert "14/15 (93,33%)" in minutes and "90% tổng số thành viên Hội đồng" in minutes
    assert "outcome" not in minutes and "session" not in minutes and "Nghị định 152" not in minutes
    # The cover letter, report and list did not change: the same rows are reused, not copied.
    assert [d.id for d in second[:6]] == [d.id for d in first]
    entries = [e for e in audit.entries_of(session, audit.nomination_chain(n.id)) if e.action == "assemble_dossier"]
    assert len(entries) == 2
    assert_hashes_recorded(session, entries[-1], second)
    assert audit.verify_all(session) == []


def test_cluster_track_dossier_is_filed_by_the_cluster_with_its_ballot_minutes(session: Session) -> None:
    n = drive(session, DemoNomination(
        unit="THANH_TRA", award="CO_TD_CP", track="cluster", campaign="TK-2026",
        steps=["submit", "endorse", "open_cluster_review",
               {"record_cluster_result": {"honoured": True, "tally": {"ballots": 7, "in_favour": 6}}}, "receive"],
    ))
    documents = assemble_dossier(session, n.id, actor=BOARD)
    kinds = [d.kind for d in documents][::2]
    assert kinds == ["to_trinh", "bao_cao_tap_the", "danh_sach_trich_ngang", "bien_ban_kiem_phieu"]
    cover = text_of(documents[1])
    assert "CỤM THI ĐUA SỐ 6" in cover and "Thanh tra thành phố Hà Nội" in cover
    assert "trình Thủ tướng Chính phủ tặng Cờ thi đua của Chính phủ" in cover
    minutes = text_of(documents[7])
    assert "6/7 (85,71%)" in minutes and "Đạt" in minutes
    assert_hashes_recorded(session, last_entry(session, n.id, "assemble_dossier"), documents)
    assert audit.verify_all(session) == []


def test_a_decision_with_two_awardees_has_both_in_its_annex(session: Session) -> None:
    first = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026", steps=COUNCIL_PASSED))
    second = drive(session, DemoNomination(person="P002", award="CSTD_TP", campaign="TK-2026", steps=COUNCIL_PASSED))
    for n in (first, second):
        actions.decide(session, n.id, actor=APPROVER, decision_number="77/QĐ-UBND", signed_on=date(2026, 11, 25), signer="Chủ tịch UBND Thành phố")
    decision = session.exec(select(Decision).where(Decision.number == "77/QĐ-UBND")).one()

    documents = assemble_decision(session, decision.id, actor=BOARD)
    assert [d.filename.rsplit(".", 1)[1] for d in documents] == ["docx", "pdf"]
    for document in documents:
        assert document.nomination_id is None and document.kind == "quyet_dinh"
        assert "77-QD-UBND" in document.filename
        text = text_of(document)
        assert "77/QĐ-UBND" in text and "Quyết định" in text
        assert first.nominee_name == "Nguyễn Thị Thu Hà"
        assert date_line("Hà Nội", date(2026, 11, 25)) in text
        annex = text[text.index("DANH SÁCH"):]
        assert first.nominee_name in annex and second.nominee_name in annex
    for n in (first, second):
        assert_hashes_recorded(session, last_entry(session, n.id, "assemble_decision"), documents)
    assert audit.verify_all(session) == []

    before = counts(session)
    again = assemble_decision(session, decision.id, actor=SYSTEM)
    assert counts(session) == before
    assert [d.id for d in again] == [d.id for d in documents]


def test_a_revoked_awardee_stays_in_the_decision_as_signed(session: Session) -> None:
    steps = ["submit", "endorse", "receive", "start_appraisal", "submit_for_signature"]
    kept = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=steps))
    revoked = drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026", steps=steps))
    for n in (kept, revoked):
        actions.decide(session, n.id, actor=APPROVER, decision_number="5121/QĐ-UBND", signed_on=date(2026, 11, 20), signer="Chủ tịch UBND Thành phố")
    actions.revoke(session, revoked.id, actor=APPROVER, reason="Kê khai sai thành tích.", decision_number="5300/QĐ-UBND",
                   signed_on=date(2026, 11, 21), signer="Chủ tịch UBND Thành phố")
    award = session.exec(select(Decision).where(Decision.number == "5121/QĐ-UBND")).one()
    after = session.get(Nomination, revoked.id)
    assert after.decision_id == award.id and after.revocation_decision_id not in (None, award.id)  # kept; the revocation apart

    pdf = assemble_decision(session, award.id, actor=BOARD)[1]
    text = text_of(pdf)
    assert kept.nominee_name in text and revoked.nominee_name in text
    assert "Bằng khen của Chủ tịch UBND Thành phố cho 02 cá nhân" in text
    assert audit.verify_all(session) == []

    revocation = session.exec(select(Decision).where(Decision.number == "5300/QĐ-UBND")).one()
    before = counts(session)
    with pytest.raises(InvalidInput):
        assemble_decision(session, revocation.id, actor=BOARD)
    assert counts(session) == before


def test_refusals_change_nothing(session: Session) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    before = counts(session)
    with pytest.raises(Forbidden):
        assemble_dossier(session, n.id, actor=Actor("hd", Role.COUNCIL_MEMBER))
    with pytest.raises(NotFound):  # another unit's submitter does not see it
        assemble_dossier(session, n.id, actor=Actor("cb", Role.SUBMITTER, "SO_YT"))
    with pytest.raises(NotFound):
        assemble_decision(session, 999_999, actor=BOARD)
    with pytest.raises(Forbidden):
        assemble_decision(session, 1, actor=Actor("cb", Role.SUBMITTER, "SO_YT"))
    assert counts(session) == before
    # The proposing unit itself may assemble its dossier, to print and sign it.
    own = assemble_dossier(session, n.id, actor=Actor("cb", Role.SUBMITTER, n.proposing_unit_code))
    assert {d.kind for d in own} == {"to_trinh", "bao_cao_ca_nhan", "danh_sach_trich_ngang"}
    assert audit.verify_all(session) == []
