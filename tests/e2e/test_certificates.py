"""Verifiable certificates over HTTP: a decided award gets a deterministic PDF with a QR code to
the public verification endpoint; the code is not guessable; the file's hash is checked against
the audit trail, and a forged or altered one does not match."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.documents.certificate import CertificateText, render_certificate
from service.models import Nomination, Person
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]


def nomination_of(engine: Engine, person: str, award: str) -> Nomination:
    with Session(engine) as s:
        pid = s.exec(select(Person.id).where(Person.code == person)).one()
        return s.exec(select(Nomination).where(Nomination.person_id == pid, Nomination.award_code == award)
                      .order_by(Nomination.id)).first()  # type: ignore[return-value]


def test_a_decided_award_gets_a_certificate_that_anyone_can_verify(client: TestClient, login: Login, demo_engine: Engine) -> None:
    fighter = nomination_of(demo_engine, "P003", "CSTD_TP")  # awarded, 5120/QĐ-UBND
    board = login("ban.tdkt")
    r = client.post(f"/nominations/{fighter.id}/certificate", headers=board)
    assert r.status_code == 200, r.text
    issued = r.json()
    code = issued["code"]
    assert str(fighter.id) != code and len(code) >= 20 and re.fullmatch(r"[A-Za-z0-9_-]+", code)
    # The QR code leads a phone to the public verification page (HTML), not to JSON.
    assert issued["verify_url"].endswith(f"/web/public/certificates/{code}")
    page = client.get(f"/web/public/certificates/{code}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html") and "5120/QĐ-UBND" in page.text
    # Issuing again returns the same certificate and writes nothing.
    before = fingerprint(demo_engine, fighter.id)
    assert client.post(f"/nominations/{fighter.id}/certificate", headers=board).json() == issued
    assert fingerprint(demo_engine, fighter.id) == before

    pdf = client.get(f"/nominations/{fighter.id}/certificate", headers=board)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and hashlib.sha256(pdf.content).hexdigest() == issued["sha256"]
    # The audit trail records the hash.
    timeline = client.get(f"/nominations/{fighter.id}", headers=board).json()["timeline"]
    assert [e["payload"]["sha256"] for e in timeline if e["action"] == "issue_certificate"] == [issued["sha256"]]

    public = client.get(f"/public/certificates/{code}")  # no sign-in
    assert public.status_code == 200, public.text
    entry = public.json()
    assert (entry["status"], entry["decision_number"], entry["award_code"]) == ("valid", "5120/QĐ-UBND", "CSTD_TP")
    assert entry["nominee_name"] == fighter.nominee_name and entry["sha256"] == issued["sha256"]

    ok = client.post(f"/public/certificates/{code}/verify", files={"file": ("bang-khen.pdf", pdf.content, "application/pdf")})
    assert ok.status_code == 200 and ok.json()["matches"] is True and ok.json()["audit_intact"] is True
    by_hash = client.post(f"/public/certificates/{code}/verify", data={"sha256": issued["sha256"].upper()})
    assert by_hash.json()["matches"] is True

    # An altered file and a forged hash do not match.
    altered = pdf.content.replace(b"5120", b"5129", 1)
    bad = client.post(f"/public/certificates/{code}/verify", files={"file": ("bang-khen.pdf", altered, "application/pdf")})
    assert bad.status_code == 200 and bad.json()["matches"] is False and bad.json()["sha256_recorded"] == issued["sha256"]
    forged = client.post(f"/public/certificates/{code}/verify", data={"sha256": "0" * 64})
    assert forged.json()["matches"] is False and "Không khớp" in forged.json()["message_vi"]


def test_a_revoked_award_shows_as_revoked(client: TestClient, login: Login, demo_engine: Engine) -> None:
    fighter = nomination_of(demo_engine, "P003", "CSTD_TP")
    code = client.post(f"/nominations/{fighter.id}/certificate", headers=login("ban.tdkt")).json()["code"]
    r = client.post(f"/nominations/{fighter.id}/actions/revoke", headers=login("chutich"), json={
        "reason": "Kê khai sai.", "document_number": "9001/QĐ-UBND", "signed_on": "2026-11-22", "signer": "Chủ tịch UBND Thành phố"})
    assert r.status_code == 200, r.text
    entry = client.get(f"/public/certificates/{code}").json()
    assert (entry["status"], entry["revoked_by"], entry["decision_number"]) == ("revoked", "9001/QĐ-UBND", "5120/QĐ-UBND")


def test_certificate_refusals(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = nomination_of(demo_engine, "P004", "CSTD_TP")
    fighter = nomination_of(demo_engine, "P003", "CSTD_TP")
    board = login("ban.tdkt")
    before = fingerprint(demo_engine)
    assert f"#{draft.id}" in assert_error_shape(client.post(f"/nominations/{draft.id}/certificate", headers=board), 409)["message_vi"]
    assert_error_shape(client.get(f"/nominations/{draft.id}/certificate", headers=board), 409)
    assert_error_shape(client.get(f"/nominations/{fighter.id}/certificate", headers=board), 404)  # decided, not issued yet
    assert_error_shape(client.post(f"/nominations/{fighter.id}/certificate", headers=login("cb.sogddt")), 404)  # out of scope
    assert_error_shape(client.post(f"/nominations/{fighter.id}/certificate", headers=login("hd.thanhvien")), 403)
    assert_error_shape(client.get("/public/certificates/khong-co-ma-nay"), 404)
    assert_error_shape(client.get("/public/certificates/abc%00def"), 404)
    assert_error_shape(client.post("/public/certificates/khong-co-ma-nay/verify", data={"sha256": "0" * 64}), 404)
    code = client.post(f"/nominations/{fighter.id}/certificate", headers=board).json()["code"]
    after_issue = fingerprint(demo_engine)
    assert_error_shape(client.post(f"/public/certificates/{code}/verify", data={"sha256": "xyz"}), 422)
    assert_error_shape(client.post(f"/public/certificates/{code}/verify"), 422)
    assert_error_shape(client.post(f"/public/certificates/{code}/verify", data={"sha256": "0" * 64},
                                   files={"file": ("a.pdf", b"%PDF", "application/pdf")}), 422)
    assert fingerprint(demo_engine) == after_issue and after_issue["certificates"] == before["certificates"] + 1


def test_the_certificate_pdf_is_deterministic() -> None:
    from datetime import date

    text = CertificateText(issuer="Chủ tịch Ủy ban nhân dân thành phố Hà Nội", award_name="Bằng khen của Chủ tịch UBND Thành phố",
                           nominee_name="Nguyễn Thị Thu Hà", unit_name="Sở Giáo dục và Đào tạo", achievement="Thành tích xuất sắc.",
                           year=2026, decision_number="1/QĐ-UBND", signed_on=date(2026, 11, 22), signer="Chủ tịch",
                           verify_url="http://127.0.0.1:8000/public/certificates/abc", code="abc")
    first, second = render_certificate(text), render_certificate(text)
    assert first == second and first.startswith(b"%PDF")
    assert render_certificate(CertificateText(**{**text.__dict__, "code": "abd", "verify_url": text.verify_url + "d"})) != first
