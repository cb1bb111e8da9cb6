"""Consistency checks run after a workload: the fold of each audit trail equals the stored state."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlmodel import Session, select

from service.models import AuditEntry, Nomination
from service.transitions import route_of
from workflow.nomination import EVENT_LABELS, replay


def fold_mismatches(engine, ids: list[int] | None = None) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    """(id, stored, folded) for every nomination whose state is not ``workflow.nomination.replay``
    of its audited events (the same fold as :func:`service.queries.folded_state`, read in bulk)."""
    with Session(engine) as session:
        query = select(Nomination)
        if ids is not None:
            query = query.where(Nomination.id.in_(ids))  # type: ignore[union-attr]
        nominations = list(session.exec(query))
        events: dict[str, list[tuple[str, str | None, bool | None]]] = defaultdict(list)
        entries = session.exec(
            select(AuditEntry.chain, AuditEntry.action, AuditEntry.reason, AuditEntry.payload)
            .where(AuditEntry.chain.like("nomination:%"))  # type: ignore[attr-defined]
            .order_by(AuditEntry.chain, AuditEntry.seq)
        )
        for chain, action, reason, payload in entries:
            if action in EVENT_LABELS:
                events[chain].append((action, reason, json.loads(payload).get("passed")))
        bad = []
        for n in nominations:
            folded = replay(route_of(n), events.get(f"nomination:{n.id}", []))
            if folded != n.state:
                bad.append((n.id, n.state, folded))  # type: ignore[arg-type]
        return bad
