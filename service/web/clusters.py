"""Cluster pages ("Cụm thi đua"): a cluster's year with its scoring table and ranking, the
honouring ballot, and the forms of the cluster head (open/close scoring and ballot, file the
proposals) and of each member unit (self-score, cast its paper).

Which steps the head is offered comes from :func:`workflow.cluster_year.enabled_events` with the
same facts the service gives the machine; every POST calls :mod:`service.cluster_cycle` or
:mod:`service.ballots`, which check the role, the unit and the step again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from config.catalogue import catalogue
from service import ballots, xlsx_exports
from service import cluster_cycle as cycle
from service.actors import Actor
from service.api.deps import SessionDep
from service.cycle_models import ClusterBallotRound, ClusterScore, ClusterYear
from service.errors import InvalidInput, NotFound
from service.models import Cluster, ClusterMember
from service.web.exports import xlsx
from service.web.i18n import lang_of, pick
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from workflow import cluster_year as machine
from workflow.errors import WorkflowError
from workflow.roles import Role

router = APIRouter(prefix="/web", include_in_schema=False)

# Head steps the pages offer (the pledge and mid-year review are recorded by the API/CLI).
HEAD_STEPS = ("open_scoring", "close_scoring", "open_ballot", "close_ballot", "open_revote", "file_proposals")
_CITY = frozenset({Role.BOARD_OFFICER, Role.ADMIN, Role.APPROVER, Role.COUNCIL_MEMBER})


def visible_years(session: Session, actor: Actor) -> list[tuple[ClusterYear, Cluster]]:
    query = select(ClusterYear, Cluster).join(Cluster, Cluster.id == ClusterYear.cluster_id).order_by(Cluster.year.desc(), Cluster.code)  # type: ignore[attr-defined]
    if actor.role in (Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER):  # a cluster's own units
        mine = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == (actor.unit_code or ""))
        query = query.where(ClusterYear.cluster_id.in_(mine))  # type: ignore[attr-defined]
    elif actor.role not in _CITY:  # a unit's officer and head work on nominations, not the cluster's year
        return []
    return list(session.exec(query))


def _load(session: Session, cy_id: int, actor: Actor) -> tuple[ClusterYear, Cluster]:
    for cy, cluster in visible_years(session, actor):
        if cy.id == cy_id:
            return cy, cluster
    raise NotFound(f"Không tìm thấy năm thi đua #{cy_id}.", f"Cluster year #{cy_id} was not found.")


def _is_head(actor: Actor, cluster: Cluster) -> bool:
    try:
        cycle.require_head(actor, cluster)
        return True
    except WorkflowError:
        return False


def member_unit(session: Session, actor: Actor, cluster: Cluster) -> str | None:
    try:
        return cycle.require_member(session, actor, cluster, doing_vi="", doing_en="")
    except WorkflowError:
        return None


def head_steps(session: Session, cy: ClusterYear, cluster: Cluster, actor: Actor) -> list[str]:
    """The steps the machine allows now, given the facts the service would give it; none for non-heads."""
    if not _is_head(actor, cluster):
        return []
    scored = set(session.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))
    unscored = len([u for u in cycle.members_of(session, cluster.id) if u not in scored])  # type: ignore[arg-type]
    last = ballots.current_ballot(session, cy.id)  # type: ignore[arg-type]
    undecided = last.minutes.get("undecided", {}) if last else {}
    facts = {"unscored": unscored, "undecided": len(undecided.get("awards", {})) + len(undecided.get("election", {}))}
    return [e for e in machine.enabled_events(cy.state, **facts) if e in HEAD_STEPS]


def _page(request: Request, session: Session, cy: ClusterYear, cluster: Cluster, actor: Actor, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    members = cycle.members_of(session, cluster.id)  # type: ignore[arg-type]
    scores = {s.unit_code: s for s in session.exec(select(ClusterScore).where(ClusterScore.cluster_year_id == cy.id))}
    ranking = cycle.current_ranking(session, cy) if cy.pledge and scores else []
    rounds = list(session.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id).order_by(ClusterBallotRound.round)))
    current = rounds[-1] if rounds else None
    unit = member_unit(session, actor, cluster)
    pledge = cycle.pledge_of(cy) if cy.pledge else None
    can_score = unit is not None and cy.state == "scoring_open" and pledge is not None
    can_vote = (unit is not None and current is not None and current.state == "open"
                and unit in current.questions["members"] and not ballots.has_voted(session, current.id, unit))  # type: ignore[arg-type]
    ruleset = catalogue().in_force(cycle.local_today())
    ballot_awards = [a for a in ruleset.awards if a.cluster_ballot is not None and "cluster" in a.routes]
    return render(
        request, "cluster_year.html", status, cy=cy, cluster=cluster, members=members, names={m: cycle.unit_name(session, m) for m in members},
        scores=scores, ranking=ranking, rounds=rounds, current=current, voters={r.id: ballots.voters(session, r.id) for r in rounds},  # type: ignore[arg-type]
        unit=unit, pledge=pledge, can_score=can_score, can_vote=can_vote, steps=head_steps(session, cy, cluster, actor),
        step_labels=machine.EVENT_LABELS, state_labels=machine.STATE_LABELS, ballot_awards=ballot_awards,
        gate_names={g.code: pick((g.label_vi, g.label_en), lang_of(request)) for g in (pledge.gates if pledge else ())}, **extra,
    )


def _missing(request: Request, cy_id: int) -> Response:
    return render(request, "error.html", 404, error=pick((f"Không tìm thấy năm thi đua #{cy_id}.", f"Cluster year #{cy_id} was not found."), lang_of(request)))


@router.get("/clusters", response_class=HTMLResponse)
def clusters_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    return render(request, "clusters.html", years=visible_years(session, actor), state_labels=machine.STATE_LABELS)


@router.get("/clusters/{cy_id}", response_class=HTMLResponse)
def cluster_year_page(cy_id: int, request: Request, session: SessionDep, actor: PageActor, done: str | None = None) -> Response:
    try:
        cy, cluster = _load(session, cy_id, actor)
    except WorkflowError:
        return _missing(request, cy_id)
    flash = pick(("Đã thực hiện.", "Done."), lang_of(request)) if done else None
    return _page(request, session, cy, cluster, actor, flash=flash)


@router.get("/clusters/{cy_id}/ballots/{ballot_id}/minutes.xlsx")
def ballot_minutes_xlsx(cy_id: int, ballot_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """A closed round's counting minutes as a spreadsheet — counts only, the API's workbook — for
    whoever sees the cluster's year; 409 while the round is open."""
    try:
        cy, _ = _load(session, cy_id, actor)
    except WorkflowError:
        return _missing(request, cy_id)
    ballot = session.get(ClusterBallotRound, ballot_id)
    if ballot is None or ballot.cluster_year_id != cy.id:
        return render(request, "error.html", 404, error=pick((f"Không tìm thấy lần bỏ phiếu #{ballot_id} của năm thi đua này.",
                                                              f"Ballot #{ballot_id} of this cluster year was not found."), lang_of(request)))
    try:
        data = xlsx_exports.ballot_minutes_xlsx(session, ballot_id)
    except WorkflowError as exc:
        return render(request, "error.html", status_of(exc), error=error_message(request, exc))
    return xlsx(data, f"bien-ban-kiem-phieu-{cy_id}-vong-{ballot.round}.xlsx")


def _after(request: Request, session: Session, cy_id: int, actor: Actor, run) -> Response:  # type: ignore[no-untyped-def]
    """Run one write; on a refusal show the page again with the service's message."""
    try:
        _load(session, cy_id, actor)
    except WorkflowError:
        return _missing(request, cy_id)
    try:
        run()
    except WorkflowError as exc:
        session.rollback()
        cy, cluster = _load(session, cy_id, actor)
        return _page(request, session, cy, cluster, actor, status_of(exc), error=error_message(request, exc))
    return RedirectResponse(f"/web/clusters/{cy_id}?done=1", status_code=303)


@router.post("/clusters/{cy_id}/step/{step}", response_class=HTMLResponse)
async def head_step(cy_id: int, step: str, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await request.form()
    version = int(str(form.get("version") or 0)) or None

    def run() -> None:
        if step == "open_ballot":
            candidates = {code: [str(u) for u in form.getlist(f"candidates_{code}")] for code in {k.removeprefix("candidates_") for k in form if str(k).startswith("candidates_")}}
            ballots.open_ballot(session, cy_id, actor=actor, candidates={c: u for c, u in candidates.items() if u}, expected_version=version)
        elif step == "close_ballot":
            current = ballots.current_ballot(session, cy_id)
            if current is None:
                raise InvalidInput("Chưa có lần bỏ phiếu nào.", "There is no ballot round.")
            ballots.close_ballot(session, current.id, actor=actor)  # type: ignore[arg-type]
        elif step == "open_revote":
            ballots.open_revote(session, cy_id, actor=actor, expected_version=version)
        elif step in ("open_scoring", "close_scoring", "file_proposals"):
            getattr(cycle, step)(session, cy_id, actor=actor, expected_version=version)
        else:
            raise InvalidInput(f"Không có bước «{step}».", f"There is no step {step!r}.")

    return await run_in_threadpool(_after, request, session, cy_id, actor, run)


@router.post("/clusters/{cy_id}/self-score", response_class=HTMLResponse)
async def self_score(cy_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await request.form()

    def part(prefix: str) -> dict[str, str]:
        return {str(k).removeprefix(prefix): str(v) for k, v in form.items() if str(k).startswith(prefix) and str(v).strip()}

    def run() -> None:
        cy, _ = _load(session, cy_id, actor)
        gates = {g.code: form.get(f"gate_{g.code}") == "yes" for g in cycle.pledge_of(cy).gates}
        cycle.submit_self_score(session, cy_id, actor=actor, criteria=part("c_"), bonus=part("b_"), penalty=part("p_"),
                                evidence=part("e_"), gates=gates)

    return await run_in_threadpool(_after, request, session, cy_id, actor, run)


@router.post("/clusters/{cy_id}/ballots/{ballot_id}/cast", response_class=HTMLResponse)
async def cast(cy_id: int, ballot_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await request.form()

    def run() -> None:
        choices: dict[str, dict[str, str]] = {}
        for key, value in form.items():
            if str(key).startswith("v__") and value:
                _, award, unit = str(key).split("__", 2)
                choices.setdefault(award, {})[unit] = str(value)
        ballots.cast_ballot(session, ballot_id, actor=actor, choices=choices)

    return await run_in_threadpool(_after, request, session, cy_id, actor, run)
