"""Read-only reference data: the award catalogue, units and clusters."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from sqlmodel import select

from config.catalogue import catalogue
from service.api.deps import CurrentUser, SessionDep
from service.api.errors import ApiError, ErrorResponse
from service.api.params import Year
from service.api.schemas import ClusterOut, UnitOut
from service.models import Cluster, ClusterMember, Unit

router = APIRouter(tags=["reference"], responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}})


@router.get("/catalogue")
def catalogue_in_force(_: CurrentUser, on: date | None = None) -> dict[str, Any]:
    """The rule set in force on ``on`` (default today): awards, steps, vote rules, SLAs, citations."""
    try:
        ruleset = catalogue().in_force(on or date.today())
    except LookupError:
        raise ApiError(404, "no_ruleset", "Không có quy định nào có hiệu lực vào ngày đó.", "No rule set is in force on that day.") from None
    return ruleset.model_dump(mode="json")


@router.get("/catalogue/{version}")
def catalogue_version(version: str, _: CurrentUser) -> dict[str, Any]:
    try:
        return catalogue().version(version).model_dump(mode="json")
    except KeyError:
        raise ApiError(404, "unknown_ruleset", f"Không có bộ quy định «{version}».", f"There is no rule set {version!r}.") from None


@router.get("/units", response_model=list[UnitOut])
def units(session: SessionDep, _: CurrentUser) -> list[UnitOut]:
    return [UnitOut.model_validate(u.model_dump()) for u in session.exec(select(Unit).order_by(Unit.code))]


@router.get("/clusters", response_model=list[ClusterOut])
def clusters(session: SessionDep, _: CurrentUser, year: Year = None) -> list[ClusterOut]:
    query = select(Cluster).order_by(Cluster.year, Cluster.code)
    if year is not None:
        query = query.where(Cluster.year == year)
    out = []
    for c in session.exec(query):
        members = session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == c.id)).all()
        out.append(ClusterOut(**c.model_dump(), members=sorted(members)))
    return out
