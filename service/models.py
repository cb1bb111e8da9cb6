"""Database tables (SQLModel). Timestamps are aware UTC (SQLModel's UTCDateTime refuses naive
ones); the Asia/Ho_Chi_Minh zone is applied on display and for working-day deadlines.

The schema is owned by Alembic (``service/migrations``); ``tdkt db upgrade`` creates or migrates it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _json_column(nullable: bool = False) -> sa.Column:
    return sa.Column(sa.JSON, nullable=nullable)


class Unit(SQLModel, table=True):
    """A member unit of the city ("đơn vị"): department, agency, district, the Board."""

    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=40)
    name_vi: str
    name_en: str
    kind: str = Field(max_length=20)
    email: Optional[str] = None


class Cluster(SQLModel, table=True):
    """An emulation cluster in a given year ("cụm thi đua"), with its rotating head and deputy."""

    __tablename__ = "clusters"
    __table_args__ = (sa.UniqueConstraint("code", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=40)
    year: int
    name_vi: str
    name_en: str
    head_unit: str = Field(foreign_key="units.code")
    deputy_unit: Optional[str] = Field(default=None, foreign_key="units.code")


class ClusterMember(SQLModel, table=True):
    __tablename__ = "cluster_members"
    cluster_id: int = Field(foreign_key="clusters.id", primary_key=True)
    unit_code: str = Field(foreign_key="units.code", primary_key=True)


class Person(SQLModel, table=True):
    __tablename__ = "people"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)
    full_name: str
    gender: str = Field(max_length=10)
    birth_year: Optional[int] = None
    unit_code: str = Field(foreign_key="units.code", index=True)
    position_vi: Optional[str] = None
    # Workers, farmers, teachers, doctors, soldiers at the front line: the city reports their share.
    front_line: bool = False


class TitleRecord(SQLModel, table=True):
    """A title held in a year ("danh hiệu"), by a person or a collective: the history streaks use."""

    __tablename__ = "title_records"
    __table_args__ = (sa.Index("ix_title_records_holder", "person_id", "unit_code", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: Optional[int] = Field(default=None, foreign_key="people.id")
    unit_code: Optional[str] = Field(default=None, foreign_key="units.code")
    year: int
    title: str = Field(max_length=40)
    decision_ref: Optional[str] = None
    # Set when the title was revoked ("thu hồi"): it no longer counts towards any streak.
    revoked_decision_id: Optional[int] = Field(default=None, foreign_key="decisions.id")
    revoked_reason: Optional[str] = None


class InitiativeRecord(SQLModel, table=True):
    """An initiative ("sáng kiến") and the level at which its effect was recognised."""

    __tablename__ = "initiatives"
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    year: int
    title: str
    scope: str = Field(max_length=20)
    certified: bool = True


class Campaign(SQLModel, table=True):
    """An emulation campaign ("đợt thi đua"): the annual cycle, thematic, periodic or ad-hoc."""

    __tablename__ = "campaigns"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=60)
    name_vi: str
    kind: str = Field(max_length=20)  # annual | thematic | periodic | ad_hoc
    year: int
    opens_on: date
    filing_deadline: date
    # Filing dates per step, e.g. {"cluster_results": "2027-01-10"}.
    calendar: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())


class Decision(SQLModel, table=True):
    """A signed act ("quyết định"/"tờ trình"): award decision, forwarding, central result, revocation."""

    __tablename__ = "decisions"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=60)  # e.g. "1234/QĐ-UBND"
    kind: str = Field(max_length=20)  # award | forward | central | revocation
    signed_on: date
    signer: str
    created_at: datetime = Field(default_factory=utcnow)


_nomination_version = sa.Column("version", sa.Integer, nullable=False)


class Nomination(SQLModel, table=True):
    """A proposal for one award to one nominee ("hồ sơ đề nghị khen thưởng")."""

    __tablename__ = "nominations"
    __table_args__ = (
        sa.CheckConstraint(
            "(person_id IS NOT NULL) <> (nominee_unit_code IS NOT NULL)", name="ck_nominations_one_nominee"
        ),
        # Inboxes ask for a unit's or a cluster's nominations in one state (migration 0007).
        sa.Index("ix_nominations_unit_state", "proposing_unit_code", "state"),
        sa.Index("ix_nominations_cluster_state", "cluster_id", "state"),
        sa.Index("ix_nominations_award_state", "award_code", "state"),
        sa.Index("ix_nominations_state_due", "state", "due_at"),
    )
    __mapper_args__ = {"version_id_col": _nomination_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    award_code: str = Field(max_length=40)  # indexed with the state (__table_args__)
    ruleset_version: str = Field(max_length=20)
    track: str = Field(max_length=10)  # unit | cluster
    nominee_kind: str = Field(max_length=12)  # individual | collective
    person_id: Optional[int] = Field(default=None, foreign_key="people.id", index=True)
    nominee_unit_code: Optional[str] = Field(default=None, foreign_key="units.code")
    nominee_name: str
    proposing_unit_code: str = Field(foreign_key="units.code")  # indexed with the state (__table_args__)
    cluster_id: Optional[int] = Field(default=None, foreign_key="clusters.id")  # indexed with the state
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    year: int  # the year of the achievements
    achievements: str = ""
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    state: str = Field(max_length=30, index=True)  # also indexed with the due time (__table_args__)
    version: int = Field(default=1, sa_column=_nomination_version)
    state_entered_at: datetime = Field(default_factory=utcnow)
    # When the current step is due; indexed so sweeps cost what is due, not what exists.
    due_at: Optional[datetime] = Field(default=None, index=True)
    outcome_reason: Optional[str] = None
    decision_id: Optional[int] = Field(default=None, foreign_key="decisions.id")
    # The decision that revoked the award ("quyết định hủy bỏ"); decision_id keeps the original one.
    revocation_decision_id: Optional[int] = Field(default=None, foreign_key="decisions.id")
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReviewTask(SQLModel, table=True):
    """A task for the Board to re-examine an award whose conditions a revocation undid
    ("rà soát lại khen thưởng"): opened by the revocation, closed by an officer with a resolution."""

    __tablename__ = "review_tasks"
    id: Optional[int] = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nominations.id", index=True)
    # What was revoked: "nomination:12" (a decided award) or "title:34" (a history title).
    cause: str = Field(max_length=60)
    revoking_decision_id: int = Field(foreign_key="decisions.id")
    title: str = Field(max_length=40)  # the title code that no longer counts
    title_year: int
    # The conditions now unmet, as the eligibility check words them.
    unmet: list[dict[str, Any]] = Field(default_factory=list, sa_column=_json_column())
    status: str = Field(default="open", max_length=10, index=True)  # open | closed
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: Optional[datetime] = None
    closed_by: Optional[str] = None
    resolution: Optional[str] = None


class Certificate(SQLModel, table=True):
    """The certificate of a decided award ("bằng khen / giấy chứng nhận"): a PDF whose SHA-256 is in
    the audit trail, found by an unguessable verification code printed as a QR code."""

    __tablename__ = "certificates"
    id: Optional[int] = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nominations.id", unique=True)
    code: str = Field(unique=True, max_length=64)
    document_id: int = Field(foreign_key="documents.id")
    sha256: str = Field(max_length=64)
    issued_at: datetime = Field(default_factory=utcnow)


class Attachment(SQLModel, table=True):
    """Evidence uploaded with a nomination ("tài liệu đính kèm"), stored in the database."""

    __tablename__ = "attachments"
    id: Optional[int] = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nominations.id", index=True)
    document_kind: Optional[str] = Field(default=None, max_length=40)
    filename: str
    content_type: str
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    uploaded_by: str
    uploaded_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """A document the system produced (dossier, minutes, decision annex)."""

    __tablename__ = "documents"
    id: Optional[int] = Field(default=None, primary_key=True)
    nomination_id: Optional[int] = Field(default=None, foreign_key="nominations.id", index=True)
    kind: str = Field(max_length=40)
    filename: str
    content_type: str
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Append-only audit trail ("nhật ký"), one hash chain per aggregate (e.g. ``nomination:12``)."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.UniqueConstraint("chain", "seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    chain: str = Field(max_length=60)
    seq: int
    at: datetime
    actor: str
    role: str = Field(max_length=20)
    action: str = Field(max_length=40)
    from_state: Optional[str] = Field(default=None, max_length=30)
    to_state: Optional[str] = Field(default=None, max_length=30)
    reason: Optional[str] = None
    # Canonical JSON text, hashed as stored.
    payload: str = "{}"
    key_id: str = Field(max_length=20)  # which HMAC key signed this entry
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OutboxMessage(SQLModel, table=True):
    """A message to send after commit ("thư báo"); the unique key makes duplicates impossible."""

    __tablename__ = "outbox"
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    nomination_id: Optional[int] = Field(default=None, foreign_key="nominations.id", index=True)
    step: str = Field(max_length=60)
    kind: str = Field(max_length=30)  # action_needed | outcome | reminder
    offset_days: int = 0
    recipient_role: str = Field(max_length=20)
    recipient_scope: Optional[str] = Field(default=None, max_length=60)
    template: str = Field(max_length=60)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
    last_error: Optional[str] = None


class User(SQLModel, table=True):
    """A person who signs in ("người dùng"), with one role and, for unit and cluster roles, a unit."""

    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80)
    full_name: str
    email: Optional[str] = None
    password_hash: str
    role: str = Field(max_length=20)
    unit_code: Optional[str] = Field(default=None, foreign_key="units.code")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST carrying an ``Idempotency-Key``, replayed on a repeat."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)  # method, path and body hash: a reused key with another request is refused
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    created_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """Sign-in attempts, kept in the database so the rate limit holds across API workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_username_at", "username", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=80)
    client: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)
    succeeded: bool


import service.cycle_models  # noqa: E402,F401
