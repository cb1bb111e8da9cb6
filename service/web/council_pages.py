"""Council pages ("Hội đồng TĐKT"): the sessions, a session's agenda with the Board's steps
(put many nominations on the agenda at once, open with the members present, close and count,
sign the minutes) and a member's secret paper while the session is open.

Steps come from :func:`workflow.council_session.enabled_events`; every POST calls
:mod:`service.council`, which checks role, membership and state again. Results appear only once
the session is counted (``council.minutes`` refuses before)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from service import council, cycle_reads
from service.actors import Actor
from service.api.deps import SessionDep
from service.cycle_models import CouncilMember, CouncilSession
from service.errors import InvalidInput
from service.models import Nomination
from service.web.i18n import lang_of, pick
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from workflow import council_session as machine
from workflow.errors import WorkflowError
from workflow.roles import Role

router = APIRouter(prefix="/web", include_in_schema=False)

_READERS = frozenset({Role.BOARD_OFFICER, Role.ADMIN, Role.COUNCIL_MEMBER, Role.APPROVER})


def is_manager(actor: Actor) -> bool:
    """Whether the actor prepares council sessions (agenda, minutes) — the service's own rule."""
    return actor.role in council.MANAGERS


def council_member(session: Session, cs: CouncilSession, actor: Actor) -> CouncilMember | None:
    if actor.role is not Role.COUNCIL_MEMBER:
        return None
    return session.exec(select(CouncilMember).where(CouncilMember.year == cs.year, CouncilMember.username == actor.name)).first()


def _refused(request: Request) -> Response:
    return render(request, "error.html", 403, error_key="role_only")


def _page(request: Request, session: Session, cs: CouncilSession, actor: Actor, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    items = council.agenda(session, cs.id)  # type: ignore[arg-type]
    nominations = {i.nomination_id: session.get(Nomination, i.nomination_id) for i in items}
    # What the actor may do is the service's answer (the API's allowed_actions), not the page's guess.
    actions = cycle_reads.session_actions(session, cs, actor)
    steps = [a for a in actions if a in machine.EVENT_LABELS]
    on_agenda = set(nominations)
    waiting = [n for n in session.exec(select(Nomination).where(Nomination.state == "at_council").order_by(Nomination.id))
               if n.id not in on_agenda] if "add_to_agenda" in actions else []
    member = council_member(session, cs, actor)
    can_vote = "cast_ballot" in actions
    minutes = council.minutes(session, cs.id) if cs.state in ("closed", "minutes_signed") else None  # type: ignore[arg-type]
    return render(
        request, "council_session.html", status, cs=cs, items=items, nominations=nominations, steps=steps, waiting=waiting,
        members=council.members_of(session, cs.year), member=member, can_vote=can_vote,
        papers=len(council.voters(session, cs.id)), minutes=minutes, state_labels=machine.STATE_LABELS,  # type: ignore[arg-type]
        step_labels=machine.EVENT_LABELS, voted=member is not None and council.has_voted(session, cs.id, member.code), **extra,  # type: ignore[arg-type]
    )


@router.get("/council", response_class=HTMLResponse)
def sessions_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    if actor.role not in _READERS:
        return _refused(request)
    sessions = session.exec(select(CouncilSession).order_by(CouncilSession.scheduled_on.desc())).all()  # type: ignore[attr-defined]
    return render(request, "council_sessions.html", sessions=sessions, state_labels=machine.STATE_LABELS)


def _load(request: Request, session: Session, session_id: int, actor: Actor) -> CouncilSession | Response:
    if actor.role not in _READERS:
        return _refused(request)
    cs = session.get(CouncilSession, session_id, populate_existing=True)
    if cs is None:
        return render(request, "error.html", 404, error=pick((f"Không tìm thấy phiên họp Hội đồng #{session_id}.",
                                                              f"Council session #{session_id} was not found."), lang_of(request)))
    return cs


@router.get("/council/{session_id}", response_class=HTMLResponse)
def session_page(session_id: int, request: Request, session: SessionDep, actor: PageActor, done: str | None = None) -> Response:
    cs = _load(request, session, session_id, actor)
    if not isinstance(cs, CouncilSession):
        return cs
    return _page(request, session, cs, actor, flash=pick(("Đã thực hiện.", "Done."), lang_of(request)) if done else None)


def _write(request: Request, session: Session, session_id: int, actor: Actor, run) -> Response:  # type: ignore[no-untyped-def]
    cs = _load(request, session, session_id, actor)
    if not isinstance(cs, CouncilSession):
        return cs
    try:
        run(cs)
    except WorkflowError as exc:
        session.rollback()
        cs = session.get(CouncilSession, session_id, populate_existing=True)
        return _page(request, session, cs, actor, status_of(exc), error=error_message(request, exc))  # type: ignore[arg-type]
    return RedirectResponse(f"/web/council/{session_id}?done=1", status_code=303)


@router.post("/council/{session_id}/step/{step}", response_class=HTMLResponse)
async def step(session_id: int, step: str, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await request.form()
    version = int(str(form.get("version") or 0)) or None

    def run(cs: CouncilSession) -> None:
        if step == "open_session":
            council.open_session(session, session_id, actor=actor, present=[str(v) for v in form.getlist("present")], expected_version=version)
        elif step == "close_session":
            council.close_session(session, session_id, actor=actor, expected_version=version)
        elif step == "sign_minutes":
            council.sign_minutes(session, session_id, actor=actor, signed_by=str(form.get("signed_by") or ""), expected_version=version)
        else:
            raise InvalidInput(f"Không có bước «{step}».", f"There is no step {step!r}.")

    return await run_in_threadpool(_write, request, session, session_id, actor, run)


@router.post("/council/{session_id}/agenda", response_class=HTMLResponse)
async def put_on_agenda(session_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    """Bulk: put every selected nomination on the agenda, in one go."""
    form = await request.form()

    def run(cs: CouncilSession) -> None:
        ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
        if not ids:
            raise InvalidInput("Hãy chọn ít nhất một hồ sơ.", "Select at least one nomination.")
        for nomination_id in ids:
            council.add_to_agenda(session, session_id, nomination_id, actor=actor)

    return await run_in_threadpool(_write, request, session, session_id, actor, run)


@router.post("/council/{session_id}/cast", response_class=HTMLResponse)
async def cast(session_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await request.form()

    def run(cs: CouncilSession) -> None:
        choices = {int(str(k).removeprefix("v_")): str(v) for k, v in form.items() if str(k).startswith("v_") and str(k)[2:].isdigit()}
        council.cast_council_ballot(session, session_id, actor=actor, choices=choices)

    return await run_in_threadpool(_write, request, session, session_id, actor, run)
