"""The write transaction's shapes (SQLite and PostgreSQL): an action after ``begin_write`` goes on
in the transaction that read the caller (one BEGIN, one COMMIT), an action after a plain read ends
that read first, and a refused action after ``begin_write`` changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service import audit
from service import nominations as actions
from service.actors import Actor
from service.db import begin_write
from service.demo import DemoNomination, drive
from service.models import Nomination, User
from workflow.errors import TransitionRefused
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)


def _submitted(session: Session) -> int:
    nomination_id = drive(session, DemoNomination(person="P001", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"])).id
    session.close()
    return nomination_id  # type: ignore[return-value]


def _transactions(engine: Engine) -> list[str]:
    """'begin' / 'commit' / 'rollback' of the engine's connections, as they happen."""
    seen: list[str] = []
    event.listen(engine, "begin", lambda conn: seen.append("begin"))
    event.listen(engine, "commit", lambda conn: seen.append("commit"))
    event.listen(engine, "rollback", lambda conn: seen.append("rollback"))
    return seen


def test_an_action_after_begin_write_goes_on_in_the_same_transaction(session: Session, engine: Engine) -> None:
    nomination_id = _submitted(session)
    seen = _transactions(engine)
    with Session(engine, expire_on_commit=False) as s:
        begin_write(s)
        s.exec(select(User.username)).first()  # a read first, as the API reads the user
        received = actions.receive(s, nomination_id, actor=BOARD)
    assert received.state == "received"
    assert seen.count("begin") == 1 and seen.count("commit") == 1, seen


def test_an_action_after_a_plain_read_ends_the_read_first(session: Session, engine: Engine) -> None:
    nomination_id = _submitted(session)
    seen = _transactions(engine)
    with Session(engine, expire_on_commit=False) as s:
        s.exec(select(User.username)).first()
        actions.receive(s, nomination_id, actor=BOARD)
    # The read's transaction is committed, then the action's own (write) transaction begins.
    assert seen[:3] == ["begin", "commit", "begin"] and seen.count("commit") == 2, seen


def test_a_refused_action_after_begin_write_changes_nothing(session: Session, engine: Engine) -> None:
    nomination_id = _submitted(session)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    with Session(engine, expire_on_commit=False) as s:
        begin_write(s)
        with pytest.raises(TransitionRefused):
            actions.decide(s, nomination_id, actor=Actor("chutich", Role.APPROVER), decision_number="1/QĐ-UBND",
                           signed_on=date(2026, 12, 1), signer="Chủ tịch")
    with Session(engine) as s:
        assert s.get(Nomination, nomination_id).state == "submitted"  # type: ignore[union-attr]
        assert s.exec(select(Nomination.version).where(Nomination.id == nomination_id)).one() == 3
        assert audit.verify_all(s) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == before
        assert conn.execute(text("SELECT count(*) FROM decisions WHERE number = '1/QĐ-UBND'")).scalar_one() == 0


def test_begin_write_must_open_the_transaction(session: Session, engine: Engine) -> None:
    with Session(engine) as s:
        s.exec(select(User.username)).first()
        with pytest.raises(RuntimeError):
            begin_write(s)


def test_an_action_after_a_read_whose_connection_died_connects_again(session: Session, engine: Engine) -> None:
    # The database restarted during a read (tests/faults/test_outage.py): the connection is
    # invalid, and ending the read must not turn into PendingRollbackError (a 500).
    nomination_id = _submitted(session)
    with Session(engine, expire_on_commit=False) as s:
        s.exec(select(User.username)).first()
        s.connection().invalidate()
        received = actions.receive(s, nomination_id, actor=BOARD)
    assert received.state == "received"
    with Session(engine) as s:
        assert audit.verify_all(s) == []
