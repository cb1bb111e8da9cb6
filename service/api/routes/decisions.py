"""Decisions ("quyết định"): the signed acts, and the public list of published awards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import func, select

from config.catalogue import catalogue
from service.api.deps import SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.params import Offset
from service.api.schemas import DecisionOut, Page, PublicAwardee, PublicDecision
from service.models import Decision, Nomination, Unit
from workflow.text import search_fold

router = APIRouter(tags=["decisions"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})

# Published: awards decided by the city or at the central level (a revoked award is withdrawn
# from the public list).
_PUBLISHED_STATES = ("awarded", "centrally_decided")


@router.get("/decisions", response_model=Page[DecisionOut],
            dependencies=[require_roles("board_officer", "approver", "council_member", "admin")])
def decisions(session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50,
              offset: Offset = 0) -> Page[DecisionOut]:
    rows = session.exec(select(Decision).order_by(Decision.signed_on.desc(), Decision.id).offset(offset).limit(limit)).all()  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(Decision)).one()
    return Page[DecisionOut](items=[DecisionOut.model_validate(d.model_dump()) for d in rows], total=total, limit=limit, offset=offset)


@router.get("/public/decisions", response_model=Page[PublicDecision], tags=["public"])
def public_decisions(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="search in awardee names and decision numbers")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> Page[PublicDecision]:
    """Published award decisions with their awardees; no sign-in needed, no personal data beyond
    what a published decision shows (name, unit, award, year)."""
    query = (
        select(Decision, Nomination, Unit)
        .join(Nomination, Nomination.decision_id == Decision.id)
        .join(Unit, Unit.code == Nomination.proposing_unit_code)
        .where(Nomination.state.in_(_PUBLISHED_STATES), Decision.kind.in_(("award", "central")))  # type: ignore[attr-defined]
        .order_by(Decision.signed_on.desc(), Decision.id, Nomination.id)  # type: ignore[attr-defined]
    )
    # Search is accent- and case-insensitive, folded in Python: SQLite's lower() knows only ASCII.
    # (An indexed folded column is the next step when the published list grows large.)
    needle = search_fold(q.strip()) if q else ""
    grouped: dict[int, PublicDecision] = {}
    for decision, nomination, unit in session.exec(query):
        if needle and needle not in search_fold(nomination.nominee_name) and needle not in search_fold(decision.number):
            continue
        award = catalogue().version(nomination.ruleset_version).award(nomination.award_code)
        entry = grouped.setdefault(decision.id, PublicDecision(**DecisionOut.model_validate(decision.model_dump()).model_dump(), awardees=[]))
        entry.awardees.append(PublicAwardee(nominee_name=nomination.nominee_name, unit_name_vi=unit.name_vi,
                                            award_name_vi=award.name_vi, year=nomination.year))
    items = list(grouped.values())
    return Page[PublicDecision](items=items[offset:offset + limit], total=len(items), limit=limit, offset=offset)
