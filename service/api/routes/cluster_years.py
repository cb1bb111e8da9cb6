"""The cluster's emulation year ("năm thi đua của Cụm"): read it, self-score, cross-check, the
head's steps, and the secret honouring ballot ("bỏ phiếu suy tôn") with its minutes.

Every write calls the same service function as the CLI and the flows (:mod:`service.cluster_cycle`,
:mod:`service.ballots`); scope comes first (a year outside yours is 404), then the role (403),
then the year's state (409)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from service import ballot_schedule, ballots
from service import cluster_cycle as cycle
from service.actors import Actor
from service.api.cycle_schemas import (
    BallotOpen,
    BallotPaper,
    BallotSchedules,
    BallotScheduleIn,
    BallotScheduleOut,
    ClusterYearDetail,
    ClusterYearOut,
    Minutes,
    QuotaOut,
    YearStart,
    SECRET_PAPER,
    Receipt,
    RoundOut,
    ScoreOut,
    ScoreReview,
    SelfScore,
    YearStep,
)
from service.api.deps import ActorDep, CurrentUser, SessionDep, SettingsDep
from service.api.errors import ApiError
from service.api.params import DB_INT_MAX, Offset
from service.api.routes.nominations import ERRORS, _idempotent, expected_version
from service.api.schemas import Page
from service.cycle_models import ClusterYear
from service.cycle_reads import (ballot_round, list_cluster_years, quota_view, round_view, rounds_of, schedules_of,
                                 visible_cluster_year, year_view)
from service.errors import InvalidInput
from service.xlsx_exports import CONTENT_TYPE as XLSX_TYPE
from service.xlsx_exports import ballot_minutes_xlsx
from service.idempotency import StoredResponse
from workflow.cluster_year import EVENT_LABELS

router = APIRouter(prefix="/cluster-years", tags=["cluster years"])

ClusterCode = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$", description="cluster code, e.g. CUM_7",
                                  examples=["CUM_7"])]
YearPath = Annotated[int, Path(ge=1990, le=2100, description="the emulation year", examples=[2026])]
RoundNo = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="ballot round number (1, then re-votes)")]
UnitCode = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$", description="member unit code")]

# The head's steps that take no more than the fields of YearStep; opening and closing a ballot
# have their own resources.
HEAD_STEPS = ("sign_pledge", "review_mid_year", "open_scoring", "close_scoring", "open_revote", "file_proposals")


def _etag(cy: ClusterYear) -> dict[str, str]:
    return {"ETag": f'"v{cy.version}"'}


def _detail(session: Session, cy: ClusterYear, actor: Actor, status: int = 200) -> JSONResponse:
    body = ClusterYearDetail(**year_view(session, cy, actor)).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=_etag(cy))


def _year(session: Session, actor: Actor, cluster: str, year: int) -> ClusterYear:
    return visible_cluster_year(session, actor, cluster, year)


@router.get("", response_model=Page[ClusterYearOut], responses=ERRORS)
def list_(session: SessionDep, actor: ActorDep, settings: SettingsDep, limit: Annotated[int, Query(ge=1)] = 50,
          offset: Offset = 0) -> Page[ClusterYearOut]:
    """The cluster years you may see (your clusters; every cluster for the city's roles)."""
    limit = min(limit, settings.page_size_max)
    rows, total = list_cluster_years(session, actor, limit=limit, offset=offset)
    items = []
    for cy, cluster in rows:
        view = year_view(session, cy, actor)
        items.append(ClusterYearOut(**{k: view[k] for k in ClusterYearOut.model_fields}))
    return Page[ClusterYearOut](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=ClusterYearDetail, responses=ERRORS)
def start(body: YearStart, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep,
          idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Start a cluster's year under the year's campaign (the cluster's head or deputy, or the
    Board): 201 with the year; a year already started gets 409, an unknown cluster or campaign 422."""

    def run() -> StoredResponse:
        cy = cycle.start_cluster_year(session, actor=actor, cluster_code=body.cluster, year=body.year, campaign_code=body.campaign)
        return StoredResponse(201, ClusterYearDetail(**year_view(session, cy, actor)).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code, headers={"Location": f"/cluster-years/{body.cluster}/{body.year}"})


@router.get("/{cluster}/{year}", response_model=ClusterYearDetail, responses=ERRORS)
def show(cluster: ClusterCode, year: YearPath, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """The year: its step, pledge, who has self-scored, the ranking, its rounds, your next actions."""
    return _detail(session, _year(session, actor, cluster, year), actor)


@router.get("/{cluster}/{year}/quotas/{award}", response_model=QuotaOut, responses=ERRORS)
def quota(cluster: ClusterCode, year: YearPath, award: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")],
          session: SessionDep, actor: ActorDep,
          ruleset: Annotated[str | None, Query(max_length=20, description="rule set version; default: the one in force on 15 January of the next year")] = None) -> QuotaOut:
    """An award's quota for the cluster in that year ("chỉ tiêu") and the nominations using it, as
    ``tdkt cycle quota`` shows it. Read-only."""
    cy = _year(session, actor, cluster, year)
    view = quota_view(session, cy, award, ruleset)
    return QuotaOut(**view)


@router.post("/{cluster}/{year}/scores", response_model=ScoreOut, responses=ERRORS)
def self_score(cluster: ClusterCode, year: YearPath, body: SelfScore, request: Request, session: SessionDep,
               user: CurrentUser, actor: ActorDep, idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Your unit scores itself ("tự chấm điểm") while scoring is open; sending again replaces it."""
    cy = _year(session, actor, cluster, year)

    def run() -> StoredResponse:
        score = cycle.submit_self_score(session, cy.id, actor=actor, **body.model_dump())  # type: ignore[arg-type]
        return StoredResponse(200, ScoreOut.model_validate(score.model_dump()).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code)


@router.post("/{cluster}/{year}/scores/{unit}/review", response_model=ScoreOut, responses=ERRORS)
def review(cluster: ClusterCode, year: YearPath, unit: UnitCode, body: ScoreReview, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """Cross-check another unit's self-score ("chấm chéo"): the head or deputy, or a peer where the
    cluster's regulation says so; never the unit itself."""
    cy = _year(session, actor, cluster, year)
    score = cycle.review_score(session, cy.id, actor=actor, unit_code=unit, reason=body.reason,
                               adjustments=body.adjustments or None, gates=body.gates or None)
    return JSONResponse(ScoreOut.model_validate(score.model_dump()).model_dump(mode="json"))


@router.post("/{cluster}/{year}/actions/{action}", response_model=ClusterYearDetail, responses=ERRORS)
def step(cluster: ClusterCode, year: YearPath, action: str, session: SessionDep, actor: ActorDep, body: YearStep | None = None,
         if_match: Annotated[str | None, Header()] = None) -> JSONResponse:
    """A step of the head or deputy: sign_pledge (signed_on), review_mid_year (held_on, summary),
    open_scoring, close_scoring, open_revote, file_proposals. A stale version gets 409."""
    body = body or YearStep()
    cy = _year(session, actor, cluster, year)
    if action not in HEAD_STEPS:
        raise ApiError(404, "unknown_action", f"Không có thao tác «{action}» của năm thi đua.",
                       f"There is no cluster-year action {action!r}.",
                       {"actions": [{"action": a, "label_vi": EVENT_LABELS[a][0], "label_en": EVENT_LABELS[a][1]} for a in HEAD_STEPS]})
    version = expected_version(if_match, body.version)
    if action == "sign_pledge":
        if body.signed_on is None:
            raise InvalidInput("Hãy ghi ngày ký giao ước (signed_on).", "Give the date the pledge was signed (signed_on).")
        cycle.sign_pledge(session, cy.id, actor=actor, signed_on=body.signed_on, signatories=body.signatories,  # type: ignore[arg-type]
                          expected_version=version)
    elif action == "review_mid_year":
        if body.held_on is None:
            raise InvalidInput("Hãy ghi ngày sơ kết (held_on).", "Give the date of the mid-year review (held_on).")
        cycle.review_mid_year(session, cy.id, actor=actor, held_on=body.held_on, summary=body.summary or "",  # type: ignore[arg-type]
                              expected_version=version)
    elif action == "open_revote":
        ballots.open_revote(session, cy.id, actor=actor, expected_version=version)  # type: ignore[arg-type]
    else:
        getattr(cycle, action)(session, cy.id, actor=actor, expected_version=version)
    return _detail(session, _year(session, actor, cluster, year), actor)


@router.post("/{cluster}/{year}/ballot-schedule", status_code=201, response_model=BallotScheduleOut, responses=ERRORS)
def schedule(cluster: ClusterCode, year: YearPath, body: BallotScheduleIn, request: Request, session: SessionDep, user: CurrentUser,
             actor: ActorDep, idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Schedule round 1 of the honouring ballot (the head or deputy): the deadline sweep opens it at
    ``opens_at``. It must close by the end of the campaign calendar's ``cluster_ballot`` date (422);
    a year with a schedule still pending gets 409."""
    cy = _year(session, actor, cluster, year)

    def run() -> StoredResponse:
        made = ballot_schedule.schedule_ballot(session, cy.id, actor=actor, candidates=body.candidates,  # type: ignore[arg-type]
                                               election=body.election, opens_at=body.opens_at, closes_at=body.closes_at)
        view = next(v for v in schedules_of(session, cy) if v["id"] == made.id)
        return StoredResponse(201, BallotScheduleOut(**view).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code,
                        headers={"Location": f"/cluster-years/{cluster}/{year}/ballot-schedule"})


@router.get("/{cluster}/{year}/ballot-schedule", response_model=BallotSchedules, responses=ERRORS)
def schedules(cluster: ClusterCode, year: YearPath, session: SessionDep, actor: ActorDep) -> BallotSchedules:
    """The year's ballot schedules, newest first: pending, opened (with its round) or failed (with why)."""
    return BallotSchedules(items=[BallotScheduleOut(**v) for v in schedules_of(session, _year(session, actor, cluster, year))])


@router.get("/{cluster}/{year}/ballots", response_model=Page[RoundOut], responses=ERRORS)
def list_rounds(cluster: ClusterCode, year: YearPath, session: SessionDep, actor: ActorDep, settings: SettingsDep,
                limit: Annotated[int, Query(ge=1)] = 50, offset: Offset = 0) -> Page[RoundOut]:
    """The year's ballot rounds, first round first."""
    limit = min(limit, settings.page_size_max)
    rounds = rounds_of(session, _year(session, actor, cluster, year))
    items = [RoundOut(**round_view(session, b)) for b in rounds[offset:offset + limit]]
    return Page[RoundOut](items=items, total=len(rounds), limit=limit, offset=offset)


@router.post("/{cluster}/{year}/ballots", status_code=201, response_model=RoundOut, responses=ERRORS)
def open_round(cluster: ClusterCode, year: YearPath, body: BallotOpen, request: Request, session: SessionDep, user: CurrentUser,
               actor: ActorDep, if_match: Annotated[str | None, Header()] = None,
               idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Open round 1 of the honouring ballot once scoring is closed (the head or deputy)."""
    cy = _year(session, actor, cluster, year)
    version = expected_version(if_match, body.version)

    def run() -> StoredResponse:
        ballot = ballots.open_ballot(session, cy.id, actor=actor, candidates=body.candidates, election=body.election,  # type: ignore[arg-type]
                                     closes_at=body.closes_at, expected_version=version)
        return StoredResponse(201, RoundOut(**round_view(session, ballot)).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code,
                        headers={"Location": f"/cluster-years/{cluster}/{year}/ballots/{result.body.get('round')}"})


@router.get("/{cluster}/{year}/ballots/{round_no}", response_model=RoundOut, responses=ERRORS)
def show_round(cluster: ClusterCode, year: YearPath, round_no: RoundNo, session: SessionDep, actor: ActorDep) -> RoundOut:
    """A round: its questions and which units have voted (never how)."""
    return RoundOut(**round_view(session, ballot_round(session, _year(session, actor, cluster, year), round_no)))


@router.post("/{cluster}/{year}/ballots/{round_no}/votes", status_code=201, response_model=Receipt, responses=ERRORS)
def cast(cluster: ClusterCode, year: YearPath, round_no: RoundNo, body: BallotPaper, request: Request, session: SessionDep,
         user: CurrentUser, actor: ActorDep, idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Cast your unit's secret paper. The answer is a receipt; a second paper gets 409."""
    ballot = ballot_round(session, _year(session, actor, cluster, year), round_no)

    def run() -> StoredResponse:
        ballots.cast_ballot(session, ballot.id, actor=actor, choices=body.choices, head=body.head, deputy=body.deputy)  # type: ignore[arg-type]
        receipt = Receipt(box=ballots.box_of(ballot), voter=actor.unit_code or "", channel="in_person")
        return StoredResponse(201, receipt.model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, SECRET_PAPER, run)  # type: ignore[arg-type]
    return JSONResponse(result.body, status_code=result.status_code)


@router.post("/{cluster}/{year}/ballots/{round_no}/close", response_model=Minutes, responses=ERRORS)
def close(cluster: ClusterCode, year: YearPath, round_no: RoundNo, session: SessionDep, actor: ActorDep) -> Minutes:
    """Close and count the round ("kết thúc bỏ phiếu, kiểm phiếu"); the answer is its minutes."""
    ballot = ballot_round(session, _year(session, actor, cluster, year), round_no)
    closed = ballots.close_ballot(session, ballot.id, actor=actor)  # type: ignore[arg-type]
    return Minutes(minutes=ballots.minutes(session, closed.id))  # type: ignore[arg-type]


@router.get("/{cluster}/{year}/ballots/{round_no}/minutes", response_model=Minutes, responses=ERRORS)
def minutes(cluster: ClusterCode, year: YearPath, round_no: RoundNo, session: SessionDep, actor: ActorDep) -> Minutes:
    """The counting minutes ("biên bản kiểm phiếu") of a closed round: counts only; 409 while open."""
    ballot = ballot_round(session, _year(session, actor, cluster, year), round_no)
    return Minutes(minutes=ballots.minutes(session, ballot.id))  # type: ignore[arg-type]


@router.get("/{cluster}/{year}/ballots/{round_no}/minutes.xlsx", responses={**ERRORS, 200: {"content": {XLSX_TYPE: {}}}},
            response_class=Response)
def minutes_xlsx(cluster: ClusterCode, year: YearPath, round_no: RoundNo, session: SessionDep, actor: ActorDep) -> Response:
    """The counting minutes of a closed round as a spreadsheet (.xlsx): counts per candidate and
    office, never who voted how; 409 while the round is open. Same scope as the minutes."""
    ballot = ballot_round(session, _year(session, actor, cluster, year), round_no)
    data = ballot_minutes_xlsx(session, ballot.id)  # type: ignore[arg-type]
    filename = f"bien-ban-kiem-phieu-{cluster}-{year}-vong-{round_no}.xlsx"
    return Response(data, media_type=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
