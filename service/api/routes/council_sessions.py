"""Sessions of the city Emulation–Commendation Council ("phiên họp Hội đồng TĐKT TP"): the
agenda, opening the vote, members' secret papers, closing and the results.

Every write calls :mod:`service.council`, as the CLI and the flows do. Sessions are the city's
business: other roles get 404 for a session (its existence does not leak) and an empty list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, select

from service import council
from service.actors import Actor
from service.api.cycle_schemas import (
    AgendaAdd,
    AgendaItemOut,
    AgendaRemove,
    Arrival,
    CouncilPaper,
    CouncilSessionDetail,
    CouncilSessionOut,
    Minutes,
    SECRET_PAPER,
    Receipt,
    MinutesSignature,
    SessionOpen,
    SessionSchedule,
    SessionStep,
)
from service.api.deps import ActorDep, CurrentUser, SessionDep, SettingsDep
from service.api.params import DB_INT_MAX, Offset
from service.api.routes.nominations import ERRORS, _idempotent, expected_version
from service.api.schemas import Page
from service.cycle_models import CouncilMember, CouncilSession
from service.cycle_reads import list_council_sessions, session_view, visible_council_session
from service.idempotency import StoredResponse

router = APIRouter(prefix="/council-sessions", tags=["council sessions"])

SessionId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the council session")]


def _detail(session: Session, cs: CouncilSession, actor: Actor, status: int = 200) -> JSONResponse:
    body = CouncilSessionDetail(**session_view(session, cs, actor)).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": f'"v{cs.version}"'})


@router.get("", response_model=Page[CouncilSessionOut], responses=ERRORS)
def list_(session: SessionDep, actor: ActorDep, settings: SettingsDep, limit: Annotated[int, Query(ge=1)] = 50,
          offset: Offset = 0) -> Page[CouncilSessionOut]:
    """Council sessions, latest first (the city's roles; others see none)."""
    limit = min(limit, settings.page_size_max)
    rows, total = list_council_sessions(session, actor, limit=limit, offset=offset)
    items = []
    for cs in rows:
        view = session_view(session, cs, actor)
        items.append(CouncilSessionOut(**{k: view[k] for k in CouncilSessionOut.model_fields}))
    return Page[CouncilSessionOut](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=CouncilSessionDetail, responses=ERRORS)
def schedule(body: SessionSchedule, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep,
             idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Schedule a session of the year's council ("lên lịch phiên họp"; the Board's officer)."""

    def run() -> StoredResponse:
        cs = council.schedule_session(session, actor=actor, year=body.year, title_vi=body.title_vi, scheduled_on=body.scheduled_on)
        return StoredResponse(201, CouncilSessionDetail(**session_view(session, cs, actor)).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code, headers={"Location": f"/council-sessions/{result.body.get('id')}"})


@router.get("/{session_id}", response_model=CouncilSessionDetail, responses=ERRORS)
def show(session_id: SessionId, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """A session with its agenda, attendance, how many papers arrived, and your next actions."""
    return _detail(session, visible_council_session(session, actor, session_id), actor)


@router.post("/{session_id}/agenda", status_code=201, response_model=AgendaItemOut, responses=ERRORS)
def add_item(session_id: SessionId, body: AgendaAdd, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep,
             if_match: Annotated[str | None, Header()] = None,
             idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Put a nomination that is at the council on the agenda (the Board's officer)."""
    cs = visible_council_session(session, actor, session_id)
    version = expected_version(if_match, body.version)

    def run() -> StoredResponse:
        council.add_to_agenda(session, cs.id, body.nomination_id, actor=actor, expected_version=version)  # type: ignore[arg-type]
        item = next(i for i in session_view(session, visible_council_session(session, actor, session_id), actor)["agenda"]
                    if i["nomination_id"] == body.nomination_id)
        return StoredResponse(201, AgendaItemOut(**item).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code)


@router.post("/{session_id}/open", response_model=CouncilSessionDetail, responses=ERRORS)
def open_(session_id: SessionId, body: SessionOpen, session: SessionDep, actor: ActorDep,
          if_match: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Open the session and its ballots ("khai mạc"), with the members present in person."""
    cs = visible_council_session(session, actor, session_id)
    cs = council.open_session(session, cs.id, actor=actor, present=body.present,  # type: ignore[arg-type]
                              expected_version=expected_version(if_match, body.version))
    return _detail(session, cs, actor)


@router.post("/{session_id}/agenda/{nomination_id}/remove", response_model=CouncilSessionDetail, responses=ERRORS)
def remove(session_id: SessionId, nomination_id: Annotated[int, Path(ge=1, le=DB_INT_MAX)], body: AgendaRemove, session: SessionDep,
           actor: ActorDep) -> JSONResponse:
    """Take a nomination off a scheduled session's agenda ("rút khỏi chương trình họp"), with the reason."""
    cs = visible_council_session(session, actor, session_id)
    council.remove_from_agenda(session, cs.id, nomination_id, actor=actor, reason=body.reason)  # type: ignore[arg-type]
    return _detail(session, visible_council_session(session, actor, session_id), actor)


@router.post("/{session_id}/arrivals", response_model=CouncilSessionDetail, responses=ERRORS)
def arrive(session_id: SessionId, body: Arrival, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """Count a member who arrives after the opening as present (the Board's officer, who runs the
    meeting); a member who already voted in writing gets 409."""
    cs = visible_council_session(session, actor, session_id)
    cs = council.record_arrival(session, cs.id, actor=actor, member_code=body.member)  # type: ignore[arg-type]
    return _detail(session, cs, actor)


@router.post("/{session_id}/votes", status_code=201, response_model=Receipt, responses=ERRORS)
def cast(session_id: SessionId, body: CouncilPaper, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep,
         idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Cast your secret paper as a council member. The answer is a receipt; a second gets 409."""
    cs = visible_council_session(session, actor, session_id)

    def run() -> StoredResponse:
        channel = council.cast_council_ballot(session, cs.id, actor=actor, choices=body.choices)  # type: ignore[arg-type]
        code = session.exec(select(CouncilMember.code).where(CouncilMember.year == cs.year, CouncilMember.username == actor.name)).one()
        return StoredResponse(201, Receipt(box=council.box_of(cs), voter=code, channel=channel).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, SECRET_PAPER, run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code)


@router.post("/{session_id}/close", response_model=Minutes, responses=ERRORS)
def close(session_id: SessionId, session: SessionDep, actor: ActorDep, body: SessionStep | None = None,
          if_match: Annotated[str | None, Header()] = None) -> Minutes:
    """Close the vote and count ("kiểm phiếu"): each nomination's result is recorded; the answer is the minutes."""
    cs = visible_council_session(session, actor, session_id)
    council.close_session(session, cs.id, actor=actor, expected_version=expected_version(if_match, (body or SessionStep()).version))  # type: ignore[arg-type]
    return Minutes(minutes=council.minutes(session, cs.id))  # type: ignore[arg-type]


@router.get("/{session_id}/results", response_model=Minutes, responses=ERRORS)
def results(session_id: SessionId, session: SessionDep, actor: ActorDep) -> Minutes:
    """The counted results per nomination (counts and outcome, never a vote); 409 before closing."""
    cs = visible_council_session(session, actor, session_id)
    return Minutes(minutes=council.minutes(session, cs.id))  # type: ignore[arg-type]


@router.post("/{session_id}/sign-minutes", response_model=CouncilSessionDetail, responses=ERRORS)
def sign(session_id: SessionId, body: MinutesSignature, session: SessionDep, actor: ActorDep,
         if_match: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Record who signed the minutes of the count ("ký biên bản kiểm phiếu")."""
    cs = visible_council_session(session, actor, session_id)
    cs = council.sign_minutes(session, cs.id, actor=actor, signed_by=body.signed_by,  # type: ignore[arg-type]
                              expected_version=expected_version(if_match, body.version))
    return _detail(session, cs, actor)
