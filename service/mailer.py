"""Composing and sending the outbox's e-mails ("thư báo"): recipients, Vietnamese text, SMTP.

Three steps, used by :mod:`service.outbox`:

* :func:`resolve_recipients` turns an outbox row's ``recipient_role`` + ``recipient_scope`` into
  addresses: active users with that role and an e-mail address, restricted for unit and cluster
  roles to the unit (``unit:<code>``) or to the cluster's head and deputy units / member units
  (``cluster:<code>:<year>``); a unit scope with no such user falls back to the unit's own
  address. No address at all is :class:`NoRecipient` (a permanent failure, never retried).
* :func:`compose` renders the subject, the plain-text and the HTML body from
  ``service/templates/mail/<template>.{subject,txt,html}.j2`` (Jinja2, autoescaped HTML; one
  template per kind: ``nomination_action_needed``, ``nomination_outcome``, ``nomination_reminder``,
  ``nomination_escalation``) with the
  award, nominee, state label, the deadline in Asia/Ho_Chi_Minh working-day terms and the link
  ``{base_url}/nominations/{id}``. Output is NFC. An action-needed, reminder or escalation
  message about a step the nomination has already left is :class:`MessageObsolete` (the drain
  skips it rather than ask for a job that is done); outcome messages are always sent.
* :class:`SmtpConnection` sends with the ``emails`` package over one reused SMTP connection.
  ``emails`` does not raise on failure; its response's ``.success`` / ``.error`` / status code
  are turned into typed errors here: :class:`MailDeferred` (try again later: connection refused,
  4xx, a dropped connection before the message data), :class:`MailRejected` (5xx: permanent) and
  :class:`DeliveryUncertain` (the connection broke after the message data was handed over: the
  server may have accepted it, so it must not be resent automatically).

The Message-ID is deterministic, derived from the outbox key (``emails.MessageID`` would add a
timestamp and a random number), so every copy of one outbox message carries the same id and an
admin can look a message up in the mail server's log.
"""

from __future__ import annotations

import hashlib
import smtplib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time
from email.utils import parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import emails
import jinja2
from emails.backend.smtp.backend import SMTPBackend
from emails.backend.smtp.client import SMTPClientWithResponse
from emails.backend.smtp.exceptions import SMTPConnectNetworkError
from sqlmodel import Session, select

from config.calendar import load_calendar
from config.settings import Settings, get_settings
from service.models import (
    Cluster,
    ClusterMember,
    Decision,
    Nomination,
    OutboxMessage,
    Unit,
    User,
    utcnow,
)
from service.transitions import award_of, route_of
from workflow.calendar import CalendarRangeError
from workflow.nomination import EVENT_LABELS, STATE_LABELS, enabled_events
from workflow.roles import EVENT_ROLES, NOT_A_TURN, Role, responsible_roles

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "mail"
DEFAULT_FROM_NAME = "Hệ thống Thi đua – Khen thưởng thành phố Hà Nội"

ROLE_LABELS: dict[str, str] = {
    Role.SUBMITTER: "Cán bộ làm công tác thi đua, khen thưởng",
    Role.UNIT_HEAD: "Thủ trưởng đơn vị",
    Role.CLUSTER_MEMBER: "Đơn vị thành viên Cụm thi đua",
    Role.CLUSTER_HEAD: "Cụm trưởng, Cụm phó",
    Role.BOARD_OFFICER: "Chuyên viên Ban Thi đua – Khen thưởng",
    Role.COUNCIL_MEMBER: "Thành viên Hội đồng Thi đua – Khen thưởng",
    Role.APPROVER: "Chủ tịch Ủy ban nhân dân Thành phố",
    Role.ADMIN: "Quản trị hệ thống",
}
_UNIT_ROLES = frozenset({Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_MEMBER, Role.CLUSTER_HEAD})
_WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# Message kinds about a step someone must act on: pointless once the nomination left that step.
_STEP_KINDS = frozenset({"action_needed", "reminder", "escalation"})


# --- errors --------------------------------------------------------------------------------


class MailError(Exception):
    """Why a message was not (or may not have been) delivered. ``str(exc)`` is the admin's reason."""


class NoRecipient(MailError):
    """Nobody to send to: permanent, the message is marked failed."""


class ComposeError(MailError):
    """The message cannot be built (nomination gone, unknown template): permanent."""


class MessageObsolete(MailError):
    """The nomination has left the step the message asks someone to act on: skip it."""


class MailRejected(MailError):
    """The SMTP server refused the message for good (5xx): permanent."""


class MailDeferred(MailError):
    """Not sent, try again later: the server was unreachable, answered 4xx, or dropped the
    connection before the message data was sent. ``connection_failed``: no connection at all,
    so the rest of a batch need not be tried now."""

    def __init__(self, reason: str, *, connection_failed: bool = False) -> None:
        super().__init__(reason)
        self.connection_failed = connection_failed


class DeliveryUncertain(MailError):
    """The connection failed after the message data was handed to the server: it may have been
    delivered. Never resent automatically (at-most-once)."""


# --- recipients ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Recipient:
    email: str
    name: str | None = None


def resolve_recipients(session: Session, message: OutboxMessage) -> list[Recipient]:
    """The addresses for ``message`` (sorted, one per address); raise :class:`NoRecipient`."""
    try:
        role = Role(message.recipient_role)
    except ValueError:
        raise NoRecipient(f"no recipient: unknown role {message.recipient_role!r}") from None
    scope = message.recipient_scope
    query = select(User).where(User.role == role.value, User.active.is_(True))  # type: ignore[attr-defined]
    fallback_unit: str | None = None
    where = "the whole city"
    if scope is None:
        if role in _UNIT_ROLES:
            raise NoRecipient(f"no recipient: role {role.value!r} belongs to a unit or cluster, but the message has no scope")
    elif scope.startswith("unit:"):
        fallback_unit = scope.removeprefix("unit:")
        query = query.where(User.unit_code == fallback_unit)
        where = f"unit {fallback_unit}"
    elif scope.startswith("cluster:"):
        units = _cluster_units(session, role, scope)
        query = query.where(User.unit_code.in_(units))  # type: ignore[union-attr]
        where = f"{scope} (units {', '.join(units) or 'none'})"
    else:
        raise NoRecipient(f"no recipient: unknown scope {scope!r}")
    users = session.exec(query).all()
    found = _dedupe(Recipient(u.email.strip(), u.full_name) for u in users if u.email and u.email.strip())
    if not found and fallback_unit is not None:
        unit = session.get(Unit, fallback_unit)
        if unit is not None and unit.email and unit.email.strip():
            found = [Recipient(unit.email.strip(), unit.name_vi)]
    if not found:
        fallback = " and the unit has no e-mail address" if fallback_unit else ""
        raise NoRecipient(
            f"no recipient: no active user with role {role.value!r} and an e-mail address in {where}{fallback}"
        )
    return found


def _cluster_units(session: Session, role: Role, scope: str) -> list[str]:
    try:
        _, code, year = scope.split(":")
        cluster = session.exec(select(Cluster).where(Cluster.code == code, Cluster.year == int(year))).first()
    except ValueError:
        raise NoRecipient(f"no recipient: malformed cluster scope {scope!r}") from None
    if cluster is None:
        raise NoRecipient(f"no recipient: there is no cluster {scope!r}")
    if role is Role.CLUSTER_HEAD:
        return sorted(u for u in (cluster.head_unit, cluster.deputy_unit) if u)
    if role is Role.CLUSTER_MEMBER:
        return sorted(session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster.id)).all())
    raise NoRecipient(f"no recipient: role {role.value!r} cannot have a cluster scope ({scope})")


def _dedupe(recipients: Any) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for r in recipients:
        seen.setdefault(r.email.lower(), r)
    return sorted(seen.values())


# --- composing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    when: str  # "hết ngày 15/01/2027 (thứ Sáu)"
    remaining: str | None  # "còn 5 ngày làm việc", or None if the calendar does not cover it
    working_days_left: int | None  # None when overdue or unknown
    overdue: bool


def describe_deadline(due_at: datetime, now: datetime, settings: Settings | None = None) -> Deadline:
    """The deadline in the city's time zone and in working days from ``now``."""
    zone = (settings or get_settings()).zone
    local = due_at.astimezone(zone)
    day = local.date()
    weekday = _WEEKDAYS_VI[day.weekday()]
    if local.time() >= time(23, 59):
        when = f"hết ngày {day:%d/%m/%Y} ({weekday})"
    else:
        when = f"{local:%H} giờ {local:%M}, {weekday} ngày {day:%d/%m/%Y}"
    today = now.astimezone(zone).date()
    calendar = load_calendar()
    try:
        if due_at <= now:
            late = calendar.working_days_between(day, today)
            phrase = f"đã quá hạn {late} ngày làm việc" if late else "đã quá hạn"
            return Deadline(when, phrase, None, True)
        if day == today:
            return Deadline(when, "hôm nay là ngày cuối của thời hạn", 0, False)
        left = calendar.working_days_between(today, day)
        phrase = f"còn {left} ngày làm việc" if left else "không còn ngày làm việc nào trước hạn"
        return Deadline(when, phrase, left, False)
    except CalendarRangeError:
        return Deadline(when, None, None, due_at <= now)


@dataclass(frozen=True)
class ComposedMail:
    outbox_id: int | None
    key: str
    message_id: str
    subject: str
    text: str
    html: str
    recipients: tuple[Recipient, ...]
    headers: dict[str, str] = field(default_factory=dict)

    def to_message(self, settings: Settings | None = None) -> emails.Message:
        settings = settings or get_settings()
        name, address = parseaddr(settings.mail_from)
        return emails.Message(
            charset="utf-8",
            message_id=self.message_id,
            subject=self.subject,
            mail_from=(name or DEFAULT_FROM_NAME, address or settings.mail_from),
            mail_to=[(r.name or "", r.email) for r in self.recipients],
            headers=dict(self.headers),
            text=self.text,
            html=self.html,
        )


def message_id_for(key: str, settings: Settings | None = None) -> str:
    """A Message-ID that is the same for every attempt at one outbox message."""
    settings = settings or get_settings()
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "tdkt.invalid"
    # 96 bits of the key's hash: unique enough, and short enough that the header is not folded.
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<{digest}.outbox@{domain}>"


def link_for(nomination_id: int, settings: Settings | None = None) -> str:
    return f"{(settings or get_settings()).base_url.rstrip('/')}/nominations/{nomination_id}"


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _render(name: str, context: dict[str, Any]) -> str:
    try:
        template = _env.get_template(name)
    except jinja2.TemplateNotFound:
        raise ComposeError(f"no mail template {name!r} in {TEMPLATE_DIR}") from None
    return unicodedata.normalize("NFC", template.render(**context))


def step_state(message: OutboxMessage) -> str:
    """The state the message was queued for (``step`` is ``"<state>@v<version>"``)."""
    return str(message.params.get("state") or message.step.partition("@")[0])


def compose(
    session: Session, message: OutboxMessage, *, now: datetime | None = None, settings: Settings | None = None
) -> ComposedMail:
    """Recipients and rendered text of ``message``. Raises :class:`NoRecipient`,
    :class:`ComposeError` or :class:`MessageObsolete` (all permanent)."""
    settings = settings or get_settings()
    now = now or utcnow()
    nomination = (
        session.get(Nomination, message.nomination_id, populate_existing=True) if message.nomination_id is not None else None
    )
    if nomination is None:
        raise ComposeError(f"nomination #{message.nomination_id} does not exist")
    state = step_state(message)
    if state not in STATE_LABELS:
        raise ComposeError(f"unknown state {state!r} in step {message.step!r}")
    if message.kind in _STEP_KINDS and nomination.state != state:
        raise MessageObsolete(
            f"obsolete: the message is about step {message.step!r}, the nomination is now {nomination.state!r}"
        )
    recipients = resolve_recipients(session, message)
    role = Role(message.recipient_role)
    route = route_of(nomination)
    actions = [
        EVENT_LABELS[e][0]
        for e in enabled_events(state, route)
        if e not in NOT_A_TURN and role in EVENT_ROLES[e]
    ] if nomination.state == state else []
    responsible = (
        [ROLE_LABELS.get(r, r.value) for r in sorted(responsible_roles(enabled_events(state, route)))]
        if nomination.state == state
        else []
    )
    deadline = describe_deadline(nomination.due_at, now, settings) if nomination.due_at and nomination.state == state else None
    # The outcome of the step the message is about: a revocation names the revoking decision,
    # any other outcome the award's own (even when the mail goes out after a revocation).
    decision_id = nomination.revocation_decision_id if state == "revoked" else nomination.decision_id
    decision = session.get(Decision, decision_id) if decision_id else None
    unit = session.get(Unit, nomination.proposing_unit_code)
    context = {
        "kind": message.kind,
        "n": {
            "id": nomination.id,
            "award_name": award_of(nomination).name_vi,
            "nominee_name": nomination.nominee_name,
            "proposing_unit": unit.name_vi if unit else nomination.proposing_unit_code,
            "year": nomination.year,
        },
        "state_label": STATE_LABELS[state][0],
        "recipient_label": _recipient_label(session, role, message.recipient_scope),
        "actions": actions,
        "responsible": responsible,
        "deadline": deadline,
        "offset_days": message.offset_days,
        "outcome_reason": nomination.outcome_reason if message.kind == "outcome" else None,
        "decision_number": decision.number if decision and message.kind == "outcome" else None,
        "link": link_for(nomination.id, settings),  # type: ignore[arg-type]
    }
    subject = " ".join(_render(f"{message.template}.subject.j2", context).split())
    context["subject"] = subject
    return ComposedMail(
        outbox_id=message.id,
        key=message.key,
        message_id=message_id_for(message.key, settings),
        subject=subject,
        text=_render(f"{message.template}.txt.j2", context),
        html=_render(f"{message.template}.html.j2", context),
        recipients=tuple(recipients),
        # RFC 3834: automatic mail, so auto-responders do not answer it.
        headers={"Auto-Submitted": "auto-generated", "X-TDKT-Outbox-Key": message.key},
    )


def _recipient_label(session: Session, role: Role, scope: str | None) -> str:
    label = ROLE_LABELS.get(role, role.value)
    if scope and scope.startswith("unit:"):
        unit = session.get(Unit, scope.removeprefix("unit:"))
        return f"{label} – {unit.name_vi}" if unit else label
    if scope and scope.startswith("cluster:"):
        _, code, year = scope.split(":")
        cluster = session.exec(select(Cluster).where(Cluster.code == code, Cluster.year == int(year))).first()
        return f"{label} – {cluster.name_vi} năm {year}" if cluster else label
    return label


# --- sending -------------------------------------------------------------------------------


class _TrackingClient(SMTPClientWithResponse):
    """Records on its backend that the DATA command was issued for the current message."""

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.parent.data_started = True
        return super().data(msg)


class _Backend(SMTPBackend):
    """emails' SMTP backend, made safe for at-most-once delivery.

    emails retries a send once when the server disconnects; that is safe only if the message
    data had not been sent yet (a disconnect while waiting for the final reply may follow an
    accepted message). Here the retry happens only before DATA; after it the error propagates."""

    connection_cls = _TrackingClient
    data_started = False

    def sendmail(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        self.data_started = False
        return super().sendmail(*args, **kwargs)

    def retry_on_disconnect(self, func):  # type: ignore[no-untyped-def]
        def wrapper(*args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
            try:
                return func(*args, **kwargs)
            except smtplib.SMTPServerDisconnected:
                if self.data_started:
                    raise
                self.close()  # a stale pooled connection: reconnect once
                return func(*args, **kwargs)

        return wrapper


@dataclass(frozen=True)
class Delivery:
    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, str]  # address -> server answer, when only some recipients were refused


class SmtpConnection:
    """One SMTP connection (settings.smtp_*), opened at the first send and reused until
    :meth:`close`; use as a context manager around a batch."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        s = self.settings
        self._backend = _Backend(
            host=s.smtp_host,
            port=s.smtp_port,
            tls=s.smtp_starttls,
            user=s.smtp_user,
            password=s.smtp_password,
            timeout=s.outbox_smtp_timeout_seconds,
            fail_silently=True,  # emails reports failures in the response; we raise below
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    def send(self, mail: ComposedMail) -> Delivery:
        if not mail.recipients:
            raise NoRecipient("no recipient address")
        message = mail.to_message(self.settings)
        try:
            response = message.send(smtp=self._backend)
        except Exception as exc:  # the connection broke mid-conversation
            uncertain = self._backend.data_started
            self._drop_connection()
            reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if uncertain:
                raise DeliveryUncertain(
                    f"delivery unknown: the SMTP connection failed after the message data was sent ({reason}); "
                    f"check the mail server log for Message-ID {mail.message_id}"
                ) from exc
            raise MailDeferred(f"SMTP error before the message was sent: {reason}") from exc
        if response is None:
            raise NoRecipient("no recipient address")
        if response.success:
            refused = {a: _answer(code, text) for a, (code, text) in (response.refused_recipients or {}).items()}
            accepted = tuple(a for a in (response.to_addrs or []) if a not in refused)
            return Delivery(mail.message_id, accepted, refused)
        error = response.error
        code = response.status_code
        if code is None or isinstance(error, SMTPConnectNetworkError):
            self._drop_connection()
            raise MailDeferred(
                f"cannot reach the SMTP server {self.settings.smtp_host}:{self.settings.smtp_port}: {_describe(error)}",
                connection_failed=True,
            )
        answer = f"{response.last_command.upper() if response.last_command else 'SMTP'} {_answer(code, response.status_text)}"
        if 400 <= code < 500:
            raise MailDeferred(f"SMTP server deferred the message: {answer}")
        raise MailRejected(f"SMTP server rejected the message: {answer}")

    def _drop_connection(self) -> None:
        try:
            self._backend.close()
        except Exception:  # noqa: BLE001 - already failing; the next send reconnects
            self._backend._client = None


def _answer(code: int | None, text: bytes | str | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text or ''}".strip()


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "no answer"
    if isinstance(error, SMTPConnectNetworkError):
        return error.strerror or "network error"
    return f"{type(error).__name__}: {error}"


def send_mail(mail: ComposedMail, settings: Settings | None = None) -> Delivery:
    """Send one message over its own connection (the drain reuses one per batch instead)."""
    with SmtpConnection(settings) as connection:
        return connection.send(mail)
