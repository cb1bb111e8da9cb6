"""The outbox drain against a real SMTP server on loopback, on SQLite and PostgreSQL.

Delivery guarantee under test (service/outbox.py): at most once per outbox message. A crash
between the SMTP send and the mark leaves the row "sending"; after its lease it becomes
"unknown", is reported, and is never sent again unless an admin requeues it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import get_settings
from service import outbox
from service.db import write_transaction
from service.demo import DemoNomination, drive, load_demo_users
from service.mailer import message_id_for
from service.models import OutboxMessage, User, utcnow
from service.outbox import drain_outbox, requeue
from service.transitions import award_of
from tests.integration.smtp_server import (  # noqa: F401 - fixtures
    BASE_URL,
    SmtpServer,
    smtp_fixture,
    smtp_port_fixture,
)

ROOT = Path(__file__).resolve().parents[2]


# --- helpers -------------------------------------------------------------------------------


def users_with_email(session: Session, *, without: tuple[str, ...] = ()) -> None:
    """Demo accounts, each with an address ``<username>@hanoi.example`` except ``without``."""
    load_demo_users(session)
    with write_transaction(session):
        for user in session.exec(select(User)).all():
            user.email = None if user.username in without else f"{user.username}@hanoi.example"
            session.add(user)


def rows(engine: Engine) -> dict[int, OutboxMessage]:
    with Session(engine) as s:
        return {m.id: m for m in s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()}  # type: ignore[arg-type]


def by_status(engine: Engine) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for m in rows(engine).values():
        out.setdefault(m.status, []).append(m.id)  # type: ignore[arg-type]
    return out


def two_drafts(session: Session) -> list[int]:
    """Two drafts: one action-needed message each, for the submitter of the unit (deliverable)."""
    a = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026"))
    b = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026"))
    return [a.id, b.id]  # type: ignore[list-item]


def release(session: Session) -> None:
    """End the test session's transaction without expiring its objects: on SQLite the engine
    has one connection, which the drain needs."""
    session.commit()


def parts(message) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}


# --- delivery and content ------------------------------------------------------------------


def test_messages_are_delivered_in_vietnamese_with_html_text_and_link(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    n = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026", steps=["submit"]))
    release(session)
    report = drain_outbox(engine)
    # Created as a draft (message to the submitter), then submitted (message to the unit head):
    # the draft's "please act" is obsolete by now and is skipped, not sent.
    assert len(report.sent) == 1 and len(report.skipped) == 1 and report.failed == []
    assert "obsolete" in rows(engine)[report.skipped[0]].last_error
    [received] = smtp.messages
    assert received.rcpt_tos == ["tt.sogddt@hanoi.example"]
    msg = received.parsed()
    sent_row = rows(engine)[report.sent[0]]
    assert sent_row.status == "sent" and sent_row.sent_at is not None and sent_row.last_error is None
    assert msg["Message-ID"].strip() == message_id_for(sent_row.key)
    assert received.outbox_key == sent_row.key == f"nomination:{n.id}:awaiting_unit_head@v2:action_needed:0:unit_head"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "Trần Quang Huy" in str(msg["To"])

    subject = str(msg["Subject"])
    award = award_of(n).name_vi
    assert subject == f"[TĐKT] Hồ sơ #{n.id} cần xử lý: {award} – Nguyễn Thị Thu Hà"
    body = parts(msg)
    assert set(body) == {"text/plain", "text/html"}
    link = f"{BASE_URL}/nominations/{n.id}"
    for text in (subject, *body.values()):
        assert unicodedata.is_normalized("NFC", text)
    for text in body.values():
        assert "Thủ trưởng đơn vị – Sở Giáo dục và Đào tạo thành phố Hà Nội" in text
        assert award in text and "Nguyễn Thị Thu Hà" in text
        assert "Chờ thủ trưởng đơn vị ký trình" in text  # the state label, with its diacritics
        assert "Thủ trưởng ký trình" in text  # what this role can do now
        # Campaign TK-2026 closes for filing on Friday 15/01/2027, end of day, Hà Nội time.
        assert "hết ngày 15/01/2027 (thứ Sáu)" in text and "ngày làm việc" in text
        assert link in text
    assert f'<a href="{link}"' in body["text/html"]
    assert "<html" not in body["text/plain"]


def test_outcome_message_gives_the_result_and_reason(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    reason = "Đơn vị rút để đề nghị vào đợt tổng kết năm."
    n = drive(session, DemoNomination(person="P001", award="DOT_XUAT", campaign="DX-2026", steps=["submit", {"withdraw": {"reason": reason}}]))
    release(session)
    drain_outbox(engine)
    [outcome] = [m for m in smtp.messages if ":outcome:" in m.outbox_key]
    assert outcome.outbox_key == f"nomination:{n.id}:withdrawn@v3:outcome:0:submitter"
    msg = outcome.parsed()
    assert str(msg["Subject"]).startswith(f"[TĐKT] Hồ sơ #{n.id} – Đã rút hồ sơ:")
    text = parts(msg)["text/plain"]
    assert "đã có kết quả: Đã rút hồ sơ" in text and f"Lý do: {reason}" in text
    assert "Hạn xử lý" not in text  # a closed nomination has no deadline


def test_each_message_is_delivered_exactly_once_across_two_drains(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026"))
    drive(session, DemoNomination(unit="SO_YT", award="CO_TD_TP", track="cluster", campaign="TK-2026", steps=["submit", "endorse", "open_cluster_review"]))
    drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive", "start_appraisal", "submit_for_signature",
        {"decide": {"decision_number": "5121/QĐ-UBND", "signed_on": date(2026, 11, 20), "signer": "Chủ tịch UBND Thành phố"}}]))
    release(session)
    first = drain_outbox(engine, batch=3)  # several batches: the rest waits for the next drains
    assert first.claimed == 3
    reports = [first]
    while reports[-1].claimed:
        reports.append(drain_outbox(engine, batch=3))
    again = drain_outbox(engine)
    assert again.claimed == 0 and again.sent == []

    final = rows(engine)
    assert {m.status for m in final.values()} <= {"sent", "skipped"}
    sent_keys = sorted(m.key for m in final.values() if m.status == "sent")
    assert sorted(smtp.by_key()) == sent_keys
    assert set(smtp.by_key().values()) == {1}
    assert sum(len(r.sent) for r in reports) == len(sent_keys) == len(smtp.messages)
    # One SMTP connection per drain, reused for every message of its batch.
    assert len({m.peer for m in smtp.messages}) == sum(1 for r in reports if r.sent) < len(smtp.messages)
    # The decision reached the proposing unit, with its number.
    [awarded] = [m for m in smtp.messages if ":awarded@" in m.outbox_key and ":outcome:" in m.outbox_key]
    assert "Số văn bản: 5121/QĐ-UBND" in parts(awarded.parsed())["text/plain"]


def test_concurrent_drains_never_send_a_message_twice(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    for person in ("P001", "P002", "P005", "P008", "P009", "P010"):
        drive(session, DemoNomination(person=person, award="BK_TP", campaign="TK-2026"))
    release(session)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while drain_outbox(engine, batch=2).claimed:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert by_status(engine).keys() == {"sent"}
    assert len(smtp.messages) == 6 and set(smtp.by_key().values()) == {1}


def test_escalation_of_an_overdue_step_reaches_the_next_role(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    n = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    step = f"{n.state}@v{n.version}"
    with write_transaction(session):  # as the deadline sweep (service/sweeps.py) queues it
        session.add(OutboxMessage(
            key=f"nomination:{n.id}:{step}:escalation:0:approver", nomination_id=n.id, step=step, kind="escalation",
            recipient_role="approver", recipient_scope=None, template="nomination_escalation",
            params={"nomination_id": n.id, "state": n.state, "award": n.award_code},
        ))
    nid = n.id
    release(session)
    drain_outbox(engine)
    [mail] = [m for m in smtp.messages if ":escalation:" in m.outbox_key]
    assert mail.rcpt_tos == ["chutich@hanoi.example"]
    msg = mail.parsed()
    assert str(msg["Subject"]).startswith(f"[TĐKT] Hồ sơ #{nid} quá hạn xử lý: Ban TĐKT đã tiếp nhận – ")
    text = parts(msg)["text/plain"]
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân Thành phố," in text
    assert "thuộc trách nhiệm của: Chuyên viên Ban Thi đua – Khen thưởng" in text


# --- SMTP down, retries and backoff ----------------------------------------------------------


def test_smtp_down_keeps_messages_pending_with_backoff_until_the_server_returns(session: Session, engine: Engine, smtp_port: int) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    base = timedelta(seconds=get_settings().outbox_backoff_base_seconds)
    t0 = utcnow()

    down = drain_outbox(engine, now=t0)
    assert down.claimed == 2 and len(down.retrying) == 2 and down.sent == []
    for m in rows(engine).values():
        assert (m.status, m.attempts, m.next_attempt_at) == ("pending", 1, t0 + base)
        assert f"cannot reach the SMTP server 127.0.0.1:{smtp_port}" in m.last_error

    assert drain_outbox(engine, now=t0 + base / 2).claimed == 0  # not due yet: backing off

    t1 = t0 + base
    still_down = drain_outbox(engine, now=t1)
    assert len(still_down.retrying) == 2
    for m in rows(engine).values():  # the delay doubles
        assert (m.status, m.attempts, m.next_attempt_at) == ("pending", 2, t1 + 2 * base)

    server = SmtpServer(smtp_port).start()
    try:
        assert drain_outbox(engine, now=t1 + base).claimed == 0
        back = drain_outbox(engine, now=t1 + 2 * base)
        assert len(back.sent) == 2
        assert drain_outbox(engine, now=t1 + 10 * base).claimed == 0
    finally:
        server.stop()
    assert len(server.messages) == 2 and set(server.by_key().values()) == {1}
    for m in rows(engine).values():
        assert (m.status, m.attempts, m.last_error) == ("sent", 3, None)


def test_gives_up_after_max_attempts(session: Session, engine: Engine, smtp_port: int) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    t0 = utcnow()
    drain_outbox(engine, now=t0, max_attempts=2)
    report = drain_outbox(engine, now=t0 + timedelta(days=1), max_attempts=2)
    assert len(report.failed) == 2
    for m in rows(engine).values():
        assert m.status == "failed" and m.attempts == 2
        assert m.last_error.startswith("gave up after 2 attempts: cannot reach the SMTP server")
    assert drain_outbox(engine, now=t0 + timedelta(days=2)).claimed == 0


def test_a_permanent_rejection_fails_the_message_without_retrying(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    smtp.handler.refuse["cb.sogddt@hanoi.example"] = "550 5.1.1 Mailbox unavailable"
    report = drain_outbox(engine)
    assert len(report.sent) == 1 and len(report.failed) == 1
    failed = rows(engine)[report.failed[0]]
    assert failed.status == "failed" and failed.attempts == 1
    assert "rejected" in failed.last_error and "550" in failed.last_error


# --- crash between send and mark ------------------------------------------------------------


class SimulatedCrash(BaseException):
    """Raised after the SMTP server accepted the message and before the drain records it."""


def test_crash_between_send_and_mark_is_not_resent_and_is_reported(
    session: Session, engine: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    first, second = sorted(rows(engine))
    real_mark = outbox._mark_sent

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SimulatedCrash("killed after the SMTP send")

    monkeypatch.setattr(outbox, "_mark_sent", crash)
    t0 = utcnow()
    with pytest.raises(SimulatedCrash):
        drain_outbox(engine, now=t0)
    monkeypatch.setattr(outbox, "_mark_sent", real_mark)

    assert len(smtp.messages) == 1  # the first was delivered, its mark never happened
    state = rows(engine)
    assert (state[first].status, state[first].attempts) == ("sending", 1)
    # The one the crashed drain never reached was given back, its attempt not counted.
    assert (state[second].status, state[second].attempts) == ("pending", 0)

    again = drain_outbox(engine, now=t0)
    assert again.sent == [second] and again.unknown == []  # the "sending" row is left alone
    assert rows(engine)[first].status == "sending"

    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    after_lease = drain_outbox(engine, now=t0 + lease)
    assert after_lease.unknown == [first] and after_lease.unknown_total == 1 and after_lease.sent == []
    row = rows(engine)[first]
    assert row.status == "unknown" and row.sent_at is None
    assert "delivery unknown" in row.last_error and message_id_for(row.key) in row.last_error
    assert drain_outbox(engine, now=t0 + 2 * lease).unknown_total == 1

    assert smtp.by_key() == {rows(engine)[first].key: 1, rows(engine)[second].key: 1}

    # An admin who found it missing from the mail log requeues it: only then is it sent again.
    assert requeue(session, [first], now=t0 + 2 * lease) == 1
    assert drain_outbox(engine, now=t0 + 2 * lease).sent == [first]
    assert rows(engine)[first].status == "sent"


_KILLED_DRAIN = """
import os, sys
from datetime import datetime
from service import outbox
from service.db import make_engine

def killed(*args, **kwargs):
    os._exit(137)  # no finally, no rollback: like kill -9 right after the SMTP server said 250

outbox._mark_sent = killed
outbox.drain_outbox(make_engine(sys.argv[1]), now=datetime.fromisoformat(sys.argv[2]))
"""


def test_killed_drain_is_not_resent_after_restart(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    first, second = sorted(rows(engine))
    t0 = utcnow()
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "TDKT_SMTP_HOST": "127.0.0.1", "TDKT_SMTP_PORT": str(smtp.port)}
    killed = subprocess.run([sys.executable, "-c", _KILLED_DRAIN, url, t0.isoformat()], cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)
    assert killed.returncode == 137, killed.stderr.decode()
    assert len(smtp.messages) == 1
    assert by_status(engine) == {"sending": [first, second]}

    assert drain_outbox(engine, now=t0).claimed == 0  # nothing is resent while the lease runs
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    report = drain_outbox(engine, now=t0 + lease)
    # A hard kill leaves no trace of how far the batch got: both rows wait for an admin, the
    # one that was delivered and the one that was not. Neither is sent again automatically.
    assert report.unknown == [first, second] and report.sent == [] and report.unknown_total == 2
    assert drain_outbox(engine, now=t0 + 2 * lease).claimed == 0
    assert smtp.by_key() == {rows(engine)[first].key: 1}


def test_connection_lost_after_the_data_is_unknown_not_retried(
    session: Session, engine: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    users_with_email(session)
    two_drafts(session)
    release(session)
    # The server accepts the message but answers after the client has given up waiting.
    monkeypatch.setenv("TDKT_OUTBOX_SMTP_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("TDKT_OUTBOX_LEASE_SECONDS", "60")
    get_settings.cache_clear()
    smtp.handler.stall_after_data = 1.0
    t0 = utcnow()
    report = drain_outbox(engine, now=t0, batch=1)
    assert report.unknown == [min(rows(engine))] and report.retrying == [] and report.sent == []
    row = rows(engine)[report.unknown[0]]
    assert row.status == "unknown" and "after the message data was sent" in row.last_error
    smtp.handler.stall_after_data = 0
    later = drain_outbox(engine, now=t0 + timedelta(hours=1))
    assert later.sent == [max(rows(engine))]
    assert set(smtp.by_key().values()) == {1} and len(smtp.messages) == 2


# --- recipients ------------------------------------------------------------------------------


def test_recipients_by_scope_unit_fallback_and_unresolvable(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    # The submitter of Sở Giáo dục has no address: the unit's address is used instead. The board
    # officer has none and there is no unit to fall back to: failed, with the reason.
    users_with_email(session, without=("cb.sogddt", "ban.tdkt"))
    draft = drive(session, DemoNomination(person="P001", award="CSTD_TP", campaign="TK-2026"))
    submitted = drive(session, DemoNomination(person="P002", award="CSTD_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    cluster = drive(session, DemoNomination(unit="SO_NV", award="CO_TD_TP", track="cluster", campaign="TK-2026", steps=["submit", "endorse", "open_cluster_review"]))
    draft_id, submitted_id, cluster_id = draft.id, submitted.id, cluster.id
    release(session)
    report = drain_outbox(engine)
    state = rows(engine)
    to = {m.outbox_key: m.rcpt_tos for m in smtp.messages}

    assert to[f"nomination:{draft_id}:draft@v1:action_needed:0:submitter"] == ["sogddt@hanoi.gov.vn.example"]
    # Sở Nội vụ is in Cluster 6 (2026), headed by Sở Tư pháp and Sở Ngoại vụ: no demo account there.
    cluster_key = f"nomination:{cluster_id}:in_cluster_review@v4:action_needed:0:cluster_head"
    [cluster_row] = [m for m in state.values() if m.key == cluster_key]
    assert cluster_row.recipient_scope.startswith("cluster:CUM_6:2026")
    assert cluster_row.status == "failed" and "no active user with role 'cluster_head'" in cluster_row.last_error

    [board] = [m for m in state.values() if m.key == f"nomination:{submitted_id}:submitted@v3:action_needed:0:board_officer"]
    assert board.status == "failed" and board.attempts == 1
    assert board.last_error == "no recipient: no active user with role 'board_officer' and an e-mail address in the whole city"
    assert board.id in report.failed and report.errors[board.id] == board.last_error
    assert drain_outbox(engine, now=utcnow() + timedelta(days=30)).claimed == 0  # never retried


def test_cluster_scope_reaches_the_cluster_head_units(session: Session, engine: Engine, smtp: SmtpServer) -> None:
    users_with_email(session)
    # Sở Y tế is in Cluster 7 (2026), headed by Sở LĐTBXH, whose account is cum7.truong.
    n = drive(session, DemoNomination(unit="SO_YT", award="CO_TD_TP", track="cluster", campaign="TK-2026", steps=["submit", "endorse", "open_cluster_review"]))
    release(session)
    drain_outbox(engine)
    [msg] = [m for m in smtp.messages if m.outbox_key == f"nomination:{n.id}:in_cluster_review@v4:action_needed:0:cluster_head"]
    assert msg.rcpt_tos == ["cum7.truong@hanoi.example"]
    text = parts(msg.parsed())["text/plain"]
    assert "Cụm trưởng, Cụm phó – Cụm thi đua số 7 năm 2026" in text
    assert "Ghi kết quả suy tôn của Cụm" in text


def test_drain_with_nothing_due_does_not_touch_smtp(engine: Engine, smtp_port: int) -> None:
    report = drain_outbox(engine)  # no server listens: a connection attempt would be reported
    assert report.claimed == 0 and report.retrying == [] and report.unknown_total == 0


def test_naive_now_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError):
        drain_outbox(engine, now=utcnow().replace(tzinfo=None))

