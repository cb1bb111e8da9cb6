"""Draining the outbox: send the queued e-mails, retry with backoff, record what happened.

Messages are written to the ``outbox`` table in the same transaction as the change they report
(:func:`service.transitions.messages_for`, :func:`service.reminders.queue_deadline_reminders`);
:func:`drain_outbox` sends them afterwards. Row statuses:

``pending``  waiting; sent once ``next_attempt_at`` has passed.
``sending``  claimed by a drain; ``next_attempt_at`` then holds the end of the claim's lease.
``sent``     the SMTP server accepted it (``sent_at``).
``failed``   permanent: no recipient, rejected (5xx), could not be built, or ``max_attempts``
             tries failed. ``last_error`` says why; :func:`requeue` puts it back after a fix.
``skipped``  an action-needed or reminder message whose step the nomination had already left.
``unknown``  the drain may or may not have delivered it (see below); waits for an admin.

Delivery guarantee: AT MOST ONCE per outbox message
--------------------------------------------------
Each drain (1) claims due ``pending`` rows in one short write transaction, setting them to
``sending``, counting the attempt and starting a lease (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
so concurrent drains never claim the same row; SQLite: ``BEGIN IMMEDIATE`` serialises the claim);
(2) sends each over one reused SMTP connection; (3) records the result in its own short
transaction, guarded by the attempt number. A crash (exception, kill, power loss) between the
SMTP server's acceptance and step (3) leaves the row in ``sending``. No drain ever sends a
``sending`` row: once its lease has expired, the next drain moves it to ``unknown`` and counts it
in :attr:`DrainReport.unknown`; it is resent only if an admin, having checked the mail server's
log for its Message-ID (deterministic, derived from the outbox key), calls :func:`requeue`.
So a message is delivered at most once automatically, and a message whose fate is unknown is
never lost silently. The same applies when the SMTP connection drops after the message data was
handed over (the server may have accepted it): the row goes straight to ``unknown``.

What is lost is only certainty, and only for rows a crash caught in ``sending``: if the drain
raises, the claimed rows it had not started to send are given back (``pending``, attempt not
counted); after a hard kill every row of the interrupted batch becomes ``unknown`` (the drain
cannot tell which it had reached) — a smaller ``batch`` narrows that. A failure before the
message data was sent (connection refused, 4xx, disconnect before DATA) is not ambiguous and is
retried after ``backoff.delay(attempt)``; after ``max_attempts`` the row is ``failed``.

Retry numbers, lease and batch size come from settings (``TDKT_OUTBOX_*``, config/settings.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings, get_settings
from service.db import is_sqlite, write_transaction
from service.mailer import (
    ComposeError,
    Delivery,
    DeliveryUncertain,
    MailDeferred,
    MailRejected,
    MessageObsolete,
    NoRecipient,
    SmtpConnection,
    compose,
    message_id_for,
)
from service.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
UNKNOWN = "unknown"
STATUSES = (PENDING, SENDING, SENT, FAILED, SKIPPED, UNKNOWN)

SessionSource = Engine | Callable[[], Session]


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``n`` (n = attempts made so far): ``base × factor^(n-1)``, at most ``cap``."""

    base: timedelta
    factor: float = 2.0
    cap: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        seconds = self.base.total_seconds() * self.factor ** max(attempts - 1, 0)
        return min(timedelta(seconds=seconds), self.cap)

    @classmethod
    def from_settings(cls, settings: Settings) -> Backoff:
        return cls(
            base=timedelta(seconds=settings.outbox_backoff_base_seconds),
            factor=settings.outbox_backoff_factor,
            cap=timedelta(seconds=settings.outbox_backoff_max_seconds),
        )


@dataclass
class DrainReport:
    """What one drain did, by outbox id. ``unknown`` are the rows this drain moved to the
    ``unknown`` status (delivery uncertain after a crash or a dropped connection): an admin must
    check them; ``unknown_total`` counts all rows waiting for that check."""

    claimed: int = 0
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    unknown_total: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"claimed {self.claimed}: sent {len(self.sent)}, retrying {len(self.retrying)}, failed {len(self.failed)}, "
            f"skipped {len(self.skipped)}, released {len(self.released)}; newly unknown {len(self.unknown)}, "
            f"awaiting an admin check {self.unknown_total}"
        )


def drain_outbox(
    source: SessionSource,
    *,
    now: datetime | None = None,
    batch: int | None = None,
    max_attempts: int | None = None,
    backoff: Backoff | None = None,
    lease: timedelta | None = None,
    settings: Settings | None = None,
) -> DrainReport:
    """Send up to ``batch`` due messages and record each outcome (see the module docstring).

    ``source`` is an engine or a session factory; the drain opens its own session and commits
    its own short transactions. ``now`` fixes the clock (tests); defaults come from settings.
    Raises only on a database error or an injected crash; SMTP trouble is recorded per message.
    """
    settings = settings or get_settings()
    if now is not None and now.utcoffset() is None:
        raise ValueError("drain_outbox needs an aware datetime for now")
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow  # type: ignore[assignment,return-value]
    batch = batch or settings.outbox_batch_size
    max_attempts = max_attempts or settings.outbox_max_attempts
    backoff = backoff or Backoff.from_settings(settings)
    lease = lease or timedelta(seconds=settings.outbox_lease_seconds)
    # Stop starting new sends when less than this is left of the lease (one send's worst case).
    send_budget = 6 * settings.outbox_smtp_timeout_seconds
    if lease.total_seconds() <= send_budget:
        raise ValueError(f"the lease ({lease}) must outlast one send (6 × the SMTP timeout = {send_budget:g} s)")
    make_session = _session_factory(source)

    report = DrainReport()
    start = clock()
    not_started: dict[int, OutboxMessage] = {}
    session = make_session()
    try:
        for message_id, error in _expire_leases(session, start, settings):
            report.unknown.append(message_id)
            report.errors[message_id] = error
        claimed = _claim(session, start, batch, start + lease)
        report.claimed = len(claimed)
        not_started = {m.id: m for m in claimed}  # type: ignore[misc]
        claimed_at = time.monotonic()
        smtp_down: str | None = None
        with SmtpConnection(settings) as smtp:
            for message in claimed:
                if time.monotonic() - claimed_at > lease.total_seconds() - send_budget:
                    break  # the rest is given back below, before its lease can expire
                try:
                    mail = compose(session, message, now=clock(), settings=settings)
                except MessageObsolete as exc:
                    _record(session, message, report.skipped, report, str(exc), status=SKIPPED)
                    not_started.pop(message.id)  # type: ignore[arg-type]
                    continue
                except (NoRecipient, ComposeError) as exc:
                    _record(session, message, report.failed, report, str(exc), status=FAILED)
                    not_started.pop(message.id)  # type: ignore[arg-type]
                    continue
                except sa.exc.SQLAlchemyError:
                    raise
                except Exception as exc:  # a bug in a template or in the data: retry, then fail
                    log.exception("could not compose outbox message %s", message.id)
                    _retry_or_fail(session, message, f"could not compose: {type(exc).__name__}: {exc}", report, clock(), max_attempts, backoff)
                    not_started.pop(message.id)  # type: ignore[arg-type]
                    continue
                finally:
                    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
                        session.rollback()  # end the read transaction before talking SMTP
                if smtp_down is not None:
                    _retry_or_fail(session, message, smtp_down, report, clock(), max_attempts, backoff)
                    not_started.pop(message.id)  # type: ignore[arg-type]
                    continue
                # From here on a crash leaves the row "sending": it will not be sent again.
                not_started.pop(message.id)  # type: ignore[arg-type]
                try:
                    delivery = smtp.send(mail)
                except DeliveryUncertain as exc:
                    _record(session, message, report.unknown, report, str(exc), status=UNKNOWN)
                except MailRejected as exc:
                    _record(session, message, report.failed, report, str(exc), status=FAILED)
                except NoRecipient as exc:
                    _record(session, message, report.failed, report, str(exc), status=FAILED)
                except MailDeferred as exc:
                    if exc.connection_failed:
                        smtp_down = str(exc)
                    _retry_or_fail(session, message, str(exc), report, clock(), max_attempts, backoff)
                else:
                    _mark_sent(session, message, clock(), delivery)
                    report.sent.append(message.id)  # type: ignore[arg-type]
        report.unknown_total = _count(session, UNKNOWN)
    finally:
        session.close()
        if not_started:
            report.released = _release(make_session, list(not_started.values()), start)
    if report.claimed or report.unknown:
        log.info("outbox drain: %s", report.summary())
    return report


def requeue(session: Session, ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Put ``failed`` or ``unknown`` messages back in the queue, attempts reset; returns how many.

    For an ``unknown`` message this is the admin's decision, after checking the mail server's
    log for its Message-ID, that it was not delivered (requeuing a delivered one sends it twice)."""
    now = now or utcnow()
    ids = list(ids)
    if not ids:
        return 0
    with write_transaction(session):
        result = session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status.in_((FAILED, UNKNOWN)))
            .values(status=PENDING, attempts=0, next_attempt_at=now)
        )
    return result.rowcount or 0


# --- steps ---------------------------------------------------------------------------------


def _session_factory(source: SessionSource) -> Callable[[], Session]:
    if isinstance(source, Engine):
        return lambda: Session(source, expire_on_commit=False)
    return source


def _claim(session: Session, now: datetime, batch: int, lease_until: datetime) -> list[OutboxMessage]:
    """Due pending rows, set to ``sending`` with the attempt counted and the lease started."""
    with write_transaction(session):
        query = (
            sa.select(OUTBOX)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.next_attempt_at <= now)
            .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
            .limit(batch)
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True)
        rows = [dict(r) for r in session.execute(query).mappings()]
        if rows:
            session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_([r["id"] for r in rows]))
                .values(status=SENDING, attempts=OUTBOX.c.attempts + 1, next_attempt_at=lease_until)
            )
    # Detached snapshots (never added to the session): what this drain claimed.
    return [
        OutboxMessage(**{**r, "status": SENDING, "attempts": r["attempts"] + 1, "next_attempt_at": lease_until})
        for r in rows
    ]


def _expire_leases(session: Session, now: datetime, settings: Settings) -> list[tuple[int, str]]:
    """``sending`` rows whose lease is over (their drain died after claiming): ``unknown``."""
    moved: list[tuple[int, str]] = []
    with write_transaction(session):
        query = sa.select(OUTBOX.c.id, OUTBOX.c.key, OUTBOX.c.attempts, OUTBOX.c.next_attempt_at).where(
            OUTBOX.c.status == SENDING, OUTBOX.c.next_attempt_at <= now
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True)
        for row in session.execute(query).all():
            error = (
                f"delivery unknown: a drain claimed this message (attempt {row.attempts}) and stopped before "
                f"recording the result (lease ended {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC); it may have been "
                f"sent. Check the mail server log for Message-ID {message_id_for(row.key, settings)}; "
                f"requeue it only if it was not delivered"
            )
            session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id == row.id, OUTBOX.c.status == SENDING)
                .values(status=UNKNOWN, last_error=error)
            )
            moved.append((row.id, error))
    for message_id, _ in moved:
        log.warning("outbox message %s: delivery unknown (lease expired), left for an admin to check", message_id)
    return moved


def _update(session: Session, message: OutboxMessage, expect: tuple[str, ...], **values: Any) -> bool:
    """Record a result, only if the row is still this drain's claim (same attempt)."""
    with write_transaction(session):
        result = session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == message.id, OUTBOX.c.attempts == message.attempts, OUTBOX.c.status.in_(expect))
            .values(**values)
        )
    if result.rowcount != 1:
        log.warning("outbox message %s changed under the drain; result %s not recorded", message.id, values.get("status"))
    return result.rowcount == 1


def _mark_sent(session: Session, message: OutboxMessage, at: datetime, delivery: Delivery) -> None:
    """The step a crash may interrupt (tests inject one here)."""
    note = None
    if delivery.refused:
        note = "sent; refused by the server: " + "; ".join(f"{a} ({answer})" for a, answer in sorted(delivery.refused.items()))
    # "unknown" too: a lease that ran out during a slow send; the server did accept it.
    _update(session, message, (SENDING, UNKNOWN), status=SENT, sent_at=at, last_error=note)


def _record(session: Session, message: OutboxMessage, bucket: list[int], report: DrainReport, error: str, *, status: str) -> None:
    _update(session, message, (SENDING,), status=status, last_error=error)
    bucket.append(message.id)  # type: ignore[arg-type]
    report.errors[message.id] = error  # type: ignore[index]
    if status == UNKNOWN:
        log.warning("outbox message %s: %s", message.id, error)


def _retry_or_fail(
    session: Session, message: OutboxMessage, error: str, report: DrainReport, at: datetime, max_attempts: int, backoff: Backoff
) -> None:
    if message.attempts >= max_attempts:
        _record(session, message, report.failed, report, f"gave up after {message.attempts} attempts: {error}", status=FAILED)
        return
    retry_at = at + backoff.delay(message.attempts)
    _update(session, message, (SENDING,), status=PENDING, next_attempt_at=retry_at, last_error=error)
    report.retrying.append(message.id)  # type: ignore[arg-type]
    report.errors[message.id] = error  # type: ignore[index]


def _release(make_session: Callable[[], Session], messages: list[OutboxMessage], now: datetime) -> list[int]:
    """Give back claimed rows this drain never started to send: due again, attempt not counted."""
    released: list[int] = []
    try:
        with make_session() as session, write_transaction(session):
            for m in messages:
                result = session.execute(
                    sa.update(OUTBOX)
                    .where(OUTBOX.c.id == m.id, OUTBOX.c.attempts == m.attempts, OUTBOX.c.status == SENDING)
                    .values(status=PENDING, attempts=m.attempts - 1, next_attempt_at=now)
                )
                if result.rowcount == 1:
                    released.append(m.id)  # type: ignore[arg-type]
    except Exception:
        log.exception("could not give back %d unsent outbox messages; they will turn 'unknown'", len(messages))
    return released


def _count(session: Session, status: str) -> int:
    try:
        return session.execute(sa.select(sa.func.count()).select_from(OUTBOX).where(OUTBOX.c.status == status)).scalar_one()
    finally:
        session.rollback()
