"""Campaigns ("đợt thi đua"): the list, the what-if calendar and accepting a plan as the calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from service import campaign_plans
from service.api.deps import ActorDep, CurrentUser, SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.params import DB_INT_MAX
from service.api.schemas import RequestBody
from service.models import Campaign

router = APIRouter(prefix="/campaigns", tags=["campaigns"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
CampaignId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the campaign")]


class CampaignOut(BaseModel):
    id: int
    code: str
    name_vi: str
    kind: str
    year: int
    opens_on: date
    filing_deadline: date
    calendar: dict[str, Any]


class Plan(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "calendar": {"filing": "2027-01-15", "cluster_ballot": "2027-01-10", "appraisal": "2027-03-15"},
        "cluster_starts": {"CUM_7": "2026-12-10"}, "decide_by": "2027-04-30"}]})
    calendar: dict[str, date] = Field(description="final date per step (filing, cluster_ballot, appraisal, council, signature …)")
    cluster_starts: dict[str, date] = Field(default_factory=dict, description="when each cluster's ballot starts")
    default_cluster_start: date | None = None
    decide_by: date | None = Field(default=None, description="the date every city decision should be signed by")
    awards: list[str] | None = Field(default=None, max_length=50)


class AcceptPlan(Plan):
    accept_misses: bool = False


def _what_if(body: Plan) -> dict[str, Any]:
    return {"cluster_starts": body.cluster_starts, "default_cluster_start": body.default_cluster_start,
            "decide_by": body.decide_by, "awards": body.awards}


@router.get("", response_model=list[CampaignOut])
def campaigns(session: SessionDep, _: CurrentUser) -> list[CampaignOut]:
    return [CampaignOut.model_validate(c.model_dump()) for c in session.exec(select(Campaign).order_by(Campaign.opens_on, Campaign.code))]


@router.post("/{campaign_id}/what-if", dependencies=[require_roles("board_officer", "admin")])
def what_if(campaign_id: CampaignId, body: Plan, session: SessionDep) -> dict[str, Any]:
    """Simulate the plan on the working-day calendar: which steps and clusters would miss their
    dates. Nothing is written."""
    return campaign_plans.forecast(session, campaign_id, finals=body.calendar, **_what_if(body))


@router.put("/{campaign_id}/calendar", dependencies=[require_roles("board_officer", "admin")])
def accept(campaign_id: CampaignId, body: AcceptPlan, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Make the plan the campaign's calendar (audited); refused (409) if it misses a date, unless
    ``accept_misses`` is true."""
    campaign, result = campaign_plans.accept_plan(session, campaign_id, actor=actor, finals=body.calendar,
                                                  accept_misses=body.accept_misses, **_what_if(body))
    return {"campaign": CampaignOut.model_validate(campaign.model_dump()).model_dump(mode="json"), "forecast": result}
