"""The deadline sweep ("rà soát hạn xử lý"): acts on every nomination whose step is overdue, opens
the cluster ballot rounds whose scheduled opening has come and closes those whose scheduled end
has passed.

It reads what is due from the database (``due_at`` is indexed, so its cost follows what is due,
not how many nominations exist), so a sweep that did not run for a day catches up; each outcome
goes through the one write path, and escalations are outbox rows with a unique key, so running
the sweep twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.escalation import escalation
from config.settings import get_settings
from service.actors import SYSTEM
from service.db import write_transaction
from service.models import Nomination, OutboxMessage, utcnow
from service.transitions import apply_event, route_of, scope_of
from workflow.errors import WorkflowError
from workflow.nomination import FINAL_STATES, enabled_events
from workflow.roles import responsible_roles
from workflow.sweep import EXPIRY_REASON, when_overdue


@dataclass
class SweepReport:
    expired: list[int] = field(default_factory=list)
    notices_closed: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    ballots_opened: list[int] = field(default_factory=list)  # cluster ballot rounds opened on schedule, by id
    ballots_closed: list[int] = field(default_factory=list)  # cluster ballot rounds, by id
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (id, why): changed under us

    @property
    def total(self) -> int:
        return (len(self.expired) + len(self.notices_closed) + len(self.escalated) + len(self.ballots_opened)
                + len(self.ballots_closed))


def due_ids(session: Session, now: datetime, limit: int = 5000) -> list[int]:
    query = (
        select(Nomination.id)
        .where(Nomination.due_at <= now, Nomination.state.not_in(sorted(FINAL_STATES)))  # type: ignore[operator, attr-defined]
        .order_by(Nomination.due_at)
        .limit(limit)
    )
    return list(session.exec(query))


def sweep_deadlines(engine: Engine, *, now: datetime | None = None) -> SweepReport:
    now = now or utcnow()
    report = SweepReport()
    zone = get_settings().zone
    with Session(engine, expire_on_commit=False) as session:
        for nomination_id in due_ids(session, now):
            nomination = session.get(Nomination, nomination_id)
            if nomination is None or nomination.due_at is None or nomination.due_at > now:
                continue
            deadline = nomination.due_at.astimezone(zone).strftime("%d/%m/%Y")
            outcome = when_overdue(nomination.state)
            try:
                # Acting "as of" the sweep's own time keeps a catch-up run's new deadlines consistent.
                if outcome == "expire":
                    vi, _ = EXPIRY_REASON
                    apply_event(session, nomination_id, "expire", actor=SYSTEM, reason=vi.format(deadline=deadline),
                                expected_version=nomination.version, now=now)
                    report.expired.append(nomination_id)
                elif outcome == "close_notice":
                    apply_event(session, nomination_id, "close_notice", actor=SYSTEM, passed=True,
                                expected_version=nomination.version, now=now)
                    report.notices_closed.append(nomination_id)
                elif _escalate(session, nomination):
                    report.escalated.append(nomination_id)
            except WorkflowError as exc:  # someone acted on it meanwhile: the next sweep sees the new state
                session.rollback()
                report.skipped.append((nomination_id, exc.message_en))
        _open_due_ballots(session, now, report)
        _close_due_ballots(session, now, report)
    return report


def _open_due_ballots(session: Session, now: datetime, report: SweepReport) -> None:
    """Open the cluster ballot rounds whose scheduled opening has come (service/ballot_schedule.py)."""
    from service.ballot_schedule import open_due_ballots

    opened, failed = open_due_ballots(session, now)
    report.ballots_opened.extend(opened)
    report.skipped.extend((-schedule_id, f"ballot schedule #{schedule_id}: {why}") for schedule_id, why in failed)


def _close_due_ballots(session: Session, now: datetime, report: SweepReport) -> None:
    """Close and count the cluster ballot rounds whose scheduled end has passed."""
    from service.ballots import close_ballot
    from service.cycle_models import ClusterBallotRound

    due = session.exec(
        select(ClusterBallotRound.id).where(ClusterBallotRound.state == "open", ClusterBallotRound.closes_at <= now)  # type: ignore[operator]
        .order_by(ClusterBallotRound.closes_at)
    ).all()
    for ballot_id in due:
        try:
            close_ballot(session, ballot_id, actor=SYSTEM, today=now.astimezone(get_settings().zone).date(), now=now)
            report.ballots_closed.append(ballot_id)
        except WorkflowError as exc:
            session.rollback()
            report.skipped.append((-ballot_id, f"ballot #{ballot_id}: {exc.message_en}"))


def _escalate(session: Session, nomination: Nomination) -> bool:
    """Queue one escalation per overdue step; False if it was queued by an earlier sweep."""
    route = route_of(nomination)
    targets = {escalation().escalate_to[r] for r in responsible_roles(enabled_events(nomination.state, route))
               if r in escalation().escalate_to}
    step = f"{nomination.state}@v{nomination.version}"
    inserted = 0
    with write_transaction(session):
        for role in sorted(targets):
            row = dict(
                key=f"nomination:{nomination.id}:{step}:escalation:0:{role.value}", nomination_id=nomination.id,
                step=step, kind="escalation", offset_days=0, recipient_role=role.value,
                recipient_scope=scope_of(role, nomination, session), template="nomination_escalation",
                params={"nomination_id": nomination.id, "state": nomination.state, "award": nomination.award_code},
                status="pending", attempts=0, next_attempt_at=utcnow(), created_at=utcnow(),
            )
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            # RETURNING tells reliably whether the row was new (rowcount is not, on psycopg).
            statement = insert(OutboxMessage).values(**row).on_conflict_do_nothing(index_elements=["key"])
            inserted += len(session.execute(statement.returning(OutboxMessage.id)).all())
    return inserted > 0
