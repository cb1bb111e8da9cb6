"""Request and response bodies of the API."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")
NUL = "\x00"


def refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store U+0000 in text: refuse it in any field of a request (422), on every
    database alike, instead of letting the driver fail (500)."""
    if isinstance(value, str):
        if NUL in value:
            raise ValueError("text must not contain the NUL character (U+0000)")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            refuse_nul(item)
    return value


def to_nfc(value: Any) -> Any:
    """Vietnamese typed with combining marks (NFD, e.g. from macOS) looks the same as precomposed
    text but compares unequal: store every string of a request in NFC, the form the rest of tdkt
    (config, documents, mail, search) uses."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {to_nfc(k): to_nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_nfc(v) for v in value]
    return value


class RequestBody(BaseModel):
    """A JSON request body: no NUL characters anywhere in it."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return to_nfc(refuse_nul(data))


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CappedPage(Page[T], Generic[T]):
    """A page of a list whose total is counted up to a cap (``TDKT_LIST_TOTAL_CAP``)."""

    total_exact: bool = Field(True, description="false: there are more than `total` matches (the count stopped at the cap)")


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    full_name: str
    role: str
    unit_code: str | None


class NominationCreate(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"award_code": "BK_TP", "campaign_code": "TK-2026", "year": 2026,
                                         "person_code": "P009", "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2026."}]},
    )
    award_code: str = Field(min_length=1, max_length=40)
    campaign_code: str = Field(min_length=1, max_length=60)
    year: int = Field(ge=1990, le=2100)
    person_code: str | None = Field(default=None, max_length=40)
    nominee_unit_code: str | None = Field(default=None, max_length=40)
    track: Literal["unit", "cluster"] | None = None
    achievements: str = Field(default="", max_length=20000)
    facts: dict[str, float | bool] = Field(default_factory=dict)


class NominationEdit(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"achievements": "Bổ sung thành tích.", "version": 1}]})
    achievements: str | None = Field(default=None, max_length=20000)
    facts: dict[str, float | bool] | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    version: int | None = Field(default=None, ge=1, description="the version you edited (or send If-Match)")


class ActionRequest(RequestBody):
    """What an action needs; which fields apply depends on the action (see allowed_actions)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [
            {"reason": "Thiếu biên bản họp bình xét; đề nghị bổ sung.", "version": 4},
            {"passed": True, "tally": {"members": 15, "present": 14, "in_favour": 13}},
            {"document_number": "123/QĐ-UBND", "signed_on": "2026-11-25", "signer": "Chủ tịch UBND Thành phố"},
        ]},
    )
    reason: str | None = Field(default=None, max_length=5000)
    passed: bool | None = Field(default=None, description="outcome of a ballot, consultation, notice or central decision")
    tally: dict[str, int] | None = None
    bodies: list[str] | None = Field(default=None, description="bodies consulted (request_consultation)")
    opinions: dict[str, str] | None = None
    note: str | None = Field(default=None, max_length=5000)
    document_number: str | None = Field(default=None, max_length=60)
    signed_on: date | None = None
    signer: str | None = Field(default=None, max_length=200)
    version: int | None = Field(default=None, ge=1, description="the version you acted on (or send If-Match)")


class AllowedAction(BaseModel):
    action: str
    label_vi: str
    label_en: str
    needs_reason: bool
    needs_outcome: bool


class TimelineEntry(BaseModel):
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    payload: dict[str, Any]


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    document_kind: str | None
    uploaded_by: str
    uploaded_at: datetime


class NominationOut(BaseModel):
    id: int
    award_code: str
    award_name_vi: str
    award_name_en: str
    ruleset_version: str
    track: str
    nominee_kind: str
    nominee_name: str
    person_id: int | None
    nominee_unit_code: str | None
    proposing_unit_code: str
    cluster_id: int | None
    campaign_id: int
    year: int
    achievements: str
    facts: dict[str, Any]
    state: str
    state_label_vi: str
    state_label_en: str
    version: int
    due_at: datetime | None
    outcome_reason: str | None
    decision_id: int | None
    revocation_decision_id: int | None = None
    created_at: datetime
    updated_at: datetime


class StepClockOut(BaseModel):
    """The current step against its deadline, in working days on the Vietnamese calendar."""

    clock: str
    started_at: datetime
    due_at: datetime
    working_days_used: int
    working_days_left: int
    held_working_days: int | None = Field(description="while returned: the Board's days left, resumed on resubmission")


class DocumentOut(BaseModel):
    """A document the system produced (dossier or decision), with its SHA-256 as audited."""

    id: int
    kind: str
    filename: str
    content_type: str
    sha256: str
    created_at: datetime


class OverlapOut(BaseModel):
    """Another nomination of the same nominee that overlaps this one ("trùng lặp"): a warning."""

    kind: Literal["same_level_same_year", "same_achievement"]
    other_id: int
    other_award_code: str
    other_state: str
    other_campaign_id: int
    similarity: float | None
    message_vi: str
    message_en: str


class NominationDetail(NominationOut):
    overlaps: list[OverlapOut] = Field(default_factory=list, description="warnings: the nominee's overlapping nominations")
    allowed_actions: list[AllowedAction]
    timeline: list[TimelineEntry]
    attachments: list[AttachmentOut]
    clock: StepClockOut | None
    documents: list[DocumentOut]


class EligibilityRequest(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"award_code": "CSTD_TP", "person_code": "P004", "year": 2026}]})
    award_code: str
    year: int = Field(ge=1990, le=2100)
    person_code: str | None = None
    unit_code: str | None = None
    facts: dict[str, float | bool] = Field(default_factory=dict)


class Finding(BaseModel):
    condition: str
    message_vi: str
    message_en: str
    citation: str


class EligibilityOut(BaseModel):
    award_code: str
    ruleset_version: str
    passed: bool
    unmet: list[Finding]
    met: list[Finding]


class UnitOut(BaseModel):
    code: str
    name_vi: str
    name_en: str
    kind: str


class ClusterOut(BaseModel):
    id: int
    code: str
    year: int
    name_vi: str
    name_en: str
    head_unit: str
    deputy_unit: str | None
    members: list[str]


class DecisionOut(BaseModel):
    id: int
    number: str
    kind: str
    signed_on: date
    signer: str


class PublicAwardee(BaseModel):
    """What a published decision shows: name, unit, award — no other personal data."""

    nominee_name: str
    unit_name_vi: str
    award_name_vi: str
    year: int


class PublicDecision(DecisionOut):
    awardees: list[PublicAwardee]


class AuditReport(BaseModel):
    intact: bool
    problems: list[str]
