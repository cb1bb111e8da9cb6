"""The write discipline of the cluster-year and council-session aggregates, the same as for a
nomination: load the row locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` already serialises writers), check the caller's version, change it, flush (which
bumps the version) and append the audit entry whose ``seq`` is that version, all inside the
caller's :func:`~service.db.write_transaction`.

Only one flush of the row may happen per audited change, so a service function changes the row
after any nested nomination verbs have run and right before :func:`record`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, SQLModel

from service import audit
from service.actors import Actor
from service.errors import Conflict, NotFound
from service.models import utcnow

Row = TypeVar("Row", bound=SQLModel)


def chain_of(kind: str, row_id: int) -> str:
    """``cluster_year:3``, ``council_session:1``."""
    return f"{kind}:{row_id}"


def load_locked(session: Session, model: type[Row], row_id: int, *, what_vi: str, what_en: str) -> Row:
    # populate_existing: the locked read wins over whatever this session loaded before.
    row = session.get(model, row_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"Không tìm thấy {what_vi} #{row_id}.", f"{what_en.capitalize()} #{row_id} was not found.")
    return row


def check_version(row: Any, expected: int | None, *, what_vi: str, what_en: str) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"{what_vi.capitalize()} #{row.id} vừa được người khác cập nhật (phiên bản {row.version}, bạn đang xem "
            f"phiên bản {expected}). Hãy tải lại rồi thực hiện lại.",
            f"{what_en.capitalize()} #{row.id} was changed by someone else (version {row.version}; you had "
            f"version {expected}). Reload it and try again.",
        )


def record(
    session: Session,
    row: Any,
    *,
    kind: str,
    actor: Actor,
    action: str,
    from_state: str | None,
    payload: dict[str, Any] | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Flush the row (its version grows by one) and append the matching audit entry."""
    now = now or utcnow()
    row.updated_at = now
    # Always an UPDATE, so the version grows even when nothing else changed and ``now`` equals the
    # last action's time (two steps in the same instant would otherwise share an audit seq).
    flag_modified(row, "updated_at")
    session.add(row)
    session.flush()
    audit.append(
        session,
        chain=chain_of(kind, row.id),
        seq=row.version,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=row.state,
        reason=reason,
        payload=payload or {},
        at=now,
    )
