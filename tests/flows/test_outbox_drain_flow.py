"""The outbox-drain **flow** (not only the service function) under the real Prefect harness and a
real SMTP server on loopback, on SQLite and PostgreSQL: SMTP down keeps the messages queued
(with backoff) and the flow sends them once the server is back; a crash injected between the
SMTP send and the mark is recovered as service/outbox.py documents — the delivered message is
never sent a second time, it turns ``unknown`` after its lease and the flow reports it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import get_settings
from flows.outbox_drain import outbox_drain
from service import outbox
from service.models import OutboxMessage, utcnow
from tests.integration.smtp_server import SmtpServer, smtp_fixture, smtp_port_fixture  # noqa: F401
from tests.integration.test_outbox import two_drafts, users_with_email


def statuses(engine: Engine) -> dict[int, tuple[str, int]]:
    with Session(engine) as s:
        return {m.id: (m.status, m.attempts) for m in s.exec(select(OutboxMessage).order_by(OutboxMessage.id))}  # type: ignore[arg-type, misc]


def test_smtp_down_the_flow_keeps_messages_queued_and_sends_them_when_it_returns(
    session: Session, flows_db: Engine, smtp_port: int
) -> None:
    users_with_email(session)
    two_drafts(session)
    session.commit()
    base = timedelta(seconds=get_settings().outbox_backoff_base_seconds)
    t0 = utcnow()

    down = outbox_drain(now=t0)
    assert down["claimed"] == 2 and len(down["retrying"]) == 2 and down["sent"] == []
    assert set(statuses(flows_db).values()) == {("pending", 1)}
    assert outbox_drain(now=t0 + base / 2)["claimed"] == 0  # backing off: not due yet

    server = SmtpServer(smtp_port).start()
    try:
        back = outbox_drain(now=t0 + base)
        again = outbox_drain(now=t0 + 10 * base)
    finally:
        server.stop()
    assert len(back["sent"]) == 2 and again["claimed"] == 0
    assert set(statuses(flows_db).values()) == {("sent", 2)}
    assert sorted(server.by_key().values()) == [1, 1]


class SimulatedCrash(BaseException):
    """Raised after the SMTP server accepted a message and before the drain records it."""


def test_a_crash_between_send_and_mark_in_the_flow_is_never_resent(
    session: Session, flows_db: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    users_with_email(session)
    two_drafts(session)
    session.commit()
    first, second = sorted(statuses(flows_db))
    real_mark = outbox._mark_sent

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SimulatedCrash("flow run killed after the SMTP send")

    monkeypatch.setattr(outbox, "_mark_sent", crash)
    t0 = utcnow()
    with pytest.raises(SimulatedCrash):
        outbox_drain(now=t0)
    monkeypatch.setattr(outbox, "_mark_sent", real_mark)
    assert len(smtp.messages) == 1
    assert statuses(flows_db) == {first: ("sending", 1), second: ("pending", 0)}

    rerun = outbox_drain(now=t0)  # the next scheduled run: sends the other, leaves the uncertain one
    assert rerun["sent"] == [second] and rerun["unknown"] == []
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    after_lease = outbox_drain(now=t0 + lease)
    assert after_lease["unknown"] == [first] and after_lease["sent"] == [] and after_lease["unknown_total"] == 1
    assert outbox_drain(now=t0 + 2 * lease)["claimed"] == 0
    assert statuses(flows_db)[first][0] == "unknown"
    assert sorted(smtp.by_key().values()) == [1, 1]  # each message reached the server exactly once
