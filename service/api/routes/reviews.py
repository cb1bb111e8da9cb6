"""Revocation consequences over HTTP: history titles (list, revoke) and the Board's review tasks
("việc rà soát") opened by a revocation (list, close). Revoking a decided award is the nomination
action ``revoke`` (``POST /nominations/{id}/actions/revoke``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from service import revocations
from service.api.deps import ActorDep, SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.params import DB_INT_MAX, Offset
from service.api.schemas import Page, RequestBody
from service.models import Decision, ReviewTask, TitleRecord

router = APIRouter(tags=["revocation"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})

TitleId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the title record")]
ReviewId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the review task")]
READERS = ("board_officer", "approver", "council_member", "admin")


class TitleOut(BaseModel):
    id: int
    person_id: int | None
    unit_code: str | None
    year: int
    title: str
    decision_ref: str | None
    revoked_by: str | None = Field(description="number of the revoking decision, if revoked")
    revoked_reason: str | None


class RevokeTitle(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "Kê khai sai thành tích.", "document_number": "77/QĐ-UBND", "signed_on": "2026-11-22", "signer": "Chủ tịch UBND Thành phố"}]})
    reason: str = Field(min_length=1, max_length=5000)
    document_number: str = Field(min_length=1, max_length=60)
    signed_on: date
    signer: str = Field(min_length=1, max_length=200)


class ReviewOut(BaseModel):
    id: int
    nomination_id: int
    cause: str
    revoking_decision: str
    title: str
    title_year: int
    unmet: list[dict[str, Any]]
    status: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    resolution: str | None


class RevokedTitle(BaseModel):
    title: TitleOut
    reviews: list[ReviewOut]


class CloseReview(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"resolution": "Đề nghị thu hồi danh hiệu CSTĐ TP."}]})
    resolution: str = Field(min_length=1, max_length=5000)


def _title_out(session: Any, t: TitleRecord) -> TitleOut:
    revoked = session.get(Decision, t.revoked_decision_id) if t.revoked_decision_id else None
    return TitleOut(id=t.id, person_id=t.person_id, unit_code=t.unit_code, year=t.year, title=t.title,  # type: ignore[arg-type]
                    decision_ref=t.decision_ref, revoked_by=revoked.number if revoked else None, revoked_reason=t.revoked_reason)


def _review_out(session: Any, r: ReviewTask) -> ReviewOut:
    decision = session.get(Decision, r.revoking_decision_id)
    return ReviewOut(**r.model_dump(exclude={"revoking_decision_id"}), revoking_decision=decision.number)


@router.get("/titles", response_model=list[TitleOut], dependencies=[require_roles(*READERS)])
def titles(
    session: SessionDep,
    person_code: Annotated[str | None, Query(max_length=40)] = None,
    unit_code: Annotated[str | None, Query(max_length=40)] = None,
) -> list[TitleOut]:
    """The title history ("lịch sử danh hiệu") of one person or collective, revoked ones marked."""
    return [_title_out(session, t) for t in revocations.titles_of(session, person_code=person_code, unit_code=unit_code)]


@router.post("/titles/{title_id}/revoke", response_model=RevokedTitle, dependencies=[require_roles("board_officer", "approver")])
def revoke_title(title_id: TitleId, body: RevokeTitle, session: SessionDep, actor: ActorDep) -> RevokedTitle:
    """Record the revocation of a history title; every award that counted it gets a review task."""
    record, tasks = revocations.revoke_title(session, title_id, actor=actor, reason=body.reason, decision_number=body.document_number,
                                             signed_on=body.signed_on, signer=body.signer)
    return RevokedTitle(title=_title_out(session, record), reviews=[_review_out(session, t) for t in tasks])


@router.get("/reviews", response_model=Page[ReviewOut], dependencies=[require_roles(*READERS)])
def reviews(
    session: SessionDep, status: Literal["open", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0,
) -> Page[ReviewOut]:
    """Review tasks opened by revocations, oldest first."""
    rows, total = revocations.list_reviews(session, status=status, limit=limit, offset=offset)
    return Page[ReviewOut](items=[_review_out(session, r) for r in rows], total=total, limit=limit, offset=offset)


@router.post("/reviews/{review_id}/close", response_model=ReviewOut, dependencies=[require_roles("board_officer", "admin")])
def close_review(review_id: ReviewId, body: CloseReview, session: SessionDep, actor: ActorDep) -> ReviewOut:
    """Close a review task with the Board's resolution."""
    return _review_out(session, revocations.close_review(session, review_id, actor=actor, resolution=body.resolution))
