"""Tables of the cluster's year, the secret ballots, the quota ledger and the city council.

Imported at the end of :mod:`service.models`, so ``SQLModel.metadata`` always holds them.
Timestamps are aware UTC (:func:`service.models.utcnow`).

Secrecy of the ballots ("bỏ phiếu kín") is a property of the schema: a voter leaves a
:class:`BallotReceipt` (that it voted, nothing else) and adds one to the counters of
:class:`BallotCount` (how many chose what, nobody's name). No row ever holds a voter next to a
choice, and counters have no per-vote row, id or timestamp whose order could be matched to the
receipts, so who voted how cannot be rebuilt from the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.models import utcnow


def _json_column() -> sa.Column:
    return sa.Column(sa.JSON, nullable=False)


_cluster_year_version = sa.Column("version", sa.Integer, nullable=False)


class ClusterYear(SQLModel, table=True):
    """One cluster's emulation year ("năm thi đua của Cụm"): pledge, scoring, ballot, proposals."""

    __tablename__ = "cluster_years"
    __mapper_args__ = {"version_id_col": _cluster_year_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="clusters.id", unique=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    state: str = Field(max_length=30, index=True)
    version: int = Field(default=1, sa_column=_cluster_year_version)
    # The pledge and scoring table as signed: {"file", "sha256", "table"} (config.pledges).
    pledge: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    pledge_signed_on: Optional[date] = None
    mid_year_reviewed_on: Optional[date] = None
    # The ranking fixed when scoring closed: {"units": [Ranked.as_dict(), …]}.
    ranking: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    next_head_unit: Optional[str] = Field(default=None, foreign_key="units.code")
    next_deputy_unit: Optional[str] = Field(default=None, foreign_key="units.code")
    state_entered_at: datetime = Field(default_factory=utcnow)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ClusterScore(SQLModel, table=True):
    """A member unit's self-score and its review ("tự chấm, chấm chéo")."""

    __tablename__ = "cluster_scores"
    cluster_year_id: int = Field(foreign_key="cluster_years.id", primary_key=True)
    unit_code: str = Field(foreign_key="units.code", primary_key=True, max_length=40)
    # {"criteria": {code: "points"}, "bonus": {…}, "penalty": {…}} as decimal strings.
    self_scores: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    # {gate code: {"met": bool, "note": str}}
    gates: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    # {part: {code: {"points": "…", "reason": "…", "by": unit, "at": iso}}}
    adjustments: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    submitted_by: str
    submitted_at: datetime = Field(default_factory=utcnow)
    reviewed_at: Optional[datetime] = None


class ClusterBallotRound(SQLModel, table=True):
    """One round of the cluster's honouring ballot ("phiếu suy tôn"); a re-vote is a new round."""

    __tablename__ = "cluster_ballots"
    __table_args__ = (sa.UniqueConstraint("cluster_year_id", "round"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    cluster_year_id: int = Field(foreign_key="cluster_years.id", index=True)
    round: int
    state: str = Field(max_length=12)  # open | closed
    # {"awards": {code: {"candidates": [...], "slots": n, "rule": {...}}}, "election": {...}}
    questions: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    # The counting minutes ("biên bản kiểm phiếu"), written when the round closes.
    minutes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    opened_at: datetime = Field(default_factory=utcnow)
    # The scheduled end of voting, if any: the deadline sweep closes and counts the round then.
    closes_at: Optional[datetime] = Field(default=None, index=True)
    closed_at: Optional[datetime] = None


class ClusterBallotSchedule(SQLModel, table=True):
    """A ballot round the head scheduled to open later ("lịch mở bỏ phiếu suy tôn"): the deadline
    sweep opens it when ``opens_at`` has come (``pending`` → ``opened``, in the same transaction
    as the opening), or records why it could not (``failed``)."""

    __tablename__ = "cluster_ballot_schedules"
    id: Optional[int] = Field(default=None, primary_key=True)
    cluster_year_id: int = Field(foreign_key="cluster_years.id", index=True)
    candidates: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())  # award code → units
    election: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())  # office → units
    opens_at: datetime = Field(index=True)
    closes_at: Optional[datetime] = None
    state: str = Field(default="pending", max_length=12, index=True)  # pending | opened | failed
    ballot_id: Optional[int] = Field(default=None, foreign_key="cluster_ballots.id")
    scheduled_by: str
    created_at: datetime = Field(default_factory=utcnow)
    done_at: Optional[datetime] = None
    error: Optional[str] = None


class BallotReceipt(SQLModel, table=True):
    """That a voter has voted in a ballot box, and how the paper arrived; never what it said."""

    __tablename__ = "ballot_receipts"
    box: str = Field(primary_key=True, max_length=60)  # e.g. "cluster_ballot:3", "council_session:2"
    voter: str = Field(primary_key=True, max_length=60)  # a unit code or a council member code
    channel: str = Field(max_length=12)  # in_person | absentee


class BallotCount(SQLModel, table=True):
    """How many papers chose ``choice`` for ``option`` of ``question``: a counter, not a vote."""

    __tablename__ = "ballot_counts"
    box: str = Field(primary_key=True, max_length=60)
    question: str = Field(primary_key=True, max_length=60)  # an award code, "head", "nomination:12"
    option: str = Field(primary_key=True, max_length=60)  # a candidate unit, or "" for the item itself
    choice: str = Field(primary_key=True, max_length=12)  # yes | no | abstain | vote
    channel: str = Field(primary_key=True, max_length=12)
    count: int = 0


class QuotaLedger(SQLModel, table=True):
    """An award's quota for one scope, e.g. one City flag per cluster a year ("chỉ tiêu")."""

    __tablename__ = "quota_ledgers"
    __table_args__ = (sa.UniqueConstraint("award_code", "scope", "scope_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    award_code: str = Field(max_length=40)
    scope: str = Field(max_length=20)  # cluster
    scope_id: int  # clusters.id (one cluster in one year)
    capacity: int
    citation: str
    ruleset_version: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class QuotaUse(SQLModel, table=True):
    """A nomination proposed under a quota. It stops counting when the nomination ends without
    an award (withdrawn, not awarded, expired); see ``service.quotas``."""

    __tablename__ = "quota_uses"
    id: Optional[int] = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="quota_ledgers.id", index=True)
    nomination_id: int = Field(foreign_key="nominations.id", unique=True)
    reserved_by: str
    reserved_at: datetime = Field(default_factory=utcnow)


class CouncilMember(SQLModel, table=True):
    """A member of the city council in a year ("thành viên Hội đồng TĐKT TP")."""

    __tablename__ = "council_members"
    __table_args__ = (sa.UniqueConstraint("year", "code"), sa.UniqueConstraint("year", "username"))
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    code: str = Field(max_length=20)
    full_name: str
    position_vi: str
    unit_code: Optional[str] = Field(default=None, foreign_key="units.code")
    username: str = Field(max_length=80)  # the account that votes as this member


_council_session_version = sa.Column("version", sa.Integer, nullable=False)


class CouncilSession(SQLModel, table=True):
    """A session of the city council ("phiên họp Hội đồng TĐKT TP")."""

    __tablename__ = "council_sessions"
    __mapper_args__ = {"version_id_col": _council_session_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(index=True)  # whose council sits (its members count for quorum)
    title_vi: str
    scheduled_on: date
    state: str = Field(max_length=30, index=True)
    version: int = Field(default=1, sa_column=_council_session_version)
    # Members present in person: {"members": [code, …]}
    attendance: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    minutes: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
    minutes_signed_by: Optional[str] = None
    state_entered_at: datetime = Field(default_factory=utcnow)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CouncilAgendaItem(SQLModel, table=True):
    """A nomination on a session's agenda, with the council's outcome once counted."""

    __tablename__ = "council_agenda_items"
    __table_args__ = (sa.UniqueConstraint("session_id", "nomination_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="council_sessions.id", index=True)
    nomination_id: int = Field(foreign_key="nominations.id", index=True)
    position: int
    outcome: Optional[str] = Field(default=None, max_length=12)  # passed | not_passed | no_quorum
    tally: dict[str, Any] = Field(default_factory=dict, sa_column=_json_column())
