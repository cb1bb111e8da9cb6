"""Deadline reminders on the working-day calendar, on SQLite and PostgreSQL.

Calendar facts used below (config/calendar/vn-holidays.yaml, 2027 projection): Tết holidays run
Thu 04/02 – Wed 10/02/2027. For a step due at the end of Fri 12/02/2027 the working days left
are counted after today up to the due day:

* Thu 28/01 → 6 (29/01, 01/02, 02/02, 03/02, 11/02, 12/02): no reminder yet;
* Fri 29/01 → 5: the 5-day reminder (counting weekdays only would wait until 05/02, a Tết day);
* 01/02 … 10/02 → 4 … 2: no new reminder (Tết days are not counted: 04/02 – 10/02 all give 2);
* Thu 11/02 → 1: the 1-day reminder; Fri 12/02 → 0 (the due day): nothing new;
* Sat 13/02: overdue, nothing (the deadline sweep escalates instead).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.reminders import ReminderConfig, load_reminders
from config.settings import get_settings
from service import nominations as actions
from service.actors import Actor
from service.db import write_transaction
from service.demo import DemoNomination, drive, load_demo_users
from service.models import Nomination, OutboxMessage, User
from service.outbox import drain_outbox
from service.reminders import queue_deadline_reminders
from service.transitions import end_of_day_utc
from tests.integration.smtp_server import SmtpServer, smtp_fixture, smtp_port_fixture  # noqa: F401 - fixtures
from workflow.roles import Role

DUE = date(2027, 2, 12)


def at(day: date, hour: int = 9) -> datetime:
    """``hour`` o'clock on ``day`` in Hà Nội."""
    return datetime.combine(day, time(hour), tzinfo=get_settings().zone)


def set_clock(session: Session, nomination_id: int, *, due: date | None, entered: datetime | None = None) -> None:
    """Put the nomination's current step on a chosen deadline (as the transitions would)."""
    values: dict = {"due_at": end_of_day_utc(due) if due else None}
    if entered is not None:
        values["state_entered_at"] = entered
    with write_transaction(session):
        session.execute(sa.update(Nomination.__table__).where(Nomination.__table__.c.id == nomination_id).values(**values))


def reminders(session: Session) -> list[OutboxMessage]:
    session.commit()
    return list(
        session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
        ).all()
    )


def draft_due(session: Session, due: date = DUE, person: str = "P001", award: str = "CSTD_TP") -> int:
    n = drive(session, DemoNomination(person=person, award=award, campaign="TK-2026"))
    set_clock(session, n.id, due=due)  # type: ignore[arg-type]
    return n.id  # type: ignore[return-value]


def test_offsets_follow_the_working_day_calendar_across_tet(session: Session) -> None:
    nid = draft_due(session)
    new_on: dict[date, int] = {}
    day = date(2027, 1, 25)
    while day <= date(2027, 2, 16):
        new_on[day] = queue_deadline_reminders(session, now=at(day))
        assert queue_deadline_reminders(session, now=at(day, 17)) == 0  # re-running inserts nothing
        day += timedelta(days=1)
    assert {d: n for d, n in new_on.items() if n} == {date(2027, 1, 29): 1, date(2027, 2, 11): 1}

    five, one = reminders(session)
    assert (five.offset_days, one.offset_days) == (5, 1)
    assert five.key == f"nomination:{nid}:draft@v1:reminder:5:submitter"
    assert one.key == f"nomination:{nid}:draft@v1:reminder:1:submitter"
    for r in (five, one):
        assert (r.recipient_role, r.recipient_scope, r.template, r.status) == ("submitter", "unit:SO_GDDT", "nomination_reminder", "pending")
        assert r.step == "draft@v1" and r.params["state"] == "draft"


def test_the_day_boundary_is_hanoi_time(session: Session) -> None:
    draft_due(session)
    # 23:00 on Thu 28/01 in Hà Nội (16:00 UTC): still 6 days left.
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 28), 23)) == 0
    # 00:00 on Fri 29/01 in Hà Nội is still Thu 28/01 (17:00) in UTC: 5 days left, reminder due.
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29), 0)) == 1


def test_a_late_sweep_sends_only_the_nearest_offset(session: Session) -> None:
    draft_due(session)
    # The sweep did not run before Thu 11/02: no stale "5 days left", just the 1-day reminder.
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 11))) == 1
    [r] = reminders(session)
    assert r.offset_days == 1
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 12))) == 0


def test_many_reminders_due_at_once_are_queued_in_chunks(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL refuses a statement of more than 65,535 parameters: the rows go in chunks (here
    # of 2, so five reminders take three statements), all in the one transaction.
    import service.reminders

    monkeypatch.setattr(service.reminders, "INSERT_CHUNK", 2)
    for person in ("P001", "P002", "P003", "P005", "P009"):
        draft_due(session, person=person)
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29))) == 5
    assert len(reminders(session)) == 5
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29))) == 0  # a re-run adds none
    # The versions at which each step was entered are read in chunks too, and agree with one read.
    due = list(session.exec(select(Nomination).where(Nomination.due_at.is_not(None))))  # type: ignore[union-attr]
    chunked = service.reminders._entry_versions(session, due)
    monkeypatch.setattr(service.reminders, "INSERT_CHUNK", 1_000)
    assert chunked == service.reminders._entry_versions(session, due) and len(chunked) >= 5


def test_nominations_not_due_produce_nothing(session: Session) -> None:
    later = draft_due(session, due=date(2027, 3, 31), person="P001")
    overdue = draft_due(session, due=date(2027, 1, 27), person="P009")
    closed = drive(session, DemoNomination(person="P012", award="DOT_XUAT", campaign="DX-2026",
                                          steps=["submit", {"withdraw": {"reason": "Đơn vị rút hồ sơ."}}]))
    assert closed.state == "withdrawn" and closed.due_at is None
    for day in (date(2027, 1, 28), date(2027, 1, 29), date(2027, 2, 11)):
        assert queue_deadline_reminders(session, now=at(day)) == 0
    assert reminders(session) == []
    assert later != overdue


def test_reminders_go_to_the_roles_responsible_for_the_current_step(session: Session) -> None:
    cluster = drive(session, DemoNomination(unit="SO_YT", award="CO_TD_TP", track="cluster", campaign="TK-2026",
                                           steps=["submit", "endorse", "open_cluster_review"]))
    set_clock(session, cluster.id, due=DUE)  # type: ignore[arg-type]
    submitted = drive(session, DemoNomination(person="P002", award="CSTD_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    set_clock(session, submitted.id, due=DUE)  # type: ignore[arg-type]
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29))) == 2
    by_key = {r.key: r for r in reminders(session)}
    ballot = by_key[f"nomination:{cluster.id}:in_cluster_review@v4:reminder:5:cluster_head"]
    assert ballot.recipient_scope == "cluster:CUM_7:2026"
    board = by_key[f"nomination:{submitted.id}:submitted@v3:reminder:5:board_officer"]
    assert board.recipient_scope is None  # a city role: every board officer


def test_edits_within_a_step_do_not_queue_the_same_reminder_again(session: Session) -> None:
    nid = draft_due(session)
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29))) == 1
    actor = Actor("cb.sogddt", Role.SUBMITTER, "SO_GDDT")
    edited = actions.edit_draft(session, nid, actor=actor, achievements="Bổ sung sáng kiến cấp thành phố.")
    assert edited.version == 2 and edited.state == "draft"
    # Same step (entered at version 1): the 5-day reminder is already queued.
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 1))) == 0
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 11))) == 1
    assert [r.step for r in reminders(session)] == ["draft@v1", "draft@v1"]


def test_a_step_shorter_than_an_offset_gets_no_reminder_for_it(session: Session) -> None:
    nid = draft_due(session)
    # Entered on Mon 01/02 with 4 working days left (02/02, 03/02, 11/02, 12/02): the entry mail
    # already said so, a "5 days left" reminder would be wrong. The 1-day one still comes.
    set_clock(session, nid, due=DUE, entered=at(date(2027, 2, 1), 10))
    for day in (date(2027, 2, 1), date(2027, 2, 2), date(2027, 2, 10)):
        assert queue_deadline_reminders(session, now=at(day, 11)) == 0
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 11))) == 1
    assert [r.offset_days for r in reminders(session)] == [1]


def test_offsets_come_from_the_config(session: Session) -> None:
    draft_due(session)
    three = ReminderConfig(citation="test", confirm=False, offsets=({"working_days": 3, "rationale": "ba ngày"},))  # type: ignore[arg-type]
    assert queue_deadline_reminders(session, now=at(date(2027, 1, 29)), config=three) == 0  # 5 left
    assert queue_deadline_reminders(session, now=at(date(2027, 2, 2)), config=three) == 1  # 3 left
    assert [r.offset_days for r in reminders(session)] == [3]
    assert load_reminders().working_days == (1, 5)


def test_the_query_reads_only_what_is_due_through_the_due_at_index(session: Session, engine: Engine) -> None:
    draft_due(session)
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM nominations" in statement and "due_at" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        queue_deadline_reminders(session, now=at(date(2027, 1, 29)))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    [(statement, parameters)] = statements
    where = statement.split("WHERE", 1)[1]
    assert "nominations.due_at >" in where and "nominations.due_at <=" in where
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all())
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a 1-row table: ask whether the index can serve it
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters).all())
    assert "ix_nominations_due_at" in plan


def test_a_reminder_is_mailed_in_vietnamese_and_skipped_once_the_step_is_done(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    load_demo_users(session)
    with write_transaction(session):
        for user in session.exec(select(User)).all():
            user.email = f"{user.username}@hanoi.example"
            session.add(user)
    first = draft_due(session, person="P001")
    second = draft_due(session, person="P009", award="BK_TP")
    day = at(date(2027, 1, 29))
    assert queue_deadline_reminders(session, now=day) == 2
    # The second draft is submitted before the drain runs: its reminder is obsolete.
    actions.submit(session, second, actor=Actor("cb.sotttt", Role.SUBMITTER, "SO_TTTT"))
    session.commit()
    report = drain_outbox(engine, now=day)
    assert report.failed == [] and len(report.skipped) == 2  # the reminder and the draft's entry mail
    [mail] = [m for m in smtp.messages if ":reminder:" in m.outbox_key]
    assert mail.outbox_key == f"nomination:{first}:draft@v1:reminder:5:submitter"
    assert mail.rcpt_tos == ["cb.sogddt@hanoi.example"]
    msg = mail.parsed()
    assert str(msg["Subject"]).startswith(f"[TĐKT] Nhắc hạn: hồ sơ #{first} còn 5 ngày làm việc – ")
    text = next(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")
    assert "hết ngày 12/02/2027 (thứ Sáu) – còn 5 ngày làm việc" in text
    assert "Việc cần làm: Trình thủ trưởng đơn vị." in text
    [obsolete] = [r for r in reminders(session) if r.nomination_id == second]
    assert obsolete.status == "skipped" and "now 'awaiting_unit_head'" in obsolete.last_error


@pytest.mark.parametrize("now", [datetime(2027, 1, 29, 9)])
def test_naive_now_is_refused(session: Session, now: datetime) -> None:
    with pytest.raises(ValueError):
        queue_deadline_reminders(session, now=now)
