"""Certificates of decided awards: issue and download (signed in), and the public verification
by the code printed as a QR code on the certificate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from service import certificates as certs
from service.api.deps import ActorDep, SessionDep
from service.api.errors import ApiError, ErrorResponse
from service.api.params import NominationId
from service.models import Certificate

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
router = APIRouter(tags=["certificates"], responses=ERRORS)
_MAX_UPLOAD = 5 * 1024 * 1024  # a certificate is a one-page PDF of a few dozen KB


class CertificateOut(BaseModel):
    nomination_id: int
    code: str
    sha256: str
    verify_url: str
    document_id: int
    issued_at: str


class PublicCertificate(BaseModel):
    code: str
    status: str
    nominee_name: str
    unit_name_vi: str
    award_code: str
    award_name_vi: str
    year: int
    decision_number: str
    decision_date: str
    signer: str
    revoked_by: str | None
    sha256: str
    issued_at: str


class Verification(BaseModel):
    matches: bool
    sha256_given: str
    sha256_recorded: str | None
    audit_intact: bool
    status: str
    message_vi: str
    message_en: str


def _out(c: Certificate) -> CertificateOut:
    return CertificateOut(nomination_id=c.nomination_id, code=c.code, sha256=c.sha256, verify_url=certs.verify_url(c.code),
                          document_id=c.document_id, issued_at=c.issued_at.isoformat())


@router.post("/nominations/{nomination_id}/certificate", response_model=CertificateOut)
def issue(nomination_id: NominationId, session: SessionDep, actor: ActorDep) -> CertificateOut:
    """Issue the certificate of a decided award (again: the one already issued)."""
    return _out(certs.issue_certificate(session, nomination_id, actor=actor))


@router.get("/nominations/{nomination_id}/certificate", responses={200: {"content": {"application/pdf": {}}}})
def download(nomination_id: NominationId, session: SessionDep, actor: ActorDep) -> Response:
    """The certificate PDF of a decided award you may see."""
    certificate, document = certs.certificate_of(session, nomination_id, actor)
    return Response(document.data, media_type=document.content_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"', "ETag": f'"{document.sha256}"',
        "X-Verification-Code": certificate.code})


@router.get("/public/certificates/{code}", response_model=PublicCertificate, tags=["public"])
def public_certificate(code: str, session: SessionDep) -> PublicCertificate:
    """The decision entry behind a certificate (no sign-in): who, which award, which decision, and
    whether it still stands."""
    return PublicCertificate(**certs.public_entry(session, code).__dict__)


@router.post("/public/certificates/{code}/verify", response_model=Verification, tags=["public"])
def verify(
    code: str, session: SessionDep,
    file: Annotated[UploadFile | None, File(description="the certificate PDF to check")] = None,
    sha256: Annotated[str | None, Form(max_length=200, description="or its SHA-256, 64 hex characters")] = None,
) -> Verification:
    """Check a certificate file (or its SHA-256) against the hash recorded in the audit trail."""
    data = None
    if file is not None:
        data = file.file.read(_MAX_UPLOAD + 1)
        if len(data) > _MAX_UPLOAD:
            raise ApiError(413, "file_too_large", "Tệp quá lớn để là một bằng/giấy chứng nhận (tối đa 5 MB).",
                           "The file is too large to be a certificate (5 MB at most).")
    return Verification(**certs.verify(session, code, sha256=sha256, data=data))
