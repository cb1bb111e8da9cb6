"""Certificate pages ("bằng khen, giấy chứng nhận có mã xác thực"): issue and download the
certificate of a decided award (signed in), and the public verification page of a code (no
sign-in): the decision entry, and a form that checks an uploaded PDF or a pasted SHA-256 against
the audit trail. Every answer comes from :mod:`service.certificates`."""

from __future__ import annotations

import base64
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

from service import certificates as certs
from service.api.deps import SessionDep, SettingsDep
from service.errors import InvalidInput
from service.web.nominations import nomination_refused, not_found
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor, user_of
from workflow.errors import WorkflowError

router = APIRouter(prefix="/web", include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024  # as the API: a certificate is a one-page PDF of a few dozen KB


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI (an <img>, so nothing in it can run)."""
    widget = QrCodeWidget(text)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(x1 - x0, y1 - y0)
    drawing.add(widget)
    return "data:image/svg+xml;base64," + base64.b64encode(renderSVG.drawToString(drawing).encode()).decode()


@router.post("/nominations/{nomination_id}/certificate", response_class=HTMLResponse)
def issue(nomination_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    try:
        certs.issue_certificate(session, nomination_id, actor=actor)
    except WorkflowError as exc:
        return nomination_refused(request, session, nomination_id, actor, exc)
    return RedirectResponse(f"/web/nominations/{nomination_id}?done=certificate#certificate", status_code=303)


@router.get("/nominations/{nomination_id}/certificate")
def download(nomination_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    try:
        certificate, document = certs.certificate_of(session, nomination_id, actor)
    except WorkflowError as exc:
        return not_found(request, exc)
    return Response(document.data, media_type=document.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.filename, safe='')}",
        "X-Verification-Code": certificate.code})


def _public(request: Request, session: SessionDep, code: str, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    try:
        entry = certs.public_entry(session, code)
    except WorkflowError as exc:
        return render(request, "certificate_public.html", status_of(exc), entry=None, code=code, error=error_message(request, exc))
    return render(request, "certificate_public.html", status, entry=entry, code=code, **extra)


@router.get("/public/certificates/{code}", response_class=HTMLResponse)
def public_page(code: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    request.state.user = user_of(request, session, settings)  # for the header only; the page is public
    return _public(request, session, code)


@router.post("/public/certificates/{code}/verify", response_class=HTMLResponse)
def verify(
    code: str, request: Request, session: SessionDep, settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
    sha256: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Read-only, so no CSRF token: anyone may check a file, and a forged post learns only what the page shows."""
    request.state.user = user_of(request, session, settings)
    data = file.file.read(MAX_UPLOAD + 1) if file is not None and file.filename else None
    try:
        if data is not None and len(data) > MAX_UPLOAD:
            raise InvalidInput("Tệp quá lớn để là một bằng/giấy chứng nhận (tối đa 5 MB).",
                               "The file is too large to be a certificate (5 MB at most).")
        result = certs.verify(session, code, sha256=sha256.strip() or None if data is None else None, data=data)
    except WorkflowError as exc:
        return _public(request, session, code, status_of(exc), error=error_message(request, exc))
    return _public(request, session, code, result=result, filename=file.filename if data is not None and file else None)
