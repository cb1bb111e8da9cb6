"""Nomination pages for every signed-in role: the list (with bulk actions), one nomination with
its timeline, documents and the actions the user may take, and the action forms' POSTs.

Buttons come only from :func:`service.queries.next_actions`; a POST goes through
:func:`service.verbs.perform`, which refuses whatever the user may not do.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from config.catalogue import catalogue
from config.settings import get_settings
from service.cluster_cycle import local_today

from service import attachments as attach
from service.actors import Actor
from service.api.deps import SessionDep
from service.api.routes.nominations import REASON_ACTIONS
from service.eligibility import check_nomination
from service.errors import InvalidInput
from service.models import Document, Nomination
from service.nominations import get_nomination
from service.overlaps import flags_of
from service.scope import can_act_on
from service.queries import Total, count_up_to, documents_of, list_nominations, timeline
from service.verbs import ActionInput, perform
from service.web.i18n import pick, lang_of
from service.web.pager import pager
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from service.web.views import certificate_view, row, rows_of, unit_choices
from workflow.errors import WorkflowError
from workflow.nomination import EVENT_LABELS, OUTCOME_EVENTS, STATES

router = APIRouter(prefix="/web", include_in_schema=False)

PAGE = 50
# What each action's form asks for, following service.verbs.ACTIONS.
SIGNED = frozenset({"decide", "forward", "record_central_result", "revoke"})
NOTED = frozenset({"resubmit", "publish_notice"})
# Actions with no input, offered for many nominations at once where the work is bulk.
BULK = frozenset({"receive", "start_appraisal", "open_cluster_review", "endorse", "send_to_council", "submit_for_signature"})
# The unit may still complete a dossier in these states (eligibility shown, files attached).
UNIT_EDITABLE = frozenset({"draft", "returned"})


def _nominations(session: Session, actor: Actor, filters: dict[str, str], page: int) -> tuple[list, Total]:
    rows = rows_of(session, list_nominations(session, actor, limit=PAGE, offset=page * PAGE, **filters), actor)
    return rows, count_up_to(session, actor, get_settings().list_total_cap, **filters)


def list_filters(session: Session, state: str | None, award: str | None, unit: str | None) -> tuple[dict[str, str], list, list]:  # type: ignore[type-arg]
    """The list's filters that name a known state, award or unit (the others are ignored)."""
    awards = catalogue().in_force(local_today()).awards
    units = unit_choices(session)
    filters = {k: v for k, v in (("state", state if state in STATES else None),
                                 ("award", award if award in {a.code for a in awards} else None),
                                 ("unit", unit if unit in {u.code for u in units} else None)) if v}
    return filters, list(awards), list(units)


@router.get("/nominations", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep, actor: PageActor,
              state: Annotated[str | None, Query(max_length=30)] = None,
              award: Annotated[str | None, Query(max_length=40)] = None,
              unit: Annotated[str | None, Query(max_length=40)] = None,
              page: Annotated[int, Query(ge=0)] = 0) -> Response:
    filters, awards, units = list_filters(session, state, award, unit)
    rows, total = _nominations(session, actor, filters, page)
    # Bulk buttons: only actions that next_actions offers for at least one listed nomination.
    bulk = sorted({a for r in rows for a in r.actions if a in BULK}, key=list(EVENT_LABELS).index)
    pages = (total.count + PAGE - 1) // PAGE
    return render(request, "nominations.html", rows=rows, total=total.count, total_exact=total.exact, page=page,
                  pager=pager(page, pages, last_known=total.exact),
                  has_next=page + 1 < pages or (not total.exact and len(rows) == PAGE),
                  filters=filters, query=urlencode(filters), states=STATES, awards=awards, units=units, bulk=bulk)


def _detail(request: Request, session: Session, nomination: Nomination, actor: Actor, **extra) -> dict:  # type: ignore[no-untyped-def]
    items = timeline(session, nomination)
    r = row(session, nomination, actor, items)  # its clock from the same timeline
    eligibility = None
    if nomination.state in UNIT_EDITABLE and actor.role.value in ("submitter", "unit_head"):
        eligibility = check_nomination(session, nomination)
    last_return = next((i for i in reversed(items) if i.action == "return_for_completion"), None)
    return dict(
        n=nomination, r=r, items=items, documents=documents_of(session, nomination),
        attachments=attach.list_attachments(session, nomination), eligibility=eligibility,
        last_return=last_return if nomination.state == "returned" else None,
        reason_actions=REASON_ACTIONS, outcome_actions=OUTCOME_EVENTS, signed_actions=SIGNED, noted_actions=NOTED,
        can_attach=nomination.state in UNIT_EDITABLE and actor.role.value in ("submitter", "unit_head"),
        can_edit=nomination.state == "draft" and actor.role.value in ("submitter", "unit_head"),
        today=date.today().isoformat(), flags=flags_of(session, nomination),
        **certificate_view(session, nomination, actor), **extra,
    )


def not_found(request: Request, exc: WorkflowError) -> Response:
    return render(request, "error.html", status_of(exc), error=error_message(request, exc))


@router.get("/nominations/{nomination_id}", response_class=HTMLResponse)
def detail_page(nomination_id: int, request: Request, session: SessionDep, actor: PageActor, done: str | None = None) -> Response:
    try:
        n = get_nomination(session, nomination_id, actor)
    except WorkflowError as exc:
        return not_found(request, exc)
    flash = None
    if done in EVENT_LABELS:
        flash = f"{pick(('Đã thực hiện', 'Done'), lang_of(request))}: {pick(EVENT_LABELS[done], lang_of(request))}"
    elif done == "certificate":
        flash = pick(("Đã cấp bằng/giấy chứng nhận.", "The certificate is issued."), lang_of(request))
    elif done:
        flash = pick(("Đã lưu.", "Saved."), lang_of(request))
    return render(request, "nomination.html", **_detail(request, session, n, actor), flash=flash)


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def nomination_refused(request: Request, session: Session, nomination_id: int, actor: Actor, exc: WorkflowError) -> Response:
    """The nomination's page again, saying why the write was refused (404 if the user may not see it)."""
    session.rollback()
    try:
        n = get_nomination(session, nomination_id, actor)
    except WorkflowError as missing:
        return not_found(request, missing)
    return render(request, "nomination.html", status_of(exc), **_detail(request, session, n, actor),
                  error=error_message(request, exc))


@router.post("/nominations/{nomination_id}/act/{action}", response_class=HTMLResponse)
def act(
    nomination_id: int, action: str, request: Request, session: SessionDep, actor: FormActor,
    version: Annotated[int | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
    passed: Annotated[str | None, Form(max_length=3)] = None,
    note: Annotated[str | None, Form(max_length=2000)] = None,
    document_number: Annotated[str | None, Form(max_length=60)] = None,
    signed_on: Annotated[date | None, Form()] = None,
    signer: Annotated[str | None, Form(max_length=200)] = None,
    bodies: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    given = ActionInput(
        reason=reason or None, passed=_bool(passed), note=note or None, document_number=document_number or None,
        signed_on=signed_on, signer=signer or None,
        bodies=[b.strip() for b in (bodies or "").split(",") if b.strip()] or None,
    )
    try:
        if "\x00" in "".join(filter(None, (reason, note, document_number, signer, bodies))):
            raise InvalidInput("Nội dung không được chứa ký tự NUL.", "Text must not contain the NUL character.")
        perform(session, nomination_id, action, actor=actor, given=given, expected_version=version)
    except WorkflowError as exc:
        return nomination_refused(request, session, nomination_id, actor, exc)
    return RedirectResponse(f"/web/nominations/{nomination_id}?done={quote(action)}", status_code=303)


@router.post("/nominations/bulk/{action}", response_class=HTMLResponse)
def bulk(action: str, request: Request, session: SessionDep, actor: FormActor,
         ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
         ) -> Response:
    """Fire one no-input action on many nominations; each succeeds or fails on its own."""
    results = []
    for nomination_id in ids[:PAGE]:
        try:
            if action not in BULK:
                raise InvalidInput(f"Không làm hàng loạt được thao tác «{action}».", f"{action!r} is not a bulk action.")
            perform(session, nomination_id, action, actor=actor, given=ActionInput())
            results.append((nomination_id, True, pick(EVENT_LABELS.get(action, (action, action)), lang_of(request))))
        except WorkflowError as exc:
            session.rollback()
            results.append((nomination_id, False, error_message(request, exc)))
    # 200 when at least one went through (the page lists each outcome); 409 when none did.
    status = 200 if any(ok for _, ok, _ in results) else 409 if results else 422
    return render(request, "bulk_result.html", status, results=results, action=action)


@router.get("/attachments/{attachment_id}")
def download_attachment(attachment_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    try:
        a = attach.get_attachment(session, attachment_id, actor)
    except WorkflowError as exc:
        return not_found(request, exc)
    return Response(a.data, media_type=a.content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(a.filename, safe='')}"})


@router.get("/documents/{document_id}")
def download_document(document_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    doc = session.get(Document, document_id)
    nomination = session.get(Nomination, doc.nomination_id) if doc and doc.nomination_id else None
    if doc is None or nomination is None or not can_act_on(session, actor, nomination):
        return render(request, "error.html", 404, error=pick((f"Không tìm thấy văn bản #{document_id}.",
                                                              f"Document #{document_id} was not found."), lang_of(request)))
    return Response(doc.data, media_type=doc.content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename, safe='')}"})

