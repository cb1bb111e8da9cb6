"""The home page's inbox ("việc đang chờ bạn"): every nomination on which it is the user's turn,
wherever its id falls, the soonest due first; an award waits for nobody."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.actors import Actor
from service.models import Nomination, OutboxMessage, utcnow
from service.queries import next_actions
from service.web.inbox import INBOX_SIZE, inbox
from tests.e2e.test_page_authorization import sign_in  # noqa: F401  (fixture)
from workflow.roles import NOT_A_TURN, Role

BOARD = Actor(name="ban.tdkt", role=Role.BOARD_OFFICER)
APPROVER = Actor(name="chutich", role=Role.APPROVER)


def waiting(engine: Engine, actor: Actor) -> list[int]:
    """What the inbox must hold, worked out the slow way: every nomination, one by one."""
    with Session(engine) as s:
        return sorted(n.id for n in s.exec(select(Nomination)) if set(next_actions(n, actor)) - NOT_A_TURN)  # type: ignore[misc]


def test_the_inbox_holds_every_nomination_waiting_for_the_role_soonest_due_first(demo_engine: Engine) -> None:
    for actor in (BOARD, APPROVER):
        expected = waiting(demo_engine, actor)
        assert 0 < len(expected) <= INBOX_SIZE, "the demo has work for this role, or this test shows nothing"
        with Session(demo_engine) as s:
            rows = inbox(s, actor)
        assert sorted(r.nomination.id for r in rows) == expected
        dues = [r.due_at for r in rows]
        timed = [d for d in dues if d is not None]
        assert timed == sorted(timed) and dues == timed + [None] * (len(dues) - len(timed))


def test_an_award_waits_for_nobody(demo_engine: Engine) -> None:
    """Revoking a decided award is always possible, but it is not the Chairman's turn: no inbox
    row, and no "action needed" message queued when the award is made."""
    with Session(demo_engine) as s:
        awarded = s.exec(select(Nomination).where(Nomination.state == "awarded")).all()
        assert awarded and all("revoke" in next_actions(n, APPROVER) for n in awarded)
        shown = {r.nomination.id for r in inbox(s, APPROVER)}
        assert not shown & {n.id for n in awarded}
        asked = s.exec(select(OutboxMessage).where(OutboxMessage.step.like("awarded@%"), OutboxMessage.kind == "action_needed")).all()  # type: ignore[attr-defined]
        assert asked == []


def test_work_beyond_the_first_thousand_ids_is_in_the_inbox(demo_engine: Engine, sign_in: Callable[[str], TestClient]) -> None:
    """It used to scan the first 1,000 nominations by id: at the city's volume the Board's
    newest work never showed."""
    table = Nomination.__table__  # type: ignore[attr-defined]
    with demo_engine.begin() as conn:
        like = dict(conn.execute(sa.select(table).where(table.c.state == "received").limit(1)).one()._mapping)
        like.pop("id")
        closed = {**like, "state": "rejected", "due_at": None}
        conn.execute(table.insert(), [{**closed, "nominee_name": f"Tập thể đã đóng {i}"} for i in range(1_100)])
        late = conn.execute(table.insert().values(**{**like, "nominee_name": "Hồ sơ mới nhất chờ tiếp nhận",
                                                      "due_at": utcnow() - timedelta(days=1)}).returning(table.c.id)).scalar_one()
    with Session(demo_engine) as s:
        rows = inbox(s, BOARD)
    assert rows[0].nomination.id == late  # overdue: first
    page = sign_in("ban.tdkt").get("/web/")
    assert page.status_code == 200 and "Hồ sơ mới nhất chờ tiếp nhận" in page.text


def test_a_pages_clocks_read_at_once_equal_each_nominations_own(demo_engine: Engine) -> None:
    from service.queries import step_clock, step_clocks

    with Session(demo_engine) as s:
        everything = list(s.exec(select(Nomination).order_by(Nomination.id)))
        batched = step_clocks(s, everything)
        one_by_one = {n.id: step_clock(s, n) for n in everything}
    assert batched == one_by_one
    assert sum(c is not None for c in batched.values()) >= 5  # the demo has running clocks, or this shows nothing
    assert any(c is not None and c.held_working_days is not None for c in batched.values()), "a returned nomination's held days"


def test_clocks_use_the_timelines_a_page_read_already(demo_engine: Engine) -> None:
    from service.queries import step_clocks, timeline

    with Session(demo_engine) as s:
        everything = list(s.exec(select(Nomination).order_by(Nomination.id)))
        given = {n.id: timeline(s, n) for n in everything[::2]}
        assert step_clocks(s, everything, read=given) == step_clocks(s, everything)


def test_a_nomination_page_reads_its_audit_trail_once(demo_engine: Engine, sign_in: Callable[[str], TestClient]) -> None:
    with Session(demo_engine) as s:
        n = s.exec(select(Nomination).where(Nomination.state == "in_appraisal")).first()
        assert n is not None and n.due_at is not None  # a running clock, or this test shows nothing
    board = sign_in("ban.tdkt")
    reads: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit_entries" in statement and "audit_entries.payload" in statement:
            reads.append(statement)

    sa.event.listen(demo_engine, "before_cursor_execute", count)
    try:
        page = board.get(f"/web/nominations/{n.id}")
    finally:
        sa.event.remove(demo_engine, "before_cursor_execute", count)
    assert page.status_code == 200 and f"#{n.id}" in page.text
    assert len([r for r in reads if "ORDER BY audit_entries" in r]) == 1, reads
