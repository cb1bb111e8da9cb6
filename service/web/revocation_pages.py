"""Revocation consequences for the Board ("thu hồi và rà soát"): a holder's title history with
the form to revoke a title by a revoking decision, and the review tasks a revocation opened, each
closed with a resolution. Revoking a decided award is the nomination page's ``revoke`` action.
Every write is :mod:`service.revocations`, as ``/titles`` and ``/reviews`` of the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from service import revocations
from service.actors import Actor
from service.api.deps import SessionDep
from service.errors import InvalidInput
from service.models import Decision, Nomination, Person, ReviewTask, TitleRecord
from service.web.i18n import lang_of, pick
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from workflow.errors import WorkflowError

router = APIRouter(prefix="/web", include_in_schema=False)
READERS = frozenset({"board_officer", "approver", "council_member", "admin"})  # as GET /titles and /reviews


def _refused(request: Request) -> Response:
    return render(request, "error.html", 403, error_key="role_only")


def _titles_page(request: Request, session: Session, actor: Actor, person_code: str | None, unit_code: str | None,
                 status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    titles: list[TitleRecord] = []
    error = extra.pop("error", None)
    if person_code or unit_code:
        try:
            titles = revocations.titles_of(session, person_code=person_code or None, unit_code=None if person_code else unit_code)
        except WorkflowError as exc:
            error, status = error or error_message(request, exc), status if status != 200 else status_of(exc)
    decisions = {d.id: d for d in session.exec(select(Decision).where(
        Decision.id.in_([t.revoked_decision_id for t in titles if t.revoked_decision_id])))}  # type: ignore[attr-defined]
    return render(request, "titles.html", status, titles=titles, decisions=decisions, person_code=person_code or "",
                  unit_code=unit_code or "", can_revoke=actor.role in revocations.TITLE_REVOKERS, today=date.today().isoformat(),
                  error=error, **extra)


@router.get("/titles", response_class=HTMLResponse)
def titles_page(request: Request, session: SessionDep, actor: PageActor,
                person_code: Annotated[str | None, Query(max_length=40)] = None,
                unit_code: Annotated[str | None, Query(max_length=40)] = None,
                revoked: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    if actor.role.value not in READERS:
        return _refused(request)
    opened = list(session.exec(select(ReviewTask).where(ReviewTask.cause == f"title:{revoked}"))) if revoked else []
    flash = pick(("Đã ghi nhận thu hồi danh hiệu.", "The title's revocation is recorded."), lang_of(request)) if revoked else None
    return _titles_page(request, session, actor, person_code, unit_code, opened=opened, flash=flash)


@router.post("/titles/{title_id}/revoke", response_class=HTMLResponse)
def revoke_title(
    title_id: int, request: Request, session: SessionDep, actor: FormActor,
    reason: Annotated[str, Form(max_length=5000)] = "", document_number: Annotated[str, Form(max_length=60)] = "",
    signed_on: Annotated[date | None, Form()] = None, signer: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    record = session.get(TitleRecord, title_id)
    person = session.get(Person, record.person_id) if record and record.person_id else None
    holder = {"person_code": person.code} if person else {"unit_code": record.unit_code} if record else {}
    try:
        if "\x00" in reason + document_number + signer:
            raise InvalidInput("Nội dung không được chứa ký tự NUL.", "Text must not contain the NUL character.")
        if signed_on is None:
            raise InvalidInput("Cần ngày ký của quyết định thu hồi.", "Give the revoking decision's date.")
        revocations.revoke_title(session, title_id, actor=actor, reason=reason, decision_number=document_number,
                                 signed_on=signed_on, signer=signer)
    except WorkflowError as exc:
        session.rollback()
        return _titles_page(request, session, actor, holder.get("person_code"), holder.get("unit_code"), status_of(exc),
                            error=error_message(request, exc))
    return RedirectResponse(f"/web/titles?{urlencode({**holder, 'revoked': title_id})}", status_code=303)


def _reviews_page(request: Request, session: Session, actor: Actor, status_filter: str | None, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    tasks, total = revocations.list_reviews(session, status=status_filter, limit=200)
    nominations = {t.nomination_id: session.get(Nomination, t.nomination_id) for t in tasks}
    decisions = {t.revoking_decision_id: session.get(Decision, t.revoking_decision_id) for t in tasks}
    return render(request, "reviews.html", status, tasks=tasks, total=total, nominations=nominations, decisions=decisions,
                  status_filter=status_filter or "", can_close=actor.role in revocations.REVIEW_CLOSERS, **extra)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: SessionDep, actor: PageActor,
                 status: Literal["open", "closed", ""] = "open", done: str | None = None) -> Response:
    if actor.role.value not in READERS:
        return _refused(request)
    return _reviews_page(request, session, actor, status or None,
                         flash=pick(("Đã đóng việc rà soát.", "The review is closed."), lang_of(request)) if done else None)


@router.post("/reviews/{review_id}/close", response_class=HTMLResponse)
def close_review(review_id: int, request: Request, session: SessionDep, actor: FormActor,
                 resolution: Annotated[str, Form(max_length=5000)] = "") -> Response:
    try:
        if "\x00" in resolution:
            raise InvalidInput("Nội dung không được chứa ký tự NUL.", "Text must not contain the NUL character.")
        revocations.close_review(session, review_id, actor=actor, resolution=resolution)
    except WorkflowError as exc:
        session.rollback()
        if actor.role.value not in READERS:
            return render(request, "error.html", status_of(exc), error=error_message(request, exc))
        return _reviews_page(request, session, actor, "open", status_of(exc), error=error_message(request, exc))
    return RedirectResponse("/web/reviews?status=closed&done=1", status_code=303)
