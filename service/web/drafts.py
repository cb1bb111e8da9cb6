"""A unit's drafts ("dự thảo hồ sơ"): create, edit, attach evidence. The eligibility check that
explains what is missing is on the nomination's page (:mod:`service.web.nominations`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from config.catalogue import catalogue
from config.settings import get_settings
from service import attachments as attach
from service import nominations as actions
from service.actors import Actor
from service.api.deps import SessionDep, SettingsDep
from service.uploads import check_upload  # the API's own upload checks
from service.cluster_cycle import local_today
from service.errors import InvalidInput
from service.models import Campaign, Person
from service.nominations import get_nomination
from service.web.nominations import nomination_refused, not_found
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from service.web.views import unit_choices
from workflow.errors import WorkflowError

router = APIRouter(prefix="/web", include_in_schema=False)


def _choices(session: Session, actor: Actor) -> dict:  # type: ignore[type-arg]
    today = local_today()
    ruleset = catalogue().in_force(today)
    people = session.exec(select(Person).where(Person.unit_code == actor.unit_code).order_by(Person.full_name)).all()
    campaigns = session.exec(select(Campaign).where(Campaign.filing_deadline >= today).order_by(Campaign.code)).all()
    units = unit_choices(session)
    return dict(awards=ruleset.awards, ruleset=ruleset.version, people=people, campaigns=campaigns, units=units,
                year=today.year)


@router.get("/nominations/new", response_class=HTMLResponse)
def new_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    return render(request, "draft_new.html", **_choices(session, actor), form={})


@router.post("/nominations/new", response_class=HTMLResponse)
def create(
    request: Request, session: SessionDep, actor: FormActor,
    award_code: Annotated[str, Form(max_length=40)], campaign_code: Annotated[str, Form(max_length=40)],
    year: Annotated[int, Form(ge=1900, le=2200)],
    person_code: Annotated[str, Form(max_length=40)] = "", nominee_unit_code: Annotated[str, Form(max_length=40)] = "",
    achievements: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    form = dict(award_code=award_code, campaign_code=campaign_code, year=year, person_code=person_code,
                nominee_unit_code=nominee_unit_code, achievements=achievements)
    try:
        if "\x00" in "".join(str(v) for v in form.values()):
            raise InvalidInput("Nội dung không được chứa ký tự NUL.", "Text must not contain the NUL character.")
        n = actions.create_nomination(
            session, actor=actor, award_code=award_code, campaign_code=campaign_code, year=year,
            person_code=person_code or None, nominee_unit_code=nominee_unit_code or None, achievements=achievements,
        )
    except WorkflowError as exc:
        session.rollback()
        return render(request, "draft_new.html", status_of(exc), **_choices(session, actor), form=form,
                      error=error_message(request, exc))
    return RedirectResponse(f"/web/nominations/{n.id}?done=created", status_code=303)


@router.get("/nominations/{nomination_id}/edit", response_class=HTMLResponse)
def edit_page(nomination_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    try:
        n = get_nomination(session, nomination_id, actor)
    except WorkflowError as exc:
        return not_found(request, exc)
    return render(request, "draft_edit.html", n=n)


@router.post("/nominations/{nomination_id}/edit", response_class=HTMLResponse)
def edit(
    nomination_id: int, request: Request, session: SessionDep, actor: FormActor,
    version: Annotated[int, Form()], achievements: Annotated[str, Form(max_length=20000)],
    year: Annotated[int, Form(ge=1900, le=2200)],
) -> Response:
    try:
        if "\x00" in achievements:
            raise InvalidInput("Nội dung không được chứa ký tự NUL.", "Text must not contain the NUL character.")
        actions.edit_draft(session, nomination_id, actor=actor, expected_version=version, achievements=achievements, year=year)
    except WorkflowError as exc:
        session.rollback()
        try:
            n = get_nomination(session, nomination_id, actor)
        except WorkflowError as missing:
            return not_found(request, missing)
        return render(request, "draft_edit.html", status_of(exc), n=n, error=error_message(request, exc))
    return RedirectResponse(f"/web/nominations/{nomination_id}?done=saved", status_code=303)


@router.post("/nominations/{nomination_id}/attachments", response_class=HTMLResponse)
def upload(
    nomination_id: int, request: Request, session: SessionDep, actor: FormActor, settings: SettingsDep,
    file: Annotated[UploadFile, File()], version: Annotated[int | None, Form()] = None,
    document_kind: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    limit = get_settings().attachment_max_bytes
    data = file.file.read(limit + 1)
    try:
        content_type = check_upload(filename=file.filename, content_type=file.content_type, data=data,
                                    document_kind=document_kind, limit=limit, accepted=settings.attachment_types)
        attach.add_attachment(session, nomination_id, actor=actor, filename=file.filename or "tep", content_type=content_type,
                              data=data, document_kind=document_kind or None, expected_version=version)
    except WorkflowError as exc:
        return nomination_refused(request, session, nomination_id, actor, exc)
    return RedirectResponse(f"/web/nominations/{nomination_id}?done=attached", status_code=303)
