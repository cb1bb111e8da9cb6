"""Excel import of a unit's nominee list ("nhập danh sách trích ngang"): upload an .xlsx, see the
row-by-row preview with every problem (nothing written), then confirm to create the drafts, all
or none. Both steps are :func:`service.nominee_import.run_import`, as the API's."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from service import nominee_import
from service.api.deps import SessionDep
from service.errors import InvalidInput
from service.web.exports import xlsx
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from workflow.errors import WorkflowError

router = APIRouter(prefix="/web/imports", include_in_schema=False)
IMPORTERS = frozenset({"submitter", "unit_head"})
MAX_BYTES = 10 * 1024 * 1024  # as POST /imports/nominees/preview


def _refused(request: Request) -> Response:
    return render(request, "error.html", 403, error_key="role_only")


@router.get("/nominees", response_class=HTMLResponse)
def upload_page(request: Request, actor: PageActor) -> Response:
    if actor.role.value not in IMPORTERS:
        return _refused(request)
    return render(request, "import.html", plan=None)


@router.get("/nominees/template.xlsx")
def template(actor: PageActor) -> Response:
    return xlsx(nominee_import.template(), "danh-sach-trich-ngang.xlsx")


def _run(request: Request, session: SessionDep, actor, data: bytes, filename: str, apply: bool) -> Response:  # type: ignore[no-untyped-def]
    if actor.role.value not in IMPORTERS:
        return _refused(request)
    try:
        if len(data) > MAX_BYTES:
            raise InvalidInput("Tệp vượt quá giới hạn 10 MB.", "The file exceeds the 10 MB limit.")
        plan = nominee_import.run_import(session, data, actor=actor, apply=apply)
    except WorkflowError as exc:
        session.rollback()
        return render(request, "import.html", status_of(exc), plan=None, filename=filename, error=error_message(request, exc))
    status = 201 if plan.applied else 422 if apply else 200
    return render(request, "import.html", status, plan=plan.as_dict(), filename=filename,
                  data=base64.b64encode(data).decode() if not plan.applied else "")


@router.post("/nominees/preview", response_class=HTMLResponse)
def preview(request: Request, session: SessionDep, actor: FormActor, file: Annotated[UploadFile, File()]) -> Response:
    return _run(request, session, actor, file.file.read(MAX_BYTES + 1), file.filename or "", apply=False)


@router.post("/nominees", response_class=HTMLResponse)
def apply(request: Request, session: SessionDep, actor: FormActor,
          data: Annotated[str, Form(max_length=MAX_BYTES * 4 // 3 + 4)], filename: Annotated[str, Form(max_length=300)] = "") -> Response:
    """The preview page posts the same file back (base64, in an ordinary form field): stateless,
    and checked again in full, since the data may have changed since the preview."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    return _run(request, session, actor, raw, filename, apply=True)
