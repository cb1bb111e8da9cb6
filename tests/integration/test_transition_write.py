"""What a transition sends to the database (SQLite and PostgreSQL): on PostgreSQL the row's UPDATE,
its audit entry and its outbox rows in one statement; on SQLite three, in that order. Either way
the entry links the chain and the messages carry their parameters, and a write whose row moved
on since it was read raises StaleDataError and leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from service import audit, transition_write
from service import nominations as actions
from service.models import AuditEntry, Nomination, OutboxMessage, utcnow
from tests.integration.test_write_transactions import BOARD, _submitted


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: seen.append(" ".join(sql.split())))
    return seen


def test_a_transition_writes_its_row_entry_and_messages(session: Session, engine: Engine) -> None:
    nomination_id = _submitted(session)
    seen = _statements(engine)
    with Session(engine, expire_on_commit=False) as s:
        received = actions.receive(s, nomination_id, actor=BOARD)
    writes = [sql for sql in seen if sql.startswith(("INSERT", "UPDATE", "WITH", "DELETE"))]
    if engine.dialect.name == "postgresql":
        assert len(writes) == 1, writes
        assert writes[0].startswith("WITH row_update AS (UPDATE nominations SET")
        assert "audit_entry AS (INSERT INTO audit_entries" in writes[0] and "message_0 AS (INSERT INTO outbox" in writes[0]
    else:
        assert [sql.split(" (")[0].split(" SET")[0] for sql in writes] == [
            "UPDATE nominations", "INSERT INTO audit_entries", "INSERT INTO outbox"], writes
    with Session(engine) as s:
        entries = audit.entries_of(s, audit.nomination_chain(nomination_id))
        assert [e.seq for e in entries] == list(range(1, received.version + 1))
        assert entries[-1].action == "receive" and entries[-1].to_state == "received"
        assert audit.verify_all(s) == []
        step = f"received@v{received.version}"
        messages = s.exec(select(OutboxMessage).where(OutboxMessage.nomination_id == nomination_id,
                                                      OutboxMessage.step == step)).all()
        assert messages and all(m.params == {"nomination_id": nomination_id, "state": "received", "award": "BK_TP"}
                                for m in messages)
        assert s.get(Nomination, nomination_id).state == "received"  # type: ignore[union-attr]


def test_a_write_at_a_stale_version_raises_and_leaves_nothing(session: Session, engine: Engine) -> None:
    nomination_id = _submitted(session)
    with Session(engine) as s:
        row = s.get(Nomination, nomination_id)
        version, state = row.version, row.state  # type: ignore[union-attr]
        entries_before = len(audit.entries_of(s, audit.nomination_chain(nomination_id)))
    entry = audit.entry_row(chain=audit.nomination_chain(nomination_id), seq=version, actor=BOARD, action="receive",
                            from_state=state, to_state="received", reason=None, payload={}, at=utcnow(),
                            prev_hash=audit.GENESIS)
    message = dict(key=f"nomination:{nomination_id}:stale", nomination_id=nomination_id, step="stale", kind="action_needed",
                   offset_days=0, recipient_role="board", recipient_scope=None, template="nomination_action_needed",
                   params={}, status="pending", attempts=0, next_attempt_at=utcnow(), created_at=utcnow())
    with Session(engine) as s:
        with pytest.raises(StaleDataError), s.begin():
            # read at version - 1: the row has moved on since
            transition_write.write(s, nomination_id, version - 1, {"state": "received", "version": version},
                                   entry, [message])
    with Session(engine) as s:
        row = s.get(Nomination, nomination_id)
        assert (row.version, row.state) == (version, state)  # type: ignore[union-attr]
        assert len(audit.entries_of(s, audit.nomination_chain(nomination_id))) == entries_before
        assert s.exec(select(OutboxMessage).where(OutboxMessage.key == message["key"])).first() is None
        assert s.exec(select(AuditEntry).where(AuditEntry.hash == entry["hash"])).first() is None
