"""The deadline sweep: expires, closes notice windows and escalates exactly what is due; a second
run changes nothing; a sweep that missed days catches up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Nomination, OutboxMessage, utcnow
from service.sweeps import sweep_deadlines


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (session.exec(select(func.count()).select_from(AuditEntry)).one(),
            session.exec(select(func.count()).select_from(OutboxMessage)).one())


def test_sweep_acts_on_exactly_the_due_items_and_is_idempotent(session: Session, engine: Engine) -> None:
    draft = drive(session, DemoNomination(person="P001", award="BK_TP", campaign="DX-2026"))
    appraising = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026",
                                               steps=["submit", "endorse", "receive", "start_appraisal"]))
    noticed = drive(session, DemoNomination(person="P014", award="CSTD_TQ", campaign="TK-2026",
                                            steps=["submit", "endorse", "receive", "start_appraisal",
                                                   {"request_consultation": {"bodies": ["Cục Thuế TP"]}},
                                                   {"record_consultation": {"favourable": True}}]))
    untouched = drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    assert noticed.state == "in_public_notice"
    # A sweep far enough ahead that every deadline above except the untouched one's has passed:
    # move the untouched nomination's deadline beyond it.
    later = utcnow() + timedelta(days=200)
    session.execute(Nomination.__table__.update().where(Nomination.id == untouched.id).values(due_at=later + timedelta(days=30)))
    session.commit()
    before_untouched = session.get(Nomination, untouched.id).version
    session.commit()  # hand the (single, SQLite) pooled connection back before the sweep uses it

    report = sweep_deadlines(engine, now=later)
    assert report.expired == [draft.id]
    assert report.notices_closed == [noticed.id]
    assert report.escalated == [appraising.id]
    session.expire_all()
    assert session.get(Nomination, draft.id).state == "expired"
    assert "Quá hạn" in session.get(Nomination, draft.id).outcome_reason
    assert session.get(Nomination, noticed.id).state == "at_council"
    assert session.get(Nomination, untouched.id).version == before_untouched
    escalations = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "escalation")).all()
    assert [(m.nomination_id, m.recipient_role) for m in escalations] == [(appraising.id, "approver")]

    snapshot = counts(session)
    session.commit()
    again = sweep_deadlines(engine, now=later + timedelta(hours=1))
    assert again.total == 0 and counts(session) == snapshot
    assert audit.verify_all(session) == []


def test_nothing_is_due_before_the_deadline(session: Session, engine: Engine) -> None:
    drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    snapshot = counts(session)
    session.commit()
    assert sweep_deadlines(engine, now=utcnow()).total == 0
    assert counts(session) == snapshot
