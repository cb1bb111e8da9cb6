"""The one write path for nominations: load + lock, check, ask the machine, write, audit, outbox.

Every state change of a nomination, from the CLI, the HTTP API or a Prefect flow, goes through
:func:`apply_event`. It runs in the caller's session and commits once, so the new state, the
audit entry and the outbox messages land together or not at all.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from config.calendar import load_calendar
from config.catalogue import Award, RuleSet, catalogue
from config.settings import get_settings
from service import audit, transition_write
from service.metrics import counted_transition
from service.actors import Actor
from service.db import write_transaction
from service.errors import Forbidden, NotFound, StaleVersion
from service.models import AuditEntry, Campaign, Cluster, Nomination, utcnow
from service.scope import can_act_on
from workflow.clock import PAUSING_STATES, remaining_days
from workflow.nomination import CLOCK_OF, EVENT_LABELS, FINAL_STATES, advance, enabled_events
from workflow.roles import Role, responsible_roles, roles_for
from workflow.route import Route

# Built once: Session.get builds its query again on every call, which cost three times the
# query itself (bench/findings.md). populate_existing: decide on the row as it is now, not on a
# copy the session loaded earlier.
_LOCKED_ROW = (
    select(Nomination).where(Nomination.id == sa.bindparam("id")).with_for_update()  # type: ignore[arg-type]
    .execution_options(populate_existing=True)
)
# The row, the hash of its audit chain's last entry (seq = the row's version) and its campaign's
# dates, in one query; only the nomination's row is locked.
_LOCKED_ROW_AND_HEAD = (
    select(
        Nomination,
        sa.select(AuditEntry.hash)  # type: ignore[call-overload]
        .where(AuditEntry.chain == sa.bindparam("chain"), AuditEntry.seq == Nomination.version)
        .scalar_subquery().label("chain_head"),
    )
    .add_columns(Campaign.filing_deadline, Campaign.calendar)
    .join(Campaign, Campaign.id == Nomination.campaign_id)  # type: ignore[arg-type]
    .where(Nomination.id == sa.bindparam("id")).with_for_update(of=Nomination)  # type: ignore[arg-type]
    .execution_options(populate_existing=True)
)
_NOMINATIONS = Nomination.__table__  # type: ignore[attr-defined]
_COLUMN_KEYS = frozenset(c.key for c in _NOMINATIONS.c) - {"id", "version"}
_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_LAST_PAUSE = (
    sa.select(_AUDIT.c.payload)
    .where(_AUDIT.c.chain == sa.bindparam("chain"), _AUDIT.c.to_state.in_(sorted(PAUSING_STATES)))
    .order_by(_AUDIT.c.seq.desc())
    .limit(1)
)

# States whose arrival the proposing unit is told about even though it has nothing to do.
_OUTCOME_STATES = FINAL_STATES | {"awarded", "forwarded_central", "centrally_decided"}


def ruleset_of(nomination: Nomination) -> RuleSet:
    return catalogue().version(nomination.ruleset_version)


def award_of(nomination: Nomination) -> Award:
    return ruleset_of(nomination).award(nomination.award_code)


def route_of(nomination: Nomination) -> Route:
    return award_of(nomination).route(nomination.track)


def load_for_update(session: Session, nomination_id: int, actor: Actor) -> Nomination:
    """Load the row, locked on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers).
    A nomination the actor may not see is reported as not found, so existence does not leak."""
    return _visible(session, nomination_id, actor, session.execute(_LOCKED_ROW, {"id": nomination_id}).scalar_one_or_none())


def _load_for_transition(session: Session, nomination_id: int, actor: Actor) -> tuple[Nomination, Any]:
    """:func:`load_for_update`, with what the transition reads besides the row in the same
    statement (a round trip each fewer on PostgreSQL): ``chain_head``, the hash of the audit
    chain's last entry (the next entry links to it), and the campaign's ``filing_deadline`` and
    ``calendar``, which bound deadlines."""
    row = session.execute(
        _LOCKED_ROW_AND_HEAD, {"id": nomination_id, "chain": audit.nomination_chain(nomination_id)}
    ).first()
    return _visible(session, nomination_id, actor, row.Nomination if row else None), row


def _visible(session: Session, nomination_id: int, actor: Actor, nomination: Nomination | None) -> Nomination:
    if nomination is None or not can_act_on(session, actor, nomination):
        raise NotFound(
            f"Không tìm thấy hồ sơ #{nomination_id} (hoặc bạn không có quyền xem hồ sơ này).",
            f"Nomination #{nomination_id} was not found (or you may not see it).",
        )
    return nomination


def check_version(nomination: Nomination, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != nomination.version:
        raise StaleVersion(nomination.id, expected_version, nomination.version, nomination.state)  # type: ignore[arg-type]


@counted_transition  # transitions by action and outcome (Prometheus), one log line with the nomination id
def apply_event(
    session: Session,
    nomination_id: int,
    event: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    reason: str | None = None,
    passed: bool | None = None,
    payload: dict[str, Any] | None = None,
    before_write: Callable[[Nomination], None] | None = None,
    after_write: Callable[[Nomination], None] | None = None,
    now: datetime | None = None,
) -> Nomination:
    """Fire ``event`` on the nomination and commit; raise a typed error and change nothing if refused.

    ``before_write`` lets a verb add its own checks or fields (e.g. the decision number) inside the
    same transaction, after the machine accepted the event; ``after_write`` writes what follows from
    the change (e.g. the review tasks a revocation opens), still in the same transaction."""
    now = now or utcnow()
    try:
        with write_transaction(session):
            nomination, read = _load_for_transition(session, nomination_id, actor)
            check_version(nomination, expected_version)
            _check_role(actor, event, nomination)
            route = route_of(nomination)
            old_state = nomination.state
            new_state = advance(old_state, route, event, reason=reason, passed=passed)
            # No autoflush until the explicit flush below: every flush of a changed row bumps its
            # version, and the version must grow by exactly one per audited change.
            with session.no_autoflush:
                if before_write is not None:
                    before_write(nomination)
                due_at, clock_note = nomination.due_at, {}
                if new_state != old_state:
                    due_at, clock_note = _next_due(session, nomination, old_state, new_state, now, read)
                    nomination.state_entered_at = now
                nomination.state = new_state
                nomination.due_at = due_at
                nomination.updated_at = now
                if reason and new_state in FINAL_STATES:
                    nomination.outcome_reason = reason
                details = {**(payload or {}), **clock_note}
                if passed is not None:
                    details["passed"] = passed
            read_version, values = _stage_row(session, nomination)  # the next version: the audit seq uses it
            session.flush()  # whatever before_write added (a decision, a quota entry), before the transition's own writes
            entry = audit.entry_row(
                chain=audit.nomination_chain(nomination.id),  # type: ignore[arg-type]
                seq=nomination.version,
                actor=actor,
                action=event,
                from_state=old_state,
                to_state=new_state,
                reason=reason,
                payload=details,
                at=now,
                prev_hash=read.chain_head or audit.GENESIS,
            )
            try:
                transition_write.write(session, nomination.id, read_version, values, entry,  # type: ignore[arg-type]
                                       messages_for(session, nomination, route))
            except StaleDataError:
                session.expire(nomination)  # it was marked as written; the row says otherwise
                raise
            if after_write is not None:
                after_write(nomination)
    except StaleDataError:
        current = session.get(Nomination, nomination_id)
        raise StaleVersion(nomination_id, expected_version or -1, current.version, current.state) from None  # type: ignore[union-attr]
    return nomination


def _stage_row(session: Session, nomination: Nomination) -> tuple[int, dict[str, Any]]:
    """The version the nomination was read at and the columns to write (those set since it was
    loaded, ``committed_state``, and the next version); the object is then marked clean at the
    new version, as the ORM's flush would after its UPDATE, so the flush of other objects that
    follows does not write the row again. :mod:`service.transition_write` sends the UPDATE,
    guarded by the version read.

    The ORM's unit of work did the same UPDATE at several times the cost (bench/findings.md).
    Like the flush, an in-place change of a JSON value is not seen (the write path never does that)."""
    state = sa.inspect(nomination)
    read_version = nomination.version
    values = {key: state.dict[key] for key in state.committed_state if key in _COLUMN_KEYS}
    values["version"] = read_version + 1
    state.dict.update(values)
    state._commit_all(state.dict, session.identity_map)  # noqa: SLF001  (what the flush does after its UPDATE)
    return read_version, values


def record_change(
    session: Session,
    nomination: Nomination,
    actor: Actor,
    action: str,
    payload: dict[str, Any],
    *,
    from_state: str | None = "",
    new: bool = False,
    reason: str | None = None,
) -> Nomination:
    """Audit a change that is not a transition (creation, a draft edit, a document produced):
    bump the version and append the audit entry, inside the caller's write transaction.

    ``from_state`` defaults to the current state; pass ``None`` for the creation entry."""
    nomination.updated_at = utcnow()
    session.add(nomination)
    session.flush()
    audit.append(
        session,
        chain=audit.nomination_chain(nomination.id),  # type: ignore[arg-type]
        seq=nomination.version,
        actor=actor,
        action=action,
        from_state=nomination.state if from_state == "" else from_state,
        to_state=nomination.state,
        reason=reason,
        payload=payload,
    )
    if new:
        queue_messages(session, nomination, route_of(nomination))
    return nomination


def _check_role(actor: Actor, event: str, nomination: Nomination) -> None:
    if event in EVENT_LABELS and actor.role not in roles_for(event):
        vi, en = EVENT_LABELS[event]
        raise Forbidden(
            f"Vai trò của bạn không được thực hiện «{vi}» với hồ sơ #{nomination.id}.",
            f"Your role ({actor.role.value}) may not '{en}' nomination #{nomination.id}.",
        )


def end_of_day_utc(day: date) -> datetime:
    """The last instant of ``day`` in the configured time zone (Asia/Ho_Chi_Minh), in UTC."""
    return datetime.combine(day, time.max, tzinfo=get_settings().zone).astimezone(timezone.utc)


def _next_due(
    session: Session, nomination: Nomination, old_state: str, new_state: str, now: datetime, campaign: Any
) -> tuple[datetime | None, dict[str, Any]]:
    """The due time in the new state, and a note on the clock for the audit entry (a pause or a
    resumption), so the paused clock can be rebuilt from the trail alone.

    A campaign's calendar may set a final date for a clock (e.g. cluster results by 10 January):
    the step is then due at the earlier of its working-day deadline and that date. ``campaign``:
    the campaign's ``filing_deadline`` and ``calendar``, read with the row."""
    clock = CLOCK_OF.get(new_state)
    if clock is None and new_state not in PAUSING_STATES:
        return None, {}  # no clock runs in the new state (an outcome, a vote…): nothing to read
    due, note = _sla_due(session, nomination, old_state, new_state, now, campaign)
    final = (campaign.calendar or {}).get(clock) if clock else None
    if due is not None and final:
        due = min(due, end_of_day_utc(date.fromisoformat(final)))
    return due, note


def _sla_due(
    session: Session, nomination: Nomination, old_state: str, new_state: str, now: datetime, campaign: Any
) -> tuple[datetime | None, dict[str, Any]]:
    settings = get_settings()
    calendar = load_calendar()
    today = now.astimezone(settings.zone).date()
    old_clock, clock = CLOCK_OF.get(old_state), CLOCK_OF.get(new_state)
    note: dict[str, Any] = {}
    if new_state in PAUSING_STATES and old_clock and nomination.due_at is not None:
        left = remaining_days(calendar, today, nomination.due_at.astimezone(settings.zone).date())
        note = {"clock": {"paused": old_clock, "remaining_working_days": left}}
    if old_state in PAUSING_STATES:
        paused = _last_pause(session, nomination)
        if paused and paused["paused"] == clock:
            left = paused["remaining_working_days"]
            due = calendar.due_at(now.astimezone(settings.zone), left).astimezone(timezone.utc)
            return due, {"clock": {"resumed": clock, "remaining_working_days": left}}
    if clock is None:
        return None, note
    if clock == old_clock:
        return nomination.due_at, note  # same clock keeps running (e.g. received → in appraisal)
    if clock == "filing":
        return end_of_day_utc(campaign.filing_deadline), note
    days = ruleset_of(nomination).sla_days(award_of(nomination), clock)
    return calendar.due_at(now.astimezone(settings.zone), days).astimezone(timezone.utc), note


def _last_pause(session: Session, nomination: Nomination) -> dict[str, Any] | None:
    payload = session.connection().execute(_LAST_PAUSE, {"chain": audit.nomination_chain(nomination.id)}).scalar()  # type: ignore[arg-type]
    return json.loads(payload).get("clock") if payload else None


def scope_of(role: Role, nomination: Nomination, session: Session) -> str | None:
    """The recipient scope of a message to ``role`` about ``nomination`` (unit, cluster or city)."""
    if role in (Role.SUBMITTER, Role.UNIT_HEAD):
        return f"unit:{nomination.proposing_unit_code}"
    if role is Role.CLUSTER_HEAD and nomination.cluster_id is not None:
        cluster = session.get(Cluster, nomination.cluster_id)
        return f"cluster:{cluster.code}:{cluster.year}"  # type: ignore[union-attr]
    return None



def queue_messages(session: Session, nomination: Nomination, route: Route) -> None:
    """Queue :func:`messages_for` the nomination now, with one Core INSERT in the caller's
    transaction (a change that is not a transition: a creation)."""
    rows = messages_for(session, nomination, route)
    if rows:
        session.connection().execute(transition_write.OUTBOX_INSERT, rows)


def messages_for(session: Session, nomination: Nomination, route: Route) -> list[dict[str, Any]]:
    """Outbox rows for whoever must act next, and the proposing unit on an outcome.

    The key (nomination, step, kind, offset, role) is unique, so re-running a step never queues
    the same message twice; ``step`` includes the version because a nomination can re-enter a
    state (returned twice). Rows, not objects: they are inserted with Core, like the audit
    entry, and nothing reads them back here."""
    step = f"{nomination.state}@v{nomination.version}"
    recipients = {(role, "action_needed") for role in responsible_roles(enabled_events(nomination.state, route))}
    if nomination.state in _OUTCOME_STATES:
        recipients.add((Role.SUBMITTER, "outcome"))
    now = utcnow()
    params = {"nomination_id": nomination.id, "state": nomination.state, "award": nomination.award_code}
    return [
        dict(
            key=f"nomination:{nomination.id}:{step}:{kind}:0:{role.value}",
            nomination_id=nomination.id,
            step=step,
            kind=kind,
            offset_days=0,
            recipient_role=role.value,
            recipient_scope=scope_of(role, nomination, session),
            template=f"nomination_{kind}",
            params=params,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for role, kind in sorted(recipients)
    ]
