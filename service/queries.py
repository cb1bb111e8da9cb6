"""Read side: lists, a nomination's timeline from its audit trail, and what an actor can do next."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from service import audit
from service.actors import Actor
from config.calendar import load_calendar
from config.settings import get_settings
from service.models import AuditEntry, Document, Nomination, utcnow
from workflow.clock import PAUSING_STATES, progress
from service.scope import visible_scope
from service.transitions import route_of
from config.catalogue import catalogue
from workflow.nomination import CLOCK_OF, EVENT_LABELS, STATES, enabled_events, replay
from workflow.roles import Role, responsible_roles, roles_for


# The lists' conditions, each with its bound value (``f_<name>``): a list's statement is built once
# per combination of scope and filters and reused with new values (building and keying a
# statement cost more than running it, bench/findings.md).
_N = Nomination.__table__  # type: ignore[attr-defined]
_SCOPES = {
    "all": sa.true(),
    "unit": _N.c.proposing_unit_code == sa.bindparam("scope_unit"),
    "clusters": _N.c.cluster_id.in_(sa.bindparam("scope_clusters", expanding=True)),
    "none": sa.false(),
}
_FILTERS = {
    "state": _N.c.state == sa.bindparam("f_state"),
    "award": _N.c.award_code == sa.bindparam("f_award"),
    "unit": _N.c.proposing_unit_code == sa.bindparam("f_unit"),
    "campaign_id": _N.c.campaign_id == sa.bindparam("f_campaign_id"),
    "cluster_id": _N.c.cluster_id == sa.bindparam("f_cluster_id"),
    "due_before": _N.c.due_at <= sa.bindparam("f_due_before"),
}


def _criteria(
    actor: Actor,
    session: Session,
    *,
    state: str | None = None,
    award: str | None = None,
    unit: str | None = None,
    campaign_id: int | None = None,
    cluster_id: int | None = None,
    due_before: datetime | None = None,
) -> tuple[tuple[str, tuple[str, ...]], dict[str, Any]]:
    """Which conditions a list has (the key of its statement) and their values: what ``actor``
    may see, and each filter given (an empty one is no filter)."""
    scope, params = visible_scope(actor, session)
    given = dict(state=state, award=award, unit=unit, campaign_id=campaign_id, cluster_id=cluster_id, due_before=due_before)
    names = [name for name, value in given.items() if value]
    params.update({f"f_{name}": given[name] for name in names})
    return (scope, tuple(names)), params


@functools.lru_cache(maxsize=512)
def _statement(kind: str, criteria: tuple[str, tuple[str, ...]]):  # type: ignore[no-untyped-def]
    """The list's statement: ``objects`` (ORM), ``rows`` (the table's columns) or ``count`` (the
    matching rows counted up to ``:cap_plus_one``); pages take ``:limit`` and ``:offset``."""
    scope, names = criteria
    where = [_SCOPES[scope], *(_FILTERS[name] for name in names)]
    if kind == "count":
        matching = sa.select(sa.literal(1)).select_from(_N).where(*where).limit(sa.bindparam("cap_plus_one"))
        return sa.select(sa.func.count()).select_from(matching.subquery())
    base = select(Nomination) if kind == "objects" else sa.select(_N)
    return base.where(*where).order_by(_N.c.id).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))


def list_nominations(session: Session, actor: Actor, *, limit: int = 200, offset: int = 0, **filters: Any) -> list[Nomination]:
    """Nominations ``actor`` may see, filtered by state, award, unit, campaign, cluster, due date."""
    criteria, params = _criteria(actor, session, **filters)
    return list(session.execute(_statement("objects", criteria), {**params, "limit": limit, "offset": offset}).scalars())


def soonest_due(session: Session, actor: Actor, states: Collection[str], limit: int) -> list[sa.Row]:
    """The ``limit`` nominations in ``states`` that ``actor`` may see, the soonest due first (then
    those with no deadline, oldest first), as rows of what deciding whose turn it is needs (id,
    due_at, state, award_code, track, ruleset_version: :func:`next_actions` takes them).

    Read as one statement of two index ranges per state, each already in due order and cut at
    ``limit`` (the (state, due_at) index), merged and cut again: sorting every nomination in the
    states first cost 20-50 ms for the Board at 100k rows (30k of them in its states)."""
    if not states:
        return []
    scope, params = visible_scope(actor, session)
    return list(session.connection().execute(_soonest(scope, tuple(sorted(states))), {**params, "limit": limit}))


def nominations_by_id(session: Session, ids: list[int]) -> list[Nomination]:
    """The nominations of ``ids``, in that order."""
    found = {n.id: n for n in session.execute(select(Nomination).where(Nomination.id.in_(ids))).scalars()} if ids else {}  # type: ignore[union-attr]
    return [found[i] for i in ids]


@functools.lru_cache(maxsize=64)
def _soonest(scope: str, states: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """:func:`soonest_due`'s statement, built once per scope and set of states."""
    columns = (_N.c.id, _N.c.due_at, _N.c.state, _N.c.award_code, _N.c.track, _N.c.ruleset_version)
    ranges = []
    for state in states:
        mine = sa.select(*columns).where(_SCOPES[scope], _N.c.state == state)
        ranges.append(mine.where(_N.c.due_at.is_not(None)).order_by(_N.c.due_at, _N.c.id).limit(sa.bindparam("limit")).subquery())
        ranges.append(mine.where(_N.c.due_at.is_(None)).order_by(_N.c.id).limit(sa.bindparam("limit")).subquery())
    merged = sa.union_all(*(sa.select(r) for r in ranges)).subquery()
    return sa.select(merged).order_by(merged.c.due_at.is_(None), merged.c.due_at, merged.c.id).limit(sa.bindparam("limit"))


@functools.lru_cache(maxsize=None)
def waiting_states(role: Role) -> frozenset[str]:
    """The states in which some award's route makes it ``role``'s turn (as the outbox decides whom
    to tell, :func:`workflow.roles.responsible_roles`): where an inbox looks."""
    routes = {award.route(track) for ruleset in catalogue().rulesets for award in ruleset.awards for track in award.routes}
    return frozenset(state for route in routes for state in STATES if role in responsible_roles(enabled_events(state, route)))


def list_rows(session: Session, actor: Actor, *, limit: int = 200, offset: int = 0, **filters: Any) -> list[sa.Row]:
    """The same page as :func:`list_nominations`, as rows of the table's columns rather than objects
    (the API's list: loading objects cost more than the query at 50 a page, bench/findings.md)."""
    criteria, params = _criteria(actor, session, **filters)
    return list(session.connection().execute(_statement("rows", criteria), {**params, "limit": limit, "offset": offset}))


@dataclass(frozen=True)
class Total:
    """How many nominations a list matches: exact up to the cap, else "more than ``count``"."""

    count: int
    exact: bool


def count_up_to(session: Session, actor: Actor, cap: int, **filters: Any) -> Total:
    """The list's total, counting at most ``cap + 1`` matching rows (an index range that long,
    not the whole table): ``Total(cap, exact=False)`` when there are more than ``cap``."""
    criteria, params = _criteria(actor, session, **filters)
    found = session.connection().execute(_statement("count", criteria), {**params, "cap_plus_one": cap + 1}).scalar_one()
    return Total(min(found, cap), exact=found <= cap)


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    payload: dict[str, Any]


_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_TIMELINE = (
    sa.select(_AUDIT.c.seq, _AUDIT.c.at, _AUDIT.c.actor, _AUDIT.c.role, _AUDIT.c.action, _AUDIT.c.from_state,
              _AUDIT.c.to_state, _AUDIT.c.reason, _AUDIT.c.payload)
    .where(_AUDIT.c.chain == sa.bindparam("chain"))
    .order_by(_AUDIT.c.seq)
)
_TIMELINES = (  # the timelines of several nominations at once, for a page's clocks
    sa.select(_AUDIT.c.chain, *_TIMELINE.selected_columns)
    .where(_AUDIT.c.chain.in_(sa.bindparam("chains", expanding=True)))
    .order_by(_AUDIT.c.chain, _AUDIT.c.seq)
)
_DOCUMENTS = Document.__table__  # type: ignore[attr-defined]
# What lists of documents show: every column but the file itself (read only on download).
_DOCUMENT_LIST = (
    sa.select(*(c for c in _DOCUMENTS.c if c.name != "data"))
    .where(_DOCUMENTS.c.nomination_id == sa.bindparam("nomination_id"))
    .order_by(_DOCUMENTS.c.id)
)


def timeline(session: Session, nomination: Nomination) -> list[TimelineItem]:
    """The audit trail as the timeline shows it (rows, not objects: it is read on every detail)."""
    rows = session.connection().execute(_TIMELINE, {"chain": audit.nomination_chain(nomination.id)})  # type: ignore[arg-type]
    return [TimelineItem(*row[:-1], json.loads(row[-1])) for row in rows]


def next_actions(nomination: Nomination, actor: Actor) -> list[str]:
    """Events the actor's role may fire now (scope is checked when the nomination is loaded)."""
    return [e for e in enabled_events(nomination.state, route_of(nomination)) if actor.role in roles_for(e)]


def folded_state(session: Session, nomination: Nomination) -> str:
    """Replay the nomination's audited events through the machine from draft."""
    events = [
        (item.action, item.reason, item.payload.get("passed"))
        for item in timeline(session, nomination)
        if item.action in EVENT_LABELS
    ]
    return replay(route_of(nomination), events)


@dataclass(frozen=True)
class StepClock:
    """The clock of the current step, in working days ("ngày làm việc")."""

    clock: str  # the SLA key (appraisal, completion, filing…)
    started_at: datetime
    due_at: datetime
    working_days_used: int
    working_days_left: int  # negative when overdue
    held_working_days: int | None  # while returned: the Board's days left, resumed on resubmission


def step_clock(
    session: Session, nomination: Nomination, now: datetime | None = None, items: list[TimelineItem] | None = None
) -> StepClock | None:
    """Where the current step stands against its deadline; None when nothing is due. ``items``:
    the nomination's timeline if the caller has read it already."""
    if CLOCK_OF.get(nomination.state) is None or nomination.due_at is None:
        return None
    return _clock(nomination, timeline(session, nomination) if items is None else items, now)


def step_clocks(session: Session, nominations: list[Nomination], now: datetime | None = None,
                read: dict[int, list[TimelineItem]] | None = None) -> dict[int, StepClock | None]:
    """:func:`step_clock` of each nomination of a page, from one read of their audit trails (a
    list of 50 read 50 timelines, one statement each); ``read``: timelines the caller has already,
    by nomination id."""
    read = read or {}
    timed = {audit.nomination_chain(n.id): n for n in nominations if CLOCK_OF.get(n.state) and n.due_at is not None}  # type: ignore[arg-type]
    items: dict[str, list[TimelineItem]] = {chain: read.get(n.id, []) for chain, n in timed.items()}  # type: ignore[arg-type]
    missing = [chain for chain, n in timed.items() if n.id not in read]
    if missing:
        for row in session.connection().execute(_TIMELINES, {"chains": missing}):
            items[row[0]].append(TimelineItem(*row[1:-1], json.loads(row[-1])))
    clocks: dict[int, StepClock | None] = {n.id: None for n in nominations}  # type: ignore[misc]
    clocks.update({n.id: _clock(n, items[chain], now) for chain, n in timed.items()})  # type: ignore[misc]
    return clocks


def _clock(nomination: Nomination, items: list[TimelineItem], now: datetime | None) -> StepClock:
    clock = CLOCK_OF[nomination.state]
    zone = get_settings().zone
    started = nomination.state_entered_at
    for item in reversed(items):  # the clock started where the state last entered it
        if CLOCK_OF.get(item.from_state or "") != clock:
            started = item.at
            break
    today = (now or utcnow()).astimezone(zone).date()
    p = progress(load_calendar(), started.astimezone(zone).date(), nomination.due_at.astimezone(zone).date(), today)
    held = None
    if nomination.state in PAUSING_STATES and items:
        held = items[-1].payload.get("clock", {}).get("remaining_working_days")
    return StepClock(clock, started, nomination.due_at, p.used, p.left, held)  # type: ignore[arg-type]


def documents_of(session: Session, nomination: Nomination) -> list[sa.Row]:
    """The nomination's produced documents without their bytes (id, kind, filename, content type,
    SHA-256, time)."""
    return list(session.connection().execute(_DOCUMENT_LIST, {"nomination_id": nomination.id}))
