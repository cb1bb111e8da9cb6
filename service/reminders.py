"""Deadline reminders ("nhắc hạn"): outbox rows before each deadline, at the configured offsets.

:func:`queue_deadline_reminders` is what the Reminders flow runs. For every nomination whose
current step is due within the largest offset (``config/reminders.yaml``, in working days on the
calendar of ``config/calendar/vn-holidays.yaml``, Asia/Ho_Chi_Minh), it queues one outbox message
per responsible role, keyed ``nomination:<id>:<state>@v<version>:reminder:<offset>:<role>``; the
unique key plus an insert that ignores conflicts make a re-run insert nothing.

Rules (all decided from the database and the clock, so a sweep that did not run for a day
catches up, and running it twice changes nothing):

* ``remaining`` = working days after today (local) up to and including the due day. The offset
  due is the nearest configured one at or above ``remaining`` (offsets 5 and 1: 5..2 days left
  → the 5-day reminder, 1 or 0 → the 1-day one); a late sweep never sends a stale larger one.
* No reminder for an offset the step was entered within (a 3-working-day step gets no "5 days
  left" mail: the action-needed mail on entry said as much); none once the deadline has passed
  (the deadline sweep escalates instead).
* ``version`` in the step is the version at which the nomination ENTERED its current state
  (from the audit trail), which is the step of the action-needed message that
  :func:`service.transitions.messages_for` queued on entry. The current version would change
  on a draft edit or a produced document and queue the same reminder again.

The query reads only nominations with ``due_at`` between now and the end of the last day any
offset can reach (the indexed column), so its cost follows what is due, not what exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from config.calendar import load_calendar
from config.reminders import ReminderConfig, load_reminders
from config.settings import get_settings
from service import audit
from service.db import is_sqlite, write_transaction
from service.models import AuditEntry, Nomination, OutboxMessage, utcnow
from service.transitions import end_of_day_utc, route_of, scope_of
from workflow.clock import remaining_days
from workflow.nomination import enabled_events
from workflow.roles import responsible_roles

KIND = "reminder"
TEMPLATE = "nomination_reminder"
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


INSERT_CHUNK = 1_000  # reminder rows per INSERT statement (13,000 parameters)


def reminder_key(nomination_id: int, step: str, offset: int, role: str) -> str:
    return f"nomination:{nomination_id}:{step}:{KIND}:{offset}:{role}"


def queue_deadline_reminders(session: Session, *, now: datetime | None = None, config: ReminderConfig | None = None) -> int:
    """Queue the reminders due at ``now`` in one write transaction; return how many were new."""
    now = now or utcnow()
    if now.utcoffset() is None:
        raise ValueError("queue_deadline_reminders needs an aware datetime")
    config = config or load_reminders()
    zone = get_settings().zone
    calendar = load_calendar()
    today = now.astimezone(zone).date()
    # The last due day any offset can reach from today, exactly, on the working-day calendar.
    horizon = end_of_day_utc(calendar.add_working_days(today, config.max_offset))
    with write_transaction(session):
        due = session.exec(
            select(Nomination)
            .where(Nomination.due_at > now, Nomination.due_at <= horizon)  # type: ignore[operator]
            .order_by(Nomination.due_at, Nomination.id)  # type: ignore[arg-type]
            .execution_options(populate_existing=True)  # rows as stored now, not as a caller's session last saw them
        ).all()
        if not due:
            return 0
        entered = _entry_versions(session, due)
        rows: list[dict[str, Any]] = []
        for n in due:
            due_day = n.due_at.astimezone(zone).date()  # type: ignore[union-attr]
            offset = config.offset_for(remaining_days(calendar, today, due_day))
            if offset is None:
                continue
            entered_day = n.state_entered_at.astimezone(zone).date()
            if calendar.working_days_between(entered_day, due_day) <= offset:
                continue  # the step was this short from the start: the entry mail said so
            version = entered.get((n.id, n.state), n.version)  # type: ignore[arg-type]
            step = f"{n.state}@v{version}"
            route = route_of(n)
            for role in sorted(responsible_roles(enabled_events(n.state, route))):
                rows.append(
                    {
                        "key": reminder_key(n.id, step, offset, role.value),  # type: ignore[arg-type]
                        "nomination_id": n.id,
                        "step": step,
                        "kind": KIND,
                        "offset_days": offset,
                        "recipient_role": role.value,
                        "recipient_scope": scope_of(role, n, session),
                        "template": TEMPLATE,
                        "params": {
                            "nomination_id": n.id,
                            "state": n.state,
                            "award": n.award_code,
                            "due_at": n.due_at.isoformat(),  # type: ignore[union-attr]
                            "offset": offset,
                        },
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        if not rows:
            return 0
        insert = (sqlite.insert if is_sqlite(session) else postgresql.insert)(OUTBOX)
        queued = 0
        # In chunks: one INSERT of every row carries 13 parameters a row, and PostgreSQL refuses a
        # statement of more than 65,535 (6,937 reminders due at once in workload 2 of bench/).
        for start in range(0, len(rows), INSERT_CHUNK):
            statement = (insert.values(rows[start:start + INSERT_CHUNK])
                         .on_conflict_do_nothing(index_elements=[OUTBOX.c.key]).returning(OUTBOX.c.id))
            queued += len(session.execute(statement).all())
        return queued


def _entry_versions(session: Session, nominations: list[Nomination]) -> dict[tuple[int, str], int]:
    """(nomination id, state) -> the version at which the nomination last entered that state.

    Audit entries of a nomination have ``seq`` = its version; entering a state is an entry whose
    ``to_state`` differs from ``from_state`` (or the creation, with no ``from_state``)."""
    chains = {audit.nomination_chain(n.id): n.id for n in nominations}  # type: ignore[arg-type]
    names = list(chains)
    rows: list[Any] = []
    # In chunks, as the INSERT of the reminders: PostgreSQL takes at most 65,535 parameters per statement.
    for start in range(0, len(names), INSERT_CHUNK):
        rows += session.execute(
            sa.select(AuditEntry.chain, AuditEntry.to_state, sa.func.max(AuditEntry.seq))
            .where(
                AuditEntry.chain.in_(names[start:start + INSERT_CHUNK]),  # type: ignore[attr-defined]
                sa.or_(AuditEntry.from_state.is_(None), AuditEntry.from_state != AuditEntry.to_state),  # type: ignore[union-attr]
            )
            .group_by(AuditEntry.chain, AuditEntry.to_state)
        ).all()
    return {(chains[chain], state): seq for chain, state, seq in rows if state is not None}
