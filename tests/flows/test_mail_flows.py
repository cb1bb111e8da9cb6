"""Every mail-related flow run twice in a row against a real SMTP server on loopback: each
message is delivered once, and the second round changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from flows.deadline_sweep import deadline_sweep
from flows.outbox_drain import outbox_drain
from flows.reminders import deadline_reminders
from service.demo import DemoNomination, drive, load_demo_users
from service.models import OutboxMessage, utcnow
from tests.integration.smtp_server import SmtpServer, smtp_fixture, smtp_port_fixture  # noqa: F401


def outbox_by_status(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return dict(s.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def test_every_mail_flow_twice_sends_no_duplicate(session: Session, flows_db: Engine, smtp: SmtpServer) -> None:
    load_demo_users(session)
    drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    drive(session, DemoNomination(person="P002", award="BK_TP", campaign="TK-2026", steps=["submit"]))
    session.commit()
    soon = utcnow() + timedelta(days=3)

    def round_of_flows() -> None:
        deadline_sweep(now=soon)
        deadline_reminders(now=soon)
        outbox_drain()

    round_of_flows()
    first = smtp.by_key()
    statuses = outbox_by_status(flows_db)
    assert first and all(count == 1 for count in first.values()), first
    assert statuses.get("pending", 0) == 0 and statuses.get("sent", 0) >= len(first)
    body = smtp.messages[0].parsed()
    assert body["Subject"] and any("ồ sơ" in part.get_content() for part in body.walk() if part.get_content_maintype() == "text")

    round_of_flows()
    assert smtp.by_key() == first  # nothing delivered twice, nothing new
    assert outbox_by_status(flows_db) == statuses
