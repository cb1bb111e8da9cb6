"""Concurrent writers: each worker has its own engine, as a separate process would.

SQLite must never answer "database is locked" (writers queue on BEGIN IMMEDIATE + busy_timeout);
racing writers on one nomination with the same version: exactly one wins, the rest get 409.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit
from service import nominations as actions
from service.actors import Actor
from service.db import make_engine
from service.demo import DemoNomination, drive
from service.errors import StaleVersion
from service.models import AuditEntry, Nomination
from workflow.errors import TransitionRefused
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)
PEOPLE = ["P001", "P002", "P003", "P005", "P008", "P009", "P010", "P021"]


def _engine_like(engine: Engine) -> Engine:
    return make_engine(engine.url.render_as_string(hide_password=False))


def test_concurrent_writers_on_different_nominations_all_succeed(session: Session, engine: Engine) -> None:
    ids = [drive(session, DemoNomination(person=p, award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"])).id for p in PEOPLE]
    session.close()
    errors: list[BaseException] = []

    def work(nomination_id: int) -> None:
        eng = _engine_like(engine)
        try:
            with Session(eng, expire_on_commit=False) as s:
                for step in (actions.receive, actions.start_appraisal, actions.submit_for_signature):
                    step(s, nomination_id, actor=BOARD)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        states = s.exec(select(Nomination.state).where(Nomination.id.in_(ids))).all()  # type: ignore[attr-defined]
        assert states == ["awaiting_signature"] * len(ids)
        assert audit.verify_all(s) == []


def test_racing_writers_on_one_version_exactly_one_wins(session: Session, engine: Engine) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive", "start_appraisal"]))
    version = n.version
    session.close()
    barrier = threading.Barrier(8)

    def race(i: int) -> str:
        eng = _engine_like(engine)
        try:
            with Session(eng, expire_on_commit=False) as s:
                barrier.wait()
                try:
                    if i % 2:
                        actions.submit_for_signature(s, n.id, actor=BOARD, expected_version=version)
                    else:
                        actions.return_for_completion(s, n.id, actor=BOARD, reason=f"thiếu hồ sơ {i}", expected_version=version)
                    return "ok"
                except StaleVersion:
                    return "stale"
                except TransitionRefused:
                    return "refused"
        finally:
            eng.dispose()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(race, range(8)))
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("stale") == 7, outcomes
    with Session(engine) as s:
        fresh = s.get(Nomination, n.id)
        assert fresh.version == version + 1
        count = s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == f"nomination:{n.id}")).one()
        assert count == fresh.version
        assert audit.verify_all(s) == []


def test_racing_writers_without_a_version_are_serialised(session: Session, engine: Engine) -> None:
    """Without If-Match, writers queue on the row lock: the first moves the state, the others see
    the new state and are refused by the machine — never a lost update or a half-applied one."""
    n = drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    session.close()
    barrier = threading.Barrier(6)

    def race(_: int) -> str:
        eng = _engine_like(engine)
        try:
            with Session(eng, expire_on_commit=False) as s:
                barrier.wait()
                try:
                    actions.receive(s, n.id, actor=BOARD)
                    return "ok"
                except TransitionRefused:
                    return "refused"
        finally:
            eng.dispose()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(race, range(6)))
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    with Session(engine) as s:
        assert s.get(Nomination, n.id).state == "received"
        assert audit.verify_all(s) == []
