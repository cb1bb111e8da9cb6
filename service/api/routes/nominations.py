"""Nominations: create, edit a draft, list, show (with timeline and allowed actions), act, attach."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Callable

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from config.catalogue import catalogue
from config.settings import get_settings
from service import attachments as attach
from service import nominations as actions
from service.actors import Actor
from service.api.deps import ActorDep, CurrentUser, SessionDep, SettingsDep, TokenSubject, release, signed_in_actor
from service.api.errors import ApiError, ErrorResponse
from service.api.params import AttachmentId, NominationId, Offset, RowId
from service.api.prefer import MINIMAL, wants_minimal
from service.api.schemas import (
    ActionRequest,
    AllowedAction,
    AttachmentOut,
    CappedPage,
    DocumentOut,
    NominationCreate,
    NominationDetail,
    NominationEdit,
    NominationOut,
    OverlapOut,
    StepClockOut,
    TimelineEntry,
)
from service.errors import InvalidInput
from service.idempotency import StoredResponse, fingerprint, run_once
from service.db import begin_write
from service.verbs import ACTIONS, ActionInput, perform
from service.models import Attachment, Nomination
from service.overlaps import flags_of
from service.uploads import check_upload
from service.queries import count_up_to, documents_of, list_rows, next_actions, step_clock, timeline
from sqlmodel import Session
from workflow.nomination import EVENT_LABELS, OUTCOME_EVENTS, STATE_LABELS

router = APIRouter(prefix="/nominations", tags=["nominations"])

ERRORS = {
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
}
PREFER_DESCRIPTION = ("`return=minimal`: answer with the nomination's own fields, "
                      "without timeline, attachments, documents and next actions (RFC 7240)")
PreferHeader = Annotated[str | None, Header(description=PREFER_DESCRIPTION)]
# The action route reads these three headers itself and documents them here: a declared header
# parameter cost FastAPI ~17 µs per request to look up and validate (typing introspection on
# every call), a twentieth of the route's own CPU on the busiest route (bench/findings.md).
_ACTION_HEADERS = {"parameters": [
    {"name": "if-match", "in": "header", "required": False, "schema": {"type": "string"},
     "description": 'the version acted on, e.g. "v7" (a stale one is refused with 409)'},
    {"name": "idempotency-key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
     "description": "a retried request with the same key gets the first answer, and acts once"},
    {"name": "prefer", "in": "header", "required": False, "schema": {"type": "string"}, "description": PREFER_DESCRIPTION},
]}
REASON_ACTIONS = frozenset({"send_back", "return_for_completion", "reject", "decline", "withdraw", "revoke", "expire"})


# Who may edit a draft: the proposing unit (a wrong role is 403, not "not a draft").


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version the client acted on, from ``If-Match: "v7"`` (or ``7``) or the body."""
    if if_match is None:
        return body_version
    raw = if_match.strip().removeprefix("W/").strip('"').removeprefix("v")
    if not raw.isdigit():
        raise ApiError(422, "bad_if_match", "Tiêu đề If-Match không hợp lệ (ví dụ: \"v7\").",
                       'Invalid If-Match header (example: "v7").')
    version = int(raw)
    if body_version is not None and body_version != version:
        raise ApiError(422, "version_mismatch", "If-Match và trường version không khớp nhau.",
                       "If-Match and the version field disagree.")
    return version


def to_out(nomination: Nomination) -> dict[str, Any]:
    return _labelled(nomination.model_dump())


def _labelled(row: Any) -> dict[str, Any]:
    """A nomination's columns (an object's dump or a table row) with its award's and state's names."""
    award = catalogue().version(row["ruleset_version"]).award(row["award_code"])
    vi, en = STATE_LABELS[row["state"]]
    return {**row, "award_name_vi": award.name_vi, "award_name_en": award.name_en, "state_label_vi": vi, "state_label_en": en}


def detail(session: Session, nomination: Nomination, actor: Actor) -> NominationDetail:
    allowed = [
        AllowedAction(action=e, label_vi=EVENT_LABELS[e][0], label_en=EVENT_LABELS[e][1],
                      needs_reason=e in REASON_ACTIONS, needs_outcome=e in OUTCOME_EVENTS)
        for e in next_actions(nomination, actor)
    ]
    files = [AttachmentOut.model_validate(dict(a._mapping)) for a in attach.list_attachments(session, nomination)]
    items = timeline(session, nomination)
    clock = step_clock(session, nomination, items=items)
    docs = [DocumentOut.model_validate(dict(d._mapping)) for d in documents_of(session, nomination)]
    return NominationDetail(
        **to_out(nomination), overlaps=[OverlapOut(**f.as_dict()) for f in flags_of(session, nomination)], allowed_actions=allowed, attachments=files, documents=docs,
        clock=StepClockOut(**clock.__dict__) if clock else None,
        timeline=[TimelineEntry(**item.__dict__) for item in items],
    )


def answer(session: Session, nomination: Nomination, actor: Actor, minimal: bool) -> NominationOut:
    """What a write answers: the full detail, or with ``Prefer: return=minimal`` only the
    nomination's own fields (no further reads)."""
    return NominationOut.model_validate(to_out(nomination)) if minimal else detail(session, nomination, actor)


def _headers(nomination_version: int | None, minimal: bool) -> dict[str, str]:
    headers = {"ETag": f'"v{nomination_version}"'} if nomination_version else {}
    if minimal:
        headers["Preference-Applied"] = MINIMAL
    return headers


def _reply(status: int, body: Any, nomination_version: int | None, location: str | None = None) -> JSONResponse:
    # A stored answer (Idempotency-Key) is replayed as it was first given, minimal or not.
    headers = _headers(nomination_version, status < 300 and "timeline" not in body)
    if location:
        headers["Location"] = location
    return JSONResponse(body, status_code=status, headers=headers)


def _idempotent(session: Session, user_id: int, key: str | None, request: Request, body: Any,
                run: Callable[[], StoredResponse]) -> StoredResponse:
    if not key:
        return run()
    if len(key) > 200 or "\x00" in key:
        raise ApiError(422, "bad_idempotency_key", "Idempotency-Key quá dài (tối đa 200 ký tự) hoặc chứa ký tự NUL.",
                       "Idempotency-Key is too long (200 characters at most) or holds a NUL character.")
    return run_once(session, user_id=user_id, key=key, print_=fingerprint(request.method, request.url.path, body), run=run)


@router.get("", response_model=CappedPage[NominationOut], responses=ERRORS)
def list_(
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    state: str | None = None,
    award: str | None = None,
    campaign_id: RowId = None,
    unit: Annotated[str | None, Query(description="proposing unit code")] = None,
    cluster_id: RowId = None,
    due_before: datetime | None = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    offset: Offset = 0,
) -> Response:
    """Nominations you may see, filtered; paginated with ``limit`` / ``offset``. ``total`` is exact
    up to 10,000 matches (``TDKT_LIST_TOTAL_CAP``); beyond, it is the cap and ``total_exact`` is false."""
    limit = min(limit, settings.page_size_max)
    filters = dict(state=state, award=award, unit=unit, campaign_id=campaign_id, cluster_id=cluster_id, due_before=due_before)
    rows = list_rows(session, actor, limit=limit, offset=offset, **filters)  # type: ignore[arg-type]
    total = count_up_to(session, actor, get_settings().list_total_cap, **filters)  # type: ignore[arg-type]
    page = CappedPage[NominationOut](
        items=[_labelled(r._mapping) for r in rows], total=total.count, total_exact=total.exact, limit=limit, offset=offset,
    )
    release(session)
    # Serialised once here: returning the model would have FastAPI validate it again.
    return Response(page.model_dump_json(), media_type="application/json")


@router.post("", status_code=201, response_model=NominationDetail | NominationOut, responses=ERRORS)
def create(
    body: NominationCreate, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep,
    idempotency_key: Annotated[str | None, Header()] = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    """Create a draft under the rule set in force today. Send ``Idempotency-Key`` to make retries safe."""
    minimal = wants_minimal(prefer)

    def run() -> StoredResponse:
        n = actions.create_nomination(session, actor=actor, **body.model_dump())
        return StoredResponse(201, answer(session, n, actor, minimal).model_dump(mode="json"))

    result = _idempotent(session, user.id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    created = result.body
    return _reply(result.status_code, created, created.get("version"), f"/nominations/{created.get('id')}")


@router.get("/{nomination_id}", response_model=NominationDetail, responses=ERRORS)
def show(nomination_id: NominationId, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """One nomination with its timeline (from the audit trail) and the actions you may take now."""
    n = actions.get_nomination(session, nomination_id, actor)
    return _reply(200, detail(session, n, actor).model_dump(mode="json"), n.version)


@router.patch("/{nomination_id}", response_model=NominationDetail | NominationOut, responses=ERRORS)
def edit(
    nomination_id: NominationId, body: NominationEdit, session: SessionDep, actor: ActorDep,
    if_match: Annotated[str | None, Header()] = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    """Edit a draft. A stale ``If-Match`` / ``version`` gets 409 with the current state."""
    version = expected_version(if_match, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        raise InvalidInput("Không có gì để sửa.", "Nothing to change.")
    n = actions.edit_draft(session, nomination_id, actor=actor, expected_version=version, **changes)
    return _reply(200, answer(session, n, actor, wants_minimal(prefer)).model_dump(mode="json"), n.version)


@router.post("/{nomination_id}/actions/{action}", response_model=NominationDetail | NominationOut, responses=ERRORS,
             openapi_extra=_ACTION_HEADERS)
def act(
    nomination_id: NominationId, action: str, request: Request, session: SessionDep, username: TokenSubject,
    body: ActionRequest | None = None,
) -> JSONResponse:
    """Take an action (see ``allowed_actions`` of the nomination). Fields needed depend on the action.
    The answer is the nomination's detail, or with ``Prefer: return=minimal`` its own fields only."""
    headers = request.headers
    if_match, idempotency_key, prefer = headers.get("if-match"), headers.get("idempotency-key"), headers.get("prefer")
    # The busiest route: who acts is read here, in the endpoint's worker thread, rather than by a
    # dependency of its own (one thread hop and one resolution fewer per request).
    begin_write(session)  # the action goes on in the transaction that reads the user
    user_id, actor = signed_in_actor(session, username)
    body = body or ActionRequest()
    if action not in ACTIONS:
        raise ApiError(404, "unknown_action", f"Không có thao tác «{action}».", f"There is no action {action!r}.",
                       {"actions": sorted(ACTIONS)})
    version = expected_version(if_match, body.version)
    given = ActionInput(**body.model_dump(exclude={"version"}))
    minimal = wants_minimal(prefer)
    if not idempotency_key:  # the common case: serialise the answer once, straight to JSON
        n = perform(session, nomination_id, action, actor=actor, expected_version=version, given=given)
        payload = answer(session, n, actor, minimal).model_dump_json()
        release(session)
        return Response(payload, media_type="application/json", headers=_headers(n.version, minimal))

    def run() -> StoredResponse:
        n = perform(session, nomination_id, action, actor=actor, expected_version=version, given=given)
        return StoredResponse(200, answer(session, n, actor, minimal).model_dump(mode="json"))

    result = _idempotent(session, user_id, idempotency_key, request, body.model_dump(mode="json"), run)  # type: ignore[arg-type]
    return _reply(result.status_code, result.body, result.body.get("version"))


@router.post("/{nomination_id}/attachments", status_code=201, response_model=AttachmentOut,
             responses={**ERRORS, 413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}})
def upload(
    nomination_id: NominationId, session: SessionDep, actor: ActorDep, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="PDF, DOCX, XLSX, JPEG or PNG")],
    document_kind: Annotated[str | None, Form(max_length=40)] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Attach evidence to a draft or returned nomination (size and type limited)."""
    limit = get_settings().attachment_max_bytes
    data = file.file.read(limit + 1)  # one byte more than allowed tells "too large" without reading it all
    content_type = check_upload(filename=file.filename, content_type=file.content_type, data=data,
                                document_kind=document_kind, limit=limit, accepted=settings.attachment_types)
    created = attach.add_attachment(session, nomination_id, actor=actor, filename=file.filename or "tep",
                                    content_type=content_type, data=data, document_kind=document_kind,
                                    expected_version=expected_version(if_match, None))
    return JSONResponse(AttachmentOut.model_validate(created.model_dump(exclude={"data"})).model_dump(mode="json"), status_code=201)


attachments_router = APIRouter(prefix="/attachments", tags=["nominations"])


@attachments_router.get("/{attachment_id}", responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS})
def download(attachment_id: AttachmentId, session: SessionDep, actor: ActorDep) -> Response:
    """Download an attachment of a nomination you may see."""
    a: Attachment = attach.get_attachment(session, attachment_id, actor)
    return Response(a.data, media_type=a.content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(a.filename)}", "ETag": f'"{a.sha256}"'})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
