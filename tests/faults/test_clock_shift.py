"""The clock moved under the deadline sweep: back or forward an hour or a day, around the
deadline. The sweep takes ``now=``; whatever order the times come in, an overdue draft expires
exactly once (at the first sweep at or after its deadline, never before), a public notice closes
exactly once, an overdue step is escalated exactly once, and a sweep with the clock moved back
after acting undoes nothing and does nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Nomination, OutboxMessage
from service.sweeps import sweep_deadlines
from tests.faults.checks import nomination_problems
from tests.faults.plugin import Tally
from workflow.nomination import FINAL_STATES

GROUP = "Clock"
H, D = timedelta(hours=1), timedelta(days=1)

# Sweep times as offsets from the shared deadline, in the order the (moved) clock gives them.
PATTERNS: dict[str, list[timedelta]] = {
    "forward an hour across the deadline": [-2 * H, -H, 0 * H, H, 2 * H],
    "forward a day across the deadline": [-2 * D, -D, 0 * D, D, 2 * D],
    "back an hour after acting": [-H, H, -H, H, 2 * H],
    "back a day after acting": [-D, D, 0 * D, -D, D],
    "an hour before, a day after, back an hour before": [-H, D, -H, D + H, -D],
    "jitter of one second around the deadline": [-timedelta(seconds=1), timedelta(seconds=1), -timedelta(seconds=1), 0 * H],
    "far back then far forward": [-30 * D, 30 * D, -30 * D, 30 * D],
}


def expire_and_notice_count(session: Session, nid: int, action: str) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.chain == audit.nomination_chain(nid), AuditEntry.action == action)).one()


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_a_moved_clock_acts_once_as_the_deadline_says(pattern: str, session: Session, engine: Engine, tally: Tally) -> None:
    draft = drive(session, DemoNomination(person="P001", award="BK_TP", campaign="DX-2026"))
    appraising = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026",
                                               steps=["submit", "endorse", "receive", "start_appraisal"]))
    noticed = drive(session, DemoNomination(person="P014", award="CSTD_TQ", campaign="TK-2026",
                                            steps=["submit", "endorse", "receive", "start_appraisal",
                                                   {"request_consultation": {"bodies": ["Cục Thuế TP"]}},
                                                   {"record_consultation": {"favourable": True}}]))
    ids = [draft.id, appraising.id, noticed.id]
    deadline = max(n.due_at for n in (draft, appraising, noticed) if n.due_at is not None) + 10 * D  # type: ignore[operator]
    session.execute(Nomination.__table__.update().where(Nomination.id.in_(ids)).values(due_at=deadline))  # type: ignore[attr-defined]
    session.commit()

    escalated_steps: set[str] = set()
    wrong: list[str] = []
    for offset in PATTERNS[pattern]:
        now: datetime = deadline + offset
        # What the calendar says is due now: not final, deadline reached, not escalated for this step yet.
        session.expire_all()
        expected = {"expire": [], "close": [], "escalate": []}  # type: dict[str, list[int]]
        for n in session.exec(select(Nomination).where(Nomination.id.in_(ids))):  # type: ignore[attr-defined]
            if n.state in FINAL_STATES or n.due_at is None or n.due_at > now:
                continue
            if n.state == "draft":
                expected["expire"].append(n.id)  # type: ignore[arg-type]
            elif n.state == "in_public_notice":
                expected["close"].append(n.id)  # type: ignore[arg-type]
            elif f"{n.id}:{n.state}@v{n.version}" not in escalated_steps:
                expected["escalate"].append(n.id)  # type: ignore[arg-type]
                escalated_steps.add(f"{n.id}:{n.state}@v{n.version}")
        session.commit()
        report = sweep_deadlines(engine, now=now)
        tally.tried(GROUP, f"Deadline sweep with the clock moved: {pattern}")
        got = {"expire": report.expired, "close": report.notices_closed, "escalate": report.escalated}
        if {k: sorted(v) for k, v in got.items()} != {k: sorted(v) for k, v in expected.items()}:
            wrong.append(f"at {offset}: expected {expected}, swept {got}")
            tally.let_through(GROUP, f"Deadline sweep with the clock moved: {pattern}", note=wrong[-1])

    session.expire_all()
    assert expire_and_notice_count(session, draft.id, "expire") == 1  # type: ignore[arg-type]
    assert expire_and_notice_count(session, noticed.id, "close_notice") == 1  # type: ignore[arg-type]
    # One escalation per overdue step and target role: the steps escalated, each once.
    steps = session.exec(select(OutboxMessage.step, func.count()).where(
        OutboxMessage.kind == "escalation", OutboxMessage.nomination_id == appraising.id).group_by(OutboxMessage.step)).all()
    targets = session.exec(select(func.count(func.distinct(OutboxMessage.recipient_role))).where(
        OutboxMessage.kind == "escalation", OutboxMessage.nomination_id == appraising.id)).one()
    assert {f"{appraising.id}:{step}" for step, _ in steps} == {s for s in escalated_steps if s.startswith(f"{appraising.id}:")}
    assert all(count == targets for _, count in steps), steps
    assert wrong == [], wrong
    assert nomination_problems(session, ids) == [] and audit.verify_all(session) == []
