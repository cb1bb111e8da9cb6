"""Verifiable certificates of decided awards ("bằng khen, giấy chứng nhận có mã xác thực").

Each decided award (``awarded`` / ``centrally_decided``) gets one certificate: a deterministic PDF
(:mod:`service.documents.certificate`) carrying a QR code to ``/public/certificates/{code}``. The
code is random (``secrets``, 128 bits), never derived from the nomination id, so certificates
cannot be enumerated. The PDF's SHA-256 is written into the nomination's audit chain; a
verification recomputes that chain and compares the hash given (or of the file uploaded).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from config.settings import get_settings
from service import audit
from service.actors import Actor
from service.db import write_transaction
from service.documents.certificate import CONTENT_TYPE, TEMPLATE_VERSION, CertificateText, render_certificate
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import AuditEntry, Certificate, Decision, Document, Nomination, Person, Unit
from service.transitions import award_of, load_for_update, record_change
from workflow.nomination import STATE_LABELS
from workflow.roles import Role

ISSUERS = frozenset({Role.BOARD_OFFICER, Role.APPROVER, Role.ADMIN, Role.SYSTEM})
DECIDED = ("awarded", "centrally_decided")
ISSUE_ACTION = "issue_certificate"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
ISSUER_NAME = {
    "city_chairman": "Chủ tịch Ủy ban nhân dân thành phố Hà Nội",
    "prime_minister": "Thủ tướng Chính phủ",
    "president": "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam",
}


def verify_url(code: str) -> str:
    """Where the certificate's QR code leads: the public verification page, for a person with a
    phone (the same entry as JSON is at ``/public/certificates/{code}``)."""
    return f"{get_settings().base_url.rstrip('/')}/web/public/certificates/{code}"


def _text(session: Session, n: Nomination, decision: Decision, code: str) -> CertificateText:
    award = award_of(n)
    unit_code = n.nominee_unit_code
    if n.person_id is not None:
        unit_code = session.get(Person, n.person_id).unit_code  # type: ignore[union-attr]
    unit = session.get(Unit, unit_code)
    return CertificateText(
        issuer=ISSUER_NAME[award.decided_by], award_name=award.name_vi, nominee_name=n.nominee_name,
        unit_name=unit.name_vi if unit else "", achievement=n.achievements.strip(), year=n.year,
        decision_number=decision.number, signed_on=decision.signed_on, signer=decision.signer,
        verify_url=verify_url(code), code=code,
    )


def issue_certificate(session: Session, nomination_id: int, *, actor: Actor) -> Certificate:
    """Issue the certificate of a decided award; issuing again returns the one already issued."""
    with write_transaction(session):
        n = load_for_update(session, nomination_id, actor)  # out of scope: 404 first, as for every action
        if actor.role not in ISSUERS:
            raise Forbidden("Chỉ Ban Thi đua – Khen thưởng hoặc người ký quyết định được cấp bằng/giấy chứng nhận.",
                            f"Only the Board or the approver may issue certificates (your role: {actor.role.value}).")
        existing = session.exec(select(Certificate).where(Certificate.nomination_id == n.id)).first()
        if existing is not None:
            return existing
        if n.state not in DECIDED or n.decision_id is None:
            vi, en = STATE_LABELS[n.state]
            error = Conflict(f"Hồ sơ #{n.id} đang «{vi}»: chỉ khen thưởng đã có quyết định mới được cấp bằng/giấy chứng nhận.",
                             f"Nomination #{n.id} is {en.lower()}: only decided awards get a certificate.")
            error.details = {"nomination_id": n.id, "current_state": n.state}
            raise error
        decision = session.get(Decision, n.decision_id)
        code = secrets.token_urlsafe(16)
        data = render_certificate(_text(session, n, decision, code))  # type: ignore[arg-type]
        sha = hashlib.sha256(data).hexdigest()
        document = Document(nomination_id=n.id, kind="certificate", filename=f"bang_khen_hs{n.id}_{sha[:8]}.pdf",
                            content_type=CONTENT_TYPE, sha256=sha, data=data)
        session.add(document)
        session.flush()
        certificate = Certificate(nomination_id=n.id, code=code, document_id=document.id, sha256=sha)  # type: ignore[arg-type]
        session.add(certificate)
        record_change(session, n, actor, ISSUE_ACTION, {"sha256": sha, "filename": document.filename,
                                                         "decision": decision.number, "template": TEMPLATE_VERSION})  # type: ignore[union-attr]
    return certificate


def issue_missing(session: Session, *, actor: Actor) -> list[Certificate]:
    """Issue a certificate for every decided award that has none yet (safe to run twice)."""
    have = select(Certificate.nomination_id)
    ids = session.exec(select(Nomination.id).where(Nomination.state.in_(DECIDED), Nomination.id.not_in(have))  # type: ignore[attr-defined, union-attr]
                       .order_by(Nomination.id)).all()
    session.commit()
    return [issue_certificate(session, nid, actor=actor) for nid in ids]  # type: ignore[arg-type]


def certificate_of(session: Session, nomination_id: int, actor: Actor) -> tuple[Certificate, Document]:
    from service.nominations import get_nomination

    n = get_nomination(session, nomination_id, actor)
    certificate = session.exec(select(Certificate).where(Certificate.nomination_id == nomination_id)).first()
    if certificate is None and n.state not in DECIDED:
        vi, en = STATE_LABELS[n.state]
        error = Conflict(f"Hồ sơ #{n.id} đang «{vi}»: chưa có quyết định khen thưởng nên chưa có bằng/giấy chứng nhận.",
                         f"Nomination #{n.id} is {en.lower()}: it has no award decision, hence no certificate.")
        error.details = {"nomination_id": n.id, "current_state": n.state}
        raise error
    if certificate is None:
        raise NotFound(f"Hồ sơ #{nomination_id} chưa được cấp bằng/giấy chứng nhận.",
                       f"Nomination #{nomination_id} has no certificate yet.")
    return certificate, session.get(Document, certificate.document_id)  # type: ignore[return-value]


@dataclass(frozen=True)
class PublicEntry:
    code: str
    status: str  # valid | revoked
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


def _by_code(session: Session, code: str) -> Certificate:
    # A code is URL-safe base64: anything else (too long, a NUL PostgreSQL cannot compare) is no code.
    wellformed = len(code) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", code) is not None
    certificate = session.exec(select(Certificate).where(Certificate.code == code)).first() if wellformed else None
    if certificate is None:
        raise NotFound("Không có bằng/giấy chứng nhận nào mang mã xác thực này.", "No certificate has this verification code.")
    return certificate


def public_entry(session: Session, code: str) -> PublicEntry:
    """What anyone may see of a certificate: the decision entry, as a published decision shows it."""
    c = _by_code(session, code)
    n = session.get(Nomination, c.nomination_id)
    decision = session.get(Decision, n.decision_id)  # type: ignore[union-attr]
    revoking = session.get(Decision, n.revocation_decision_id) if n.revocation_decision_id else None  # type: ignore[union-attr]
    text = _text(session, n, decision, c.code)  # type: ignore[arg-type]
    return PublicEntry(
        code=c.code, status="revoked" if n.state == "revoked" else "valid", nominee_name=n.nominee_name,  # type: ignore[union-attr]
        unit_name_vi=text.unit_name, award_code=n.award_code, award_name_vi=text.award_name, year=n.year,  # type: ignore[union-attr]
        decision_number=decision.number, decision_date=decision.signed_on.isoformat(), signer=decision.signer,  # type: ignore[union-attr]
        revoked_by=revoking.number if revoking else None, sha256=c.sha256, issued_at=c.issued_at.isoformat(),
    )


def verify(session: Session, code: str, *, sha256: str | None = None, data: bytes | None = None) -> dict[str, Any]:
    """Compare a hash (given, or of an uploaded file) with the certificate's hash as the audit
    trail records it, recomputing the nomination's chain. A forged or altered file does not match."""
    if (sha256 is None) == (data is None):
        raise InvalidInput("Hãy gửi đúng một trong hai: tệp PDF (file) hoặc mã băm SHA-256 (sha256).",
                           "Send exactly one of: the PDF file (file) or its SHA-256 (sha256).")
    if sha256 is not None:
        sha256 = sha256.strip().lower()
        if not _HEX64.match(sha256):
            raise InvalidInput("Mã SHA-256 phải gồm 64 ký tự thập lục phân.", "A SHA-256 is 64 hexadecimal characters.")
    given = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()  # type: ignore[arg-type]
    c = _by_code(session, code)
    chain = audit.nomination_chain(c.nomination_id)
    entries = list(session.exec(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)))
    intact = audit.verify_chain(chain, entries, get_settings().audit_keys) is None
    recorded = [audit.payload_of(e).get("sha256") for e in entries if e.action == ISSUE_ACTION]
    matches = intact and given == c.sha256 and c.sha256 in recorded
    entry = public_entry(session, code)
    return {
        "matches": matches, "sha256_given": given, "sha256_recorded": c.sha256 if c.sha256 in recorded else None,
        "audit_intact": intact, "status": entry.status,
        "message_vi": ("Khớp: tệp đúng là bằng/giấy chứng nhận đã cấp." if matches else
                       "Không khớp: tệp hoặc mã băm không phải của bằng/giấy chứng nhận đã cấp (có thể đã bị sửa)."),
        "message_en": ("Matches: this is the certificate as issued." if matches else
                       "Does not match: this file or hash is not the certificate as issued (it may have been altered)."),
    }
