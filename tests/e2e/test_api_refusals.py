"""What the API refuses, and how: each refusal has the one error shape (NFC Vietnamese and English
messages) and the precise status, and leaves the database as it was."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from config.settings import get_settings
from service.api.app import create_app
from service.api.security import issue_token
from service.api.settings import get_api_settings
from service.demo import DEMO_PASSWORD
from service.models import Attachment, LoginAttempt, Nomination, Person
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]
NEW_DRAFT = {"award_code": "HC_LD", "campaign_code": "TK-2026", "year": 2026, "nominee_unit_code": "SO_GDDT",
             "achievements": "Tập thể hoàn thành xuất sắc nhiệm vụ năm 2026."}


def demo_nomination(engine: Engine, *, unit: str, state: str, award: str | None = None) -> Nomination:
    with Session(engine) as s:
        query = select(Nomination).where(Nomination.proposing_unit_code == unit, Nomination.state == state)
        if award:
            query = query.where(Nomination.award_code == award)
        n = s.exec(query.order_by(Nomination.id)).first()
    assert n is not None, (unit, state, award)
    return n


def count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


# --- idempotency ---------------------------------------------------------------------------------


def test_create_with_the_same_idempotency_key_twice_creates_one_nomination(client: TestClient, login: Login, demo_engine: Engine) -> None:
    headers = {**login("cb.sogddt"), "Idempotency-Key": "tao-ho-so-0001"}
    before = fingerprint(demo_engine)
    first = client.post("/nominations", json=NEW_DRAFT, headers=headers)
    assert first.status_code == 201, first.text
    second = client.post("/nominations", json=NEW_DRAFT, headers=headers)
    assert second.status_code == 201 and second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"] and second.headers["ETag"] == first.headers["ETag"]
    after = fingerprint(demo_engine)
    assert after["nominations"] == before["nominations"] + 1
    assert after["audit_entries"] == before["audit_entries"] + 1
    assert after["idempotency_keys"] == before["idempotency_keys"] + 1

    # The same key with another body is refused, and creates nothing.
    other = client.post("/nominations", json={**NEW_DRAFT, "achievements": "Nội dung khác."}, headers=headers)
    assert_error_shape(other, 422, "invalid_input")
    assert fingerprint(demo_engine) == after


def test_action_with_the_same_idempotency_key_twice_acts_once(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    headers = {**login("cb.sogddt"), "Idempotency-Key": "trinh-0001"}
    before = fingerprint(demo_engine, draft.id)
    first = client.post(f"/nominations/{draft.id}/actions/submit", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "awaiting_unit_head" and first.json()["version"] == draft.version + 1
    second = client.post(f"/nominations/{draft.id}/actions/submit", headers=headers)
    assert second.status_code == 200 and second.json() == first.json()
    after = fingerprint(demo_engine, draft.id)
    assert after["chain"] == before["chain"] + 1 and after["audit_entries"] == before["audit_entries"] + 1
    assert after["nomination"][:2] == ("awaiting_unit_head", draft.version + 1)

    other = client.post(f"/nominations/{draft.id}/actions/submit", json={"note": "khác"}, headers=headers)
    assert_error_shape(other, 422, "invalid_input")
    assert fingerprint(demo_engine, draft.id) == after


def test_an_overlong_idempotency_key_is_refused(client: TestClient, login: Login, demo_engine: Engine) -> None:
    before = fingerprint(demo_engine)
    r = client.post("/nominations", json=NEW_DRAFT, headers={**login("cb.sogddt"), "Idempotency-Key": "k" * 201})
    assert_error_shape(r, 422, "bad_idempotency_key")
    assert fingerprint(demo_engine) == before


# --- optimistic locking --------------------------------------------------------------------------


def test_a_stale_if_match_gets_409_with_the_current_version_and_state(client: TestClient, login: Login, demo_engine: Engine) -> None:
    n = demo_nomination(demo_engine, unit="SO_YT", state="awaiting_unit_head")
    before = fingerprint(demo_engine, n.id)
    r = client.post(f"/nominations/{n.id}/actions/endorse", headers={**login("tt.soyt"), "If-Match": f'"v{n.version - 1}"'})
    error = assert_error_shape(r, 409, "stale_version")
    assert error["details"] == {"nomination_id": n.id, "current_version": n.version, "current_state": "awaiting_unit_head"}
    # The version may also come in the body.
    r = client.post(f"/nominations/{n.id}/actions/endorse", json={"version": 1}, headers=login("tt.soyt"))
    assert assert_error_shape(r, 409, "stale_version")["details"]["current_version"] == n.version
    assert fingerprint(demo_engine, n.id) == before
    # The current version goes through, and the ETag tells the next one.
    ok = client.post(f"/nominations/{n.id}/actions/endorse", headers={**login("tt.soyt"), "If-Match": f'"v{n.version}"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == f'"v{n.version + 1}"'


def test_a_stale_draft_edit_gets_409_and_changes_nothing(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    headers = login("cb.sogddt")
    shown = client.get(f"/nominations/{draft.id}", headers=headers)
    etag = shown.headers["ETag"]
    edited = client.patch(f"/nominations/{draft.id}", json={"achievements": "Bản sửa thứ nhất."}, headers={**headers, "If-Match": etag})
    assert edited.status_code == 200 and edited.json()["achievements"] == "Bản sửa thứ nhất."
    before = fingerprint(demo_engine, draft.id)
    stale = client.patch(f"/nominations/{draft.id}", json={"achievements": "Bản sửa dựa trên bản cũ."}, headers={**headers, "If-Match": etag})
    error = assert_error_shape(stale, 409, "stale_version")
    assert error["details"]["current_version"] == edited.json()["version"] and error["details"]["current_state"] == "draft"
    assert fingerprint(demo_engine, draft.id) == before
    bad = client.patch(f"/nominations/{draft.id}", json={"achievements": "x"}, headers={**headers, "If-Match": "bay"})
    assert_error_shape(bad, 422, "bad_if_match")
    assert fingerprint(demo_engine, draft.id) == before


def test_editing_a_nomination_that_left_draft_is_a_conflict(client: TestClient, login: Login, demo_engine: Engine) -> None:
    n = demo_nomination(demo_engine, unit="SO_YT", state="awaiting_unit_head")
    before = fingerprint(demo_engine, n.id)
    r = client.patch(f"/nominations/{n.id}", json={"achievements": "Sửa sau khi trình."}, headers=login("cb.soyt"))
    error = assert_error_shape(r, 409, "not_a_draft")
    assert error["details"]["current_state"] == "awaiting_unit_head" and error["details"]["current_version"] == n.version
    assert fingerprint(demo_engine, n.id) == before


# --- uploads -------------------------------------------------------------------------------------


@pytest.fixture
def small_uploads(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TDKT_ATTACHMENT_MAX_BYTES", "1024")
    get_settings.cache_clear()
    yield 1024
    monkeypatch.delenv("TDKT_ATTACHMENT_MAX_BYTES")
    get_settings.cache_clear()


def test_an_oversized_upload_gets_413_and_stores_nothing(client: TestClient, login: Login, demo_engine: Engine, small_uploads: int) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    big = b"%PDF-1.4\n" + b"0" * small_uploads
    r = client.post(f"/nominations/{draft.id}/attachments", files={"file": ("ho-so.pdf", big, "application/pdf")}, headers=login("cb.sogddt"))
    error = assert_error_shape(r, 413, "file_too_large")
    assert error["details"] == {"limit_bytes": small_uploads}
    assert "1 KB" in error["message_vi"] and "1 KB" in error["message_en"]  # not "0 MB"
    assert fingerprint(demo_engine, draft.id) == before
    # At the limit it is accepted.
    fits = b"%PDF-1.4\n" + b"0" * (small_uploads - 9)
    ok = client.post(f"/nominations/{draft.id}/attachments", files={"file": ("ho-so.pdf", fits, "application/pdf")}, headers=login("cb.sogddt"))
    assert ok.status_code == 201 and ok.json()["size"] == small_uploads


@pytest.mark.parametrize(("filename", "content", "declared"), [
    ("bao-cao.pdf", "Báo cáo thành tích, không phải PDF.".encode(), "application/pdf"),  # lies about its type
    ("bao-cao.txt", "Báo cáo thành tích.".encode(), "text/plain"),  # a type not accepted
    ("anh.png", b"%PDF-1.4\n", "image/png"),  # a PDF declared as PNG
])
def test_a_wrong_content_type_gets_415_and_stores_nothing(
    client: TestClient, login: Login, demo_engine: Engine, filename: str, content: bytes, declared: str
) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/attachments", files={"file": (filename, content, declared)}, headers=login("cb.sogddt"))
    error = assert_error_shape(r, 415, "unsupported_file_type")
    assert error["details"]["content_type"] == declared and "application/pdf" in error["details"]["accepted"]
    assert fingerprint(demo_engine, draft.id) == before
    assert count(demo_engine, Attachment) == 0


def test_a_valid_upload_is_stored_audited_and_downloadable(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    data = b"%PDF-1.4\n% bien ban hop binh xet\n"
    r = client.post(f"/nominations/{draft.id}/attachments", files={"file": ("Biên bản họp.pdf", data, "application/pdf")},
                    data={"document_kind": "bien_ban"}, headers=login("cb.sogddt"))
    assert r.status_code == 201, r.text
    got = client.get(f"/attachments/{r.json()['id']}", headers=login("tt.sogddt"))
    assert got.status_code == 200 and got.content == data and got.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n" in got.headers["content-disposition"]
    shown = client.get(f"/nominations/{draft.id}", headers=login("cb.sogddt")).json()
    assert shown["timeline"][-1]["action"] == "attach" and shown["attachments"][0]["sha256"] == r.json()["sha256"]


# --- actions -------------------------------------------------------------------------------------


def test_an_unknown_action_gets_404_unknown_action(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/actions/approve_everything", headers=login("cb.sogddt"))
    error = assert_error_shape(r, 404, "unknown_action")
    assert "submit" in error["details"]["actions"]
    assert fingerprint(demo_engine, draft.id) == before


def test_an_illegal_transition_gets_409_and_changes_nothing(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/actions/endorse", headers=login("tt.sogddt"))  # not submitted yet
    error = assert_error_shape(r, 409, "transition_refused")
    assert error["details"] == {"state": "draft", "action": "endorse"}
    assert "Dự thảo" in error["message_vi"]
    awarded = demo_nomination(demo_engine, unit="SO_TP", state="awarded")
    r = client.post(f"/nominations/{awarded.id}/actions/decide", json={"document_number": "1/QĐ-UBND", "signed_on": "2026-11-22", "signer": "Chủ tịch"},
                    headers=login("chutich"))
    assert_error_shape(r, 409, "transition_refused")
    assert fingerprint(demo_engine, draft.id) == before


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_missing_reason_gets_422_and_changes_nothing(client: TestClient, login: Login, demo_engine: Engine, reason: str | None) -> None:
    n = demo_nomination(demo_engine, unit="SO_YT", state="awaiting_unit_head")
    before = fingerprint(demo_engine, n.id)
    body = {} if reason is None else {"reason": reason}
    r = client.post(f"/nominations/{n.id}/actions/send_back", json=body, headers=login("tt.soyt"))
    error = assert_error_shape(r, 422, "reason_required")
    assert "lý do" in error["message_vi"]
    assert fingerprint(demo_engine, n.id) == before


def test_a_missing_outcome_or_signature_gets_422(client: TestClient, login: Login, demo_engine: Engine) -> None:
    at_council = demo_nomination(demo_engine, unit="SO_GDDT", state="at_council")
    passed = demo_nomination(demo_engine, unit="SO_YT", state="council_passed")
    before = fingerprint(demo_engine)
    r = client.post(f"/nominations/{at_council.id}/actions/record_council_result", json={}, headers=login("ban.tdkt"))
    assert_error_shape(r, 422, "invalid_input")
    r = client.post(f"/nominations/{passed.id}/actions/decide", json={"document_number": "9/QĐ-UBND"}, headers=login("chutich"))
    assert "signed_on" in assert_error_shape(r, 422, "invalid_input")["message_en"]
    assert fingerprint(demo_engine) == before


# --- malformed requests: 422 in the one shape, never 500 ---------------------------------------------


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("POST", "/nominations", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "year": "hai nghìn"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "year": 1200}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "facts": {"so_nam": "nhiều"}}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "surprise": True}}),
    ("POST", "/nominations", {"json": ["award_code", "HC_LD"]}),
    ("POST", "/nominations", {"json": {"award_code": "HC_LD"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "award_code": "KHONG_CO"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "campaign_code": "KHONG-CO"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "person_code": "P001"}}),  # two nominees
    ("GET", "/nominations/mot", {}),
    ("GET", "/nominations", {"params": {"limit": 0}}),
    ("GET", "/nominations", {"params": {"offset": -1}}),
    ("GET", "/nominations", {"params": {"due_before": "ngày mai"}}),
    ("GET", "/nominations", {"params": {"campaign_id": "một"}}),
    ("POST", "/nominations/{draft}/actions/submit", {"json": {"passed": "có lẽ"}}),
    ("POST", "/nominations/{draft}/actions/submit", {"json": {"version": 0}}),
    ("POST", "/nominations/{draft}/actions/submit", {"content": b"[1, 2", "headers": {"Content-Type": "application/json"}}),
    ("PATCH", "/nominations/{draft}", {"json": {}}),
    ("PATCH", "/nominations/{draft}", {"json": {"state": "awarded"}}),
    ("PATCH", "/nominations/{draft}", {"json": {"year": "năm nay"}}),
    ("POST", "/nominations/{draft}/attachments", {"data": {"document_kind": "x"}}),  # no file
    ("POST", "/eligibility/check", {"json": {"award_code": "CSTD_TP", "year": 2026}}),  # no nominee
    ("POST", "/eligibility/check", {"json": {"award_code": "KHONG_CO", "person_code": "P001", "year": 2026}}),
    ("POST", "/eligibility/check", {"json": {"award_code": "CSTD_TP", "person_code": "P999", "year": 2026}}),
    # Found by schemathesis: bodies that are not UTF-8, numbers past the database's integers, and
    # NUL characters (which PostgreSQL cannot store) were 400s or 500s.
    ("POST", "/nominations", {"content": b"\xff\xfe{}", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/eligibility/check", {"content": "{\"award_code\": \"Cờ\"}".encode("utf-16"), "headers": {"Content-Type": "application/json"}}),
    ("GET", "/nominations/2147483648", {}),
    ("GET", "/nominations/0", {}),
    ("GET", "/attachments/9223372036854775808", {}),
    ("GET", "/nominations", {"params": {"offset": 2**63}}),
    ("GET", "/nominations", {"params": {"campaign_id": 2**40}}),
    ("GET", "/decisions", {"params": {"offset": 2**63}, "as": "chutich"}),
    ("GET", "/public/decisions", {"params": {"offset": 10**30}}),
    ("GET", "/clusters", {"params": {"year": 10**20}}),
    ("GET", "/nominations", {"params": {"state": "draft\x00"}}),
    ("GET", "/public/decisions", {"params": {"q": "\x00"}}),
    ("POST", "/auth/token", {"data": {"username": "\x00", "password": "mat-khau"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "campaign_code": "TK\x002026"}}),
    ("POST", "/nominations", {"json": {**NEW_DRAFT, "facts": {"\x00": 1}}}),
    ("PATCH", "/nominations/{draft}", {"json": {"achievements": "Thành tích\x00"}}),
    ("POST", "/nominations/{draft}/actions/withdraw", {"json": {"reason": "Rút\x00"}}),
    ("POST", "/nominations/{draft}/actions/submit", {"json": {"bodies": ["\x00"]}}),
    ("POST", "/eligibility/check", {"json": {"award_code": "CSTD_TP", "person_code": "P\x00", "year": 2026}}),
    ("POST", "/nominations/{draft}/attachments", {"files": {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}, "data": {"document_kind": "k" * 41}}),
])
def test_malformed_requests_get_422_in_the_one_error_shape(
    client: TestClient, login: Login, demo_engine: Engine, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    kwargs = dict(kwargs)
    headers = {**login(kwargs.pop("as", "cb.sogddt")), **kwargs.pop("headers", {})}
    r = client.request(method, path.replace("{draft}", str(draft.id)), headers=headers, **kwargs)
    assert_error_shape(r, 422)
    assert fingerprint(demo_engine, draft.id) == before


def test_unknown_paths_and_methods_use_the_error_shape(client: TestClient, login: Login) -> None:
    assert_error_shape(client.get("/khong-co", headers=login("admin")), 404, "http_404")
    assert_error_shape(client.delete("/nominations", headers=login("admin")), 405, "http_405")
    assert_error_shape(client.get("/catalogue/1900.1", headers=login("admin")), 404, "unknown_ruleset")
    assert_error_shape(client.get("/catalogue", params={"on": "1900-01-01"}, headers=login("admin")), 404, "no_ruleset")
    assert_error_shape(client.get("/nominations/999999", headers=login("admin")), 404, "not_found")
    assert_error_shape(client.get("/attachments/999999", headers=login("admin")), 404, "not_found")


# --- tokens --------------------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _token_refused(client: TestClient, token: str) -> None:
    r = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert_error_shape(r, 401, "not_authenticated")
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_with_a_flipped_signature_byte_is_refused(client: TestClient, login: Login, demo_engine: Engine) -> None:
    token = login("admin")["Authorization"].removeprefix("Bearer ")
    before = fingerprint(demo_engine)
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    _token_refused(client, f"{head}.{payload}.{flipped}")
    # A payload changed to another user, with the original signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    _token_refused(client, f"{head}.{_b64({**claims, 'sub': 'cb.sogddt'})}.{signature}")
    # A refused token cannot act either, and nothing changes.
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    r = client.post(f"/nominations/{draft.id}/actions/withdraw", json={"reason": "Giả mạo."},
                    headers={"Authorization": f"Bearer {head}.{payload}.{flipped}"})
    assert_error_shape(r, 401, "not_authenticated")
    assert fingerprint(demo_engine) == before


def test_an_expired_token_is_refused(client: TestClient) -> None:
    settings = get_api_settings()
    token, lifetime = issue_token("admin", settings, now=datetime.now(UTC) - timedelta(days=2))
    assert lifetime < 2 * 86400
    _token_refused(client, token)
    fresh, _ = issue_token("admin", settings)
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {fresh}"}).json()["role"] == "admin"


def test_a_token_accepted_before_is_refused_once_it_expires(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token's signature is checked once and remembered; its expiry is checked at every use."""
    import jwt

    token, _ = issue_token("admin", get_api_settings())
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    expiry = jwt.decode(token, options={"verify_signature": False})["exp"]
    monkeypatch.setattr("service.api.security._now", lambda: expiry + 1)
    _token_refused(client, token)


def test_alg_none_and_foreign_tokens_are_refused(client: TestClient) -> None:
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": "admin", "iat": now, "exp": now + 3600}
    _token_refused(client, f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.")
    _token_refused(client, f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(claims)}.")
    import jwt

    _token_refused(client, jwt.encode(claims, "a-different-secret-of-sufficient-length", algorithm="HS256"))
    _token_refused(client, jwt.encode({"sub": "admin", "iat": now}, get_api_settings().jwt_secret, algorithm="HS256"))  # no exp
    _token_refused(client, jwt.encode({**claims, "sub": "nguoi.la"}, get_api_settings().jwt_secret, algorithm="HS256"))  # no such user
    _token_refused(client, "khong-phai-jwt")


# --- sign-in rate limit --------------------------------------------------------------------------


def test_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(client: TestClient, demo_engine: Engine) -> None:
    limit = get_api_settings().login_max_failures
    for _ in range(limit):
        r = client.post("/auth/token", data={"username": "cb.soyt", "password": "sai-mat-khau"})
        assert_error_shape(r, 401, "bad_credentials")
    r = client.post("/auth/token", data={"username": "cb.soyt", "password": "sai-mat-khau"})
    assert_error_shape(r, 429, "too_many_attempts")
    right = client.post("/auth/token", data={"username": "cb.soyt", "password": DEMO_PASSWORD})
    assert_error_shape(right, 429, "too_many_attempts")
    # The limit lives in the database: another API process over it refuses too …
    with TestClient(create_app(demo_engine)) as other_worker:
        assert other_worker.post("/auth/token", data={"username": "cb.soyt", "password": DEMO_PASSWORD}).status_code == 429
    assert count(demo_engine, LoginAttempt, LoginAttempt.username == "cb.soyt", LoginAttempt.succeeded.is_(False)) == limit  # type: ignore[union-attr]
    # … and it is per account: others still sign in.
    assert client.post("/auth/token", data={"username": "tt.soyt", "password": DEMO_PASSWORD}).status_code == 200


def test_an_unknown_user_and_a_wrong_password_look_the_same(client: TestClient) -> None:
    unknown = client.post("/auth/token", data={"username": "khong.ton.tai", "password": "sai-mat-khau"})
    wrong = client.post("/auth/token", data={"username": "admin", "password": "sai-mat-khau"})
    assert assert_error_shape(unknown, 401) == assert_error_shape(wrong, 401)
    assert_error_shape(client.post("/auth/token", data={"username": "admin"}), 422, "invalid_request")


# --- pagination ----------------------------------------------------------------------------------


def test_lists_are_paginated_with_limit_offset_and_total(client: TestClient, login: Login, demo_engine: Engine) -> None:
    headers = login("ban.tdkt")
    total = count(demo_engine, Nomination)
    seen: list[int] = []
    for offset in range(0, total + 5, 5):
        page = client.get("/nominations", params={"limit": 5, "offset": offset}, headers=headers).json()
        assert page["total"] == total and page["limit"] == 5 and page["offset"] == offset
        assert len(page["items"]) == max(0, min(5, total - offset))
        seen += [n["id"] for n in page["items"]]
    assert seen == sorted(seen) and len(set(seen)) == total
    # Filters apply to the total as well; the page size is capped.
    drafts = client.get("/nominations", params={"state": "draft", "limit": 1}, headers=headers).json()
    assert drafts["total"] == count(demo_engine, Nomination, Nomination.state == "draft") and len(drafts["items"]) == 1
    capped = client.get("/nominations", params={"limit": 10_000}, headers=headers).json()
    assert capped["limit"] == get_api_settings().page_size_max and len(capped["items"]) == total
    # A unit sees only its own in the total too.
    mine = client.get("/nominations", params={"limit": 1}, headers=login("cb.sogddt")).json()
    assert mine["total"] == count(demo_engine, Nomination, Nomination.proposing_unit_code == "SO_GDDT")


def test_public_and_decision_lists_are_paginated(client: TestClient, login: Login) -> None:
    everything = client.get("/public/decisions", params={"limit": 100}).json()
    assert everything["total"] == len(everything["items"]) >= 1
    first = client.get("/public/decisions", params={"limit": 1, "offset": 0}).json()
    assert first["total"] == everything["total"] and first["items"] == everything["items"][:1]
    beyond = client.get("/public/decisions", params={"limit": 1, "offset": everything["total"]}).json()
    assert beyond["items"] == [] and beyond["total"] == everything["total"]
    decisions = client.get("/decisions", params={"limit": 2, "offset": 1}, headers=login("chutich")).json()
    assert decisions["limit"] == 2 and decisions["offset"] == 1 and len(decisions["items"]) == min(2, decisions["total"] - 1)
    assert_error_shape(client.get("/public/decisions", params={"limit": 101}), 422, "invalid_request")
    # The public list shows what a published decision shows, nothing more.
    awardee = everything["items"][0]["awardees"][0]
    assert set(awardee) == {"nominee_name", "unit_name_vi", "award_name_vi", "year"}


def test_person_codes_of_the_demo_exist(demo_engine: Engine) -> None:
    """The malformed-request cases above lean on P001 existing and P999 not."""
    assert count(demo_engine, Person, Person.code == "P001") == 1 and count(demo_engine, Person, Person.code == "P999") == 0
