"""The invariants every fault must leave true, checked on the database afterwards."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit
from service.models import AuditEntry, Nomination
from service.queries import folded_state


def nomination_problems(session: Session, ids: list[int] | None = None) -> list[str]:
    """Every nomination (or those of ``ids``): state = fold(audit), version = audit length."""
    query = select(Nomination)
    if ids is not None:
        query = query.where(Nomination.id.in_(ids))  # type: ignore[union-attr]
    problems: list[str] = []
    for n in session.exec(query):
        count = session.exec(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.chain == audit.nomination_chain(n.id))).one()
        if count != n.version:
            problems.append(f"nomination {n.id}: version {n.version} but {count} audit entries")
        folded = folded_state(session, n)
        if folded != n.state:
            problems.append(f"nomination {n.id}: state {n.state} but the audit folds to {folded}")
    return problems


def all_problems(engine: Engine, ids: list[int] | None = None) -> list[str]:
    """Nomination invariants plus every audit chain verifying."""
    with Session(engine) as s:
        return nomination_problems(s, ids) + [str(b) for b in audit.verify_all(s)]
