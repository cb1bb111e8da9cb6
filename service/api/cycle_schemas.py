"""Request and response bodies of the cluster-year, council-session and document routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from service.api.schemas import RequestBody

Choice = Literal["yes", "no", "abstain"]
Points = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]  # finite: a score is never NaN


# --- cluster years ------------------------------------------------------------------------------


class PledgeOut(BaseModel):
    """The emulation pledge as signed ("giao ước thi đua"), with its scoring table ("bảng chấm điểm")."""

    file: str | None
    sha256: str | None
    signed_on: date | None
    name_vi: str
    name_en: str
    scoring_table: dict[str, Any] = Field(description="groups and criteria with their maximum points, bonus, penalty, gates")
    targets: list[dict[str, Any]]
    regulation: dict[str, Any] = Field(description="cross-check, ballot quorum, election rule, tie-break")


class RoundOut(BaseModel):
    """A ballot round as anyone in scope sees it: the questions and which units have voted
    (the attendance sheet), never who voted how."""

    round: int
    state: str
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    awards: dict[str, dict[str, Any]]
    election: dict[str, list[str]]
    voted: list[str]


class ClusterYearOut(BaseModel):
    id: int
    cluster: str
    year: int
    name_vi: str
    name_en: str
    head_unit: str | None
    deputy_unit: str | None
    state: str
    state_label_vi: str
    state_label_en: str
    version: int


class BallotScheduleOut(BaseModel):
    """A ballot the head scheduled ("lịch mở bỏ phiếu suy tôn"): ``pending`` until the deadline
    sweep opens it (``opened``, with its round) or cannot (``failed``, with the reason)."""

    id: int
    state: Literal["pending", "opened", "failed"]
    opens_at: datetime
    closes_at: datetime | None
    candidates: dict[str, list[str]]
    election: dict[str, list[str]]
    scheduled_by: str
    created_at: datetime
    done_at: datetime | None
    round: int | None = Field(description="the round the sweep opened")
    error: str | None = Field(description="why the sweep could not open it (Vietnamese / English)")


class BallotSchedules(BaseModel):
    """The year's ballot schedules, newest first."""

    items: list[BallotScheduleOut]


class ClusterYearDetail(ClusterYearOut):
    pledge: PledgeOut | None
    mid_year_reviewed_on: date | None
    members: list[str]
    scored: list[str]
    unscored: list[str]
    ranking: list[dict[str, Any]] = Field(description="the scoring table's ranking: fixed once scoring closed")
    ranking_fixed: bool
    next_head_unit: str | None
    next_deputy_unit: str | None
    rounds: list[RoundOut]
    ballot_schedule: BallotScheduleOut | None = Field(description="the newest ballot schedule, if any")
    allowed_actions: list[str] = Field(description="what you may do now: the head's steps, submit_score, review_score, cast_ballot")


class SelfScore(RequestBody):
    """A member unit's self-score ("tự chấm điểm"): points per item, evidence, every gate answered."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "criteria": {"I.1": 28, "I.2": 10}, "bonus": {"B1": 1}, "penalty": {},
        "evidence": {"I.1": "Báo cáo tổng kết năm 2026"}, "gates": {"no_discipline": True, "tasks_excellent": True},
    }]})
    criteria: dict[str, Points]
    gates: dict[str, bool]
    evidence: dict[str, str] = {}
    bonus: dict[str, Points] = {}
    penalty: dict[str, Points] = {}
    gate_notes: dict[str, str] = {}


class ScoreReview(RequestBody):
    """A cross-check ("chấm chéo"): new points for items, or a gate's answer, with the reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"adjustments": {"I.4": 8}, "reason": "Chỉ số SIPAS xếp thứ 9/20, chưa đạt điểm tối đa."},
    ]})
    reason: str = Field(min_length=1, max_length=5000)
    adjustments: dict[str, Points] = {}
    gates: dict[str, bool] = {}


class ScoreOut(BaseModel):
    unit_code: str
    self_scores: dict[str, Any]
    evidence: dict[str, Any]
    gates: dict[str, Any]
    adjustments: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    reviewed_at: datetime | None


class YearStep(RequestBody):
    """The head's step ("Cụm trưởng"): the fields a step needs; ``version`` (or If-Match) guards it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 9}, {"signed_on": "2026-03-20"}, {"held_on": "2026-09-08", "summary": "Sơ kết 6 tháng đầu năm."},
    ]})
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)
    signed_on: date | None = None
    signatories: list[str] | None = Field(default=None, max_length=100)
    held_on: date | None = None
    summary: str | None = Field(default=None, max_length=5000)


class BallotOpen(RequestBody):
    """Open a round of the honouring ballot ("mở bỏ phiếu suy tôn")."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"candidates": {"CO_TD_TP": ["SO_GDDT", "SO_YT"]}, "election": {"head": ["SO_KHCN"], "deputy": ["SO_YT"]}},
    ]})
    candidates: dict[str, list[str]] = Field(default={}, description="award code → candidate member units")
    election: dict[str, list[str]] | None = Field(default=None, description="head / deputy → units standing")
    closes_at: AwareDatetime | None = Field(default=None, description="when the deadline sweep closes and counts it (with a time zone)")
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class BallotScheduleIn(RequestBody):
    """Schedule round 1 of the honouring ballot to open later ("đặt lịch mở bỏ phiếu suy tôn"):
    the deadline sweep opens it at ``opens_at``; it closes at ``closes_at`` (by default, and at the
    latest, at the end of the campaign calendar's ``cluster_ballot`` date)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"candidates": {"CO_TD_CP": ["SO_GDDT", "SO_KHCN"]}, "opens_at": "2026-12-20T08:00:00+07:00",
         "closes_at": "2027-01-08T17:00:00+07:00"},
    ]})
    candidates: dict[str, list[str]] = Field(default={}, description="award code → candidate member units")
    election: dict[str, list[str]] | None = Field(default=None, description="head / deputy → units standing")
    opens_at: AwareDatetime = Field(description="when the deadline sweep opens the round (with a time zone)")
    closes_at: AwareDatetime | None = Field(default=None, description="when it closes; default: end of the calendar's cluster_ballot date")


class BallotPaper(RequestBody):
    """One unit's secret paper: award → candidate → yes / no / abstain (blank = abstain)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"choices": {"CO_TD_TP": {"SO_GDDT": "yes", "SO_YT": "no"}}, "head": "SO_KHCN", "deputy": "SO_YT"},
    ]})
    choices: dict[str, dict[str, Choice]] = {}
    head: str | None = Field(default=None, max_length=40)
    deputy: str | None = Field(default=None, max_length=40)


# What an idempotent vote is remembered by instead of the paper: the stored fingerprint is a
# hash, and a hash of a paper with a handful of possible marks would give the vote away.
SECRET_PAPER: dict[str, Any] = {"paper": "secret"}


class Receipt(BaseModel):
    """That a paper was received: nothing of what it said."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"box": "cluster_ballot:1", "voter": "SO_VHTT", "channel": "in_person", "received": True},
    ]})
    box: str
    voter: str
    channel: str
    received: bool = True


class Minutes(BaseModel):
    """The counting minutes ("biên bản kiểm phiếu"): counts per question, never a vote."""

    minutes: dict[str, Any]


class YearStart(RequestBody):
    """Start a cluster's emulation year ("lập kế hoạch thi đua năm của Cụm") under the year's campaign."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"cluster": "CUM_6", "year": 2026, "campaign": "TK-2026"}]})
    cluster: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    year: int = Field(ge=1990, le=2100)
    campaign: str = Field(min_length=1, max_length=60, description="code of the year's annual campaign, e.g. TK-2026")


class QuotaUse(BaseModel):
    nomination_id: int
    nominee: str
    state: str


class QuotaOut(BaseModel):
    """An award's quota for the cluster in that year ("chỉ tiêu") and the nominations using it."""

    award: str
    cluster: str
    year: int
    ruleset: str
    has_quota: bool
    capacity: int | None
    remaining: int | None
    citation: str | None
    uses: list[QuotaUse]


# --- council sessions ---------------------------------------------------------------------------


class AgendaItemOut(BaseModel):
    position: int
    nomination_id: int
    award_code: str
    nominee: str
    state: str
    outcome: str | None


class CouncilSessionOut(BaseModel):
    id: int
    year: int
    title_vi: str
    scheduled_on: date
    state: str
    state_label_vi: str
    state_label_en: str
    version: int


class CouncilSessionDetail(CouncilSessionOut):
    agenda: list[AgendaItemOut]
    members: int
    present: list[str]
    papers_received: int
    minutes_signed_by: str | None
    allowed_actions: list[str]


class AgendaAdd(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nomination_id": 12, "version": 3}]})
    nomination_id: int = Field(ge=1, le=2_147_483_647)
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class SessionOpen(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"present": ["HD01", "HD02", "HD06"], "version": 4}]})
    present: list[str] = Field(max_length=200)
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class AgendaRemove(RequestBody):
    """Take a nomination off a scheduled session's agenda ("rút khỏi chương trình họp"), with the reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "Đơn vị đề nghị rút hồ sơ để bổ sung minh chứng."}]})
    reason: str = Field(min_length=1, max_length=5000)


class Arrival(RequestBody):
    """A council member who arrives after the opening ("thành viên đến họp muộn") is counted present."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"member": "HD12"}]})
    member: str = Field(min_length=1, max_length=40, description="the member's code in the council list")


class SessionStep(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 5}]})
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class CouncilPaper(RequestBody):
    """A member's secret paper: nomination id → yes / no / abstain (blank = abstain)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"choices": {"12": "yes", "15": "no"}}]})
    choices: dict[str, Choice] = {}


class SessionSchedule(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"year": 2026, "title_vi": "Phiên họp Hội đồng TĐKT Thành phố (đợt 2)", "scheduled_on": "2026-12-20"},
    ]})
    year: int = Field(ge=1990, le=2100)
    title_vi: str = Field(min_length=1, max_length=500)
    scheduled_on: date


class MinutesSignature(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"signed_by": "Trần Văn Khải", "version": 6}]})
    signed_by: str = Field(min_length=1, max_length=200)
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)
