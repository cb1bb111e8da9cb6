"""Read side: lists, a nomination's timeline from its audit trail, and what an actor can do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from service import audit
from service.actors import Actor
from service.models import Nomination
from service.scope import visible_filter
from service.transitions import route_of
from workflow.nomination import EVENT_LABELS, enabled_events, replay
from workflow.roles import roles_for


def _filtered(
    query,  # type: ignore[no-untyped-def]
    actor: Actor,
    *,
    state: str | None = None,
    award: str | None = None,
    unit: str | None = None,
    campaign_id: int | None = None,
    cluster_id: int | None = None,
    due_before: datetime | None = None,
):
    query = query.where(visible_filter(actor))
    if state:
        query = query.where(Nomination.state == state)
    if award:
        query = query.where(Nomination.award_code == award)
    if unit:
        query = query.where(Nomination.proposing_unit_code == unit)
    if campaign_id:
        query = query.where(Nomination.campaign_id == campaign_id)
    if cluster_id:
        query = query.where(Nomination.cluster_id == cluster_id)
    if due_before:
        query = query.where(Nomination.due_at <= due_before)  # type: ignore[operator]
    return query


def list_nominations(session: Session, actor: Actor, *, limit: int = 200, offset: int = 0, **filters: Any) -> list[Nomination]:
    """Nominations ``actor`` may see, filtered by state, award, unit, campaign, cluster, due date."""
    query = _filtered(select(Nomination), actor, **filters)
    return list(session.exec(query.order_by(Nomination.id).offset(offset).limit(limit)))


def count_nominations(session: Session, actor: Actor, **filters: Any) -> int:
    return session.exec(_filtered(select(func.count()).select_from(Nomination), actor, **filters)).one()


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


def timeline(session: Session, nomination: Nomination) -> list[TimelineItem]:
    entries = audit.entries_of(session, audit.nomination_chain(nomination.id))  # type: ignore[arg-type]
    return [
        TimelineItem(e.seq, e.at, e.actor, e.role, e.action, e.from_state, e.to_state, e.reason, audit.payload_of(e))
        for e in entries
    ]


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
