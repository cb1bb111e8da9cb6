"""Full lifecycles of both tracks through the one write path, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlmodel import Session, func, select

from service import audit
from service import nominations as actions
from service.actors import Actor
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Decision, Nomination, OutboxMessage
from service.queries import folded_state, next_actions, timeline
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)
APPROVER = Actor("chu_tich", Role.APPROVER)


def audit_count(session: Session, nomination_id: int) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == f"nomination:{nomination_id}")).one()


def assert_consistent(session: Session, nomination: Nomination) -> None:
    session.refresh(nomination)
    assert nomination.version == audit_count(session, nomination.id)
    assert folded_state(session, nomination) == nomination.state
    assert audit.verify_all(session) == []


def test_unit_track_from_draft_to_decision(session: Session) -> None:
    n = drive(session, DemoNomination(
        person="P001", award="CSTD_TP", campaign="TK-2026",
        steps=["submit", "endorse", "receive", "start_appraisal", "send_to_council",
               {"record_council_result": {"passed": True, "tally": {"members": 15, "present": 15, "in_favour": 14}}}],
    ))
    assert n.state == "council_passed"
    assert next_actions(n, APPROVER) == ["decline", "decide"]
    decided = actions.decide(session, n.id, actor=APPROVER, decision_number="77/QĐ-UBND", signed_on=date(2026, 11, 25), signer="Chủ tịch UBND TP")
    assert decided.state == "awarded"
    decision = session.get(Decision, decided.decision_id)
    assert (decision.number, decision.kind) == ("77/QĐ-UBND", "award")
    assert decided.due_at is None  # nothing left to wait for
    assert [i.action for i in timeline(session, decided)] == [
        "create", "submit", "endorse", "receive", "start_appraisal", "send_to_council", "record_council_result", "decide"
    ]
    assert_consistent(session, decided)


def test_cluster_track_through_central_level(session: Session) -> None:
    n = drive(session, DemoNomination(
        unit="THANH_TRA", award="CO_TD_CP", track="cluster", campaign="TK-2026",
        steps=["submit", "endorse", "open_cluster_review",
               {"record_cluster_result": {"honoured": True, "tally": {"ballots": 7, "in_favour": 6}}},
               "receive", "start_appraisal", {"request_consultation": {"bodies": ["Cục Thuế TP"]}},
               {"record_consultation": {"favourable": True}}, {"close_notice": {"objection_upheld": False}},
               {"record_council_result": {"passed": True}},
               {"forward": {"submission_number": "12/TTr-UBND", "signed_on": date(2026, 11, 26), "signer": "Chủ tịch"}}],
    ))
    assert n.state == "forwarded_central"
    assert n.cluster_id is not None and n.track == "cluster"
    done = actions.record_central_result(
        session, n.id, actor=BOARD, approved=True, decision_number="999/QĐ-TTg", signed_on=date(2027, 1, 20), signer="Thủ tướng"
    )
    assert done.state == "centrally_decided"
    states = [i.to_state for i in timeline(session, done)]
    assert states[3:6] == ["in_cluster_review", "cluster_endorsed", "received"]
    assert_consistent(session, done)


def test_unit_track_cannot_enter_cluster_states_and_cluster_track_cannot_skip_them(session: Session) -> None:
    unit = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    cluster = drive(session, DemoNomination(unit="SO_YT", award="CO_TD_TP", track="cluster", campaign="TK-2026", steps=["submit", "endorse"]))
    assert next_actions(unit, BOARD) == ["receive"]
    assert next_actions(cluster, BOARD) == []
    assert "open_cluster_review" in next_actions(cluster, Actor("cum", Role.CLUSTER_HEAD, "SO_GDDT"))


def test_return_for_completion_and_resubmission(session: Session) -> None:
    n = drive(session, DemoNomination(person="P008", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive", "start_appraisal"]))
    due_in_appraisal = n.due_at
    reason = "Thiếu biên bản họp bình xét; đề nghị bổ sung."
    returned = actions.return_for_completion(session, n.id, actor=BOARD, reason=reason)
    assert returned.state == "returned"
    assert returned.due_at is not None and returned.due_at != due_in_appraisal  # the completion clock runs now
    last = timeline(session, returned)[-1]
    assert (last.action, last.reason, last.role) == ("return_for_completion", reason, "board_officer")
    submitter = Actor("cb.tdkt", Role.SUBMITTER, returned.proposing_unit_code)
    outbox = session.exec(select(OutboxMessage).where(OutboxMessage.nomination_id == n.id, OutboxMessage.step == f"returned@v{returned.version}")).all()
    assert [(m.recipient_role, m.recipient_scope) for m in outbox] == [("submitter", f"unit:{returned.proposing_unit_code}")]
    back = actions.resubmit(session, n.id, actor=submitter, note="Đã bổ sung biên bản.")
    assert back.state == "received"
    assert actions.start_appraisal(session, n.id, actor=BOARD).state == "in_appraisal"
    assert_consistent(session, back)


def test_deadlines_follow_the_catalogue_in_working_days(session: Session) -> None:
    n = drive(session, DemoNomination(person="P022", award="DOT_XUAT", campaign="DX-2026", steps=["submit", "endorse"]))
    received = actions.receive(session, n.id, actor=BOARD)
    # DOT_XUAT's appraisal SLA is 5 working days (catalogue override), counted on the calendar.
    assert received.due_at is not None
    from config.calendar import load_calendar
    from config.settings import get_settings

    zone = get_settings().zone
    start = received.state_entered_at.astimezone(zone)
    expected = load_calendar().due_at(start, 5)
    assert received.due_at == expected.astimezone(timezone.utc)
    assert load_calendar().working_days_between(start.date(), received.due_at.astimezone(zone).date()) == 5


def test_every_action_writes_audit_and_outbox_in_the_same_transaction(session: Session) -> None:
    n = drive(session, DemoNomination(person="P005", award="BK_TP", campaign="TK-2026", steps=["submit"]))
    before = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    endorsed = actions.endorse(session, n.id, actor=Actor("tt", Role.UNIT_HEAD, n.proposing_unit_code))
    after = session.exec(select(OutboxMessage).where(OutboxMessage.step == f"submitted@v{endorsed.version}")).all()
    assert [m.recipient_role for m in after] == ["board_officer"]
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == before + 1
    assert audit_count(session, n.id) == endorsed.version


def test_revocation_records_the_revoking_decision(session: Session) -> None:
    n = drive(session, DemoNomination(
        person="P010", award="BK_TP", campaign="TK-2026",
        steps=["submit", "endorse", "receive", "start_appraisal", "submit_for_signature",
               {"decide": {"decision_number": "1/QĐ-UBND", "signed_on": date(2026, 11, 20), "signer": "Chủ tịch"}}],
    ))
    revoked = actions.revoke(session, n.id, actor=APPROVER, reason="Kê khai sai thành tích.", decision_number="2/QĐ-UBND",
                             signed_on=date(2026, 11, 21), signer="Chủ tịch")
    assert revoked.state == "revoked" and revoked.outcome_reason == "Kê khai sai thành tích."
    # The award's decision is kept; the revoking one is recorded apart (migration 0005).
    assert session.get(Decision, revoked.decision_id).number == "1/QĐ-UBND"
    revoking = session.get(Decision, revoked.revocation_decision_id)
    assert (revoking.number, revoking.kind) == ("2/QĐ-UBND", "revocation")
    assert_consistent(session, revoked)


def test_demo_load_gives_consistent_nominations_in_many_states(engine) -> None:  # type: ignore[no-untyped-def]
    from service.demo import load_demo

    with Session(engine, expire_on_commit=False) as s:
        summary = load_demo(s)
        assert "nominations" in summary
        rows = s.exec(select(Nomination)).all()
        assert len({n.state for n in rows}) >= 12
        for n in rows:
            assert folded_state(s, n) == n.state, n.id
            assert n.version == audit_count(s, n.id)
        assert audit.verify_all(s) == []
        assert load_demo(s).startswith("demo data already loaded")
        assert len(s.exec(select(Nomination)).all()) == len(rows)


def test_timestamps_are_stored_as_utc(session: Session) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=[]))
    session.expire_all()
    fresh = session.get(Nomination, n.id)
    assert fresh.created_at.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - fresh.created_at).total_seconds()) < 600
