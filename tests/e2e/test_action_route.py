"""The action route reads who acts and its three headers itself (the busiest route, see
``service/api/routes/nominations.act``): what a declared dependency or header parameter gave
for free is checked here — the headers are documented, a deactivated account is refused with
nothing changed, and the headers are honoured in any letter case."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine

from service.models import User
from tests.e2e.conftest import assert_error_shape, fingerprint
from tests.e2e.test_api_refusals import demo_nomination

Login = Callable[[str], dict[str, str]]
ACTION_PATH = "/nominations/{nomination_id}/actions/{action}"


def test_the_action_routes_headers_are_in_the_openapi_document(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][ACTION_PATH]["post"]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert set(headers) == {"if-match", "idempotency-key", "prefer"}
    assert "return=minimal" in headers["prefer"]["description"]
    assert headers["idempotency-key"]["schema"]["maxLength"] == 200
    assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == {"nomination_id", "action"}


def test_a_deactivated_account_with_a_valid_token_may_not_act(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    headers = login("cb.sogddt")  # signed in while still active
    with demo_engine.begin() as conn:
        conn.execute(update(User).where(User.username == "cb.sogddt").values(active=False))  # type: ignore[arg-type]
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/actions/submit", headers={**headers, "If-Match": f'"v{draft.version}"'})
    assert_error_shape(r, 401, "not_authenticated")
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert fingerprint(demo_engine, draft.id) == before


def test_the_headers_are_read_in_any_letter_case(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    stale = client.post(f"/nominations/{draft.id}/actions/submit",
                        headers={**login("cb.sogddt"), "IF-MATCH": f'"v{draft.version - 1}"'})
    assert_error_shape(stale, 409)  # the If-Match was read: a stale version is refused
    r = client.post(f"/nominations/{draft.id}/actions/submit",
                    headers={**login("cb.sogddt"), "if-match": f'"v{draft.version}"', "PREFER": "return=minimal",
                             "Idempotency-KEY": "k-case-1"})
    assert r.status_code == 200, r.text
    assert r.headers["Preference-Applied"] == "return=minimal" and r.json()["version"] == draft.version + 1
    again = client.post(f"/nominations/{draft.id}/actions/submit",
                        headers={**login("cb.sogddt"), "if-match": f'"v{draft.version}"', "prefer": "return=minimal",
                                 "idempotency-key": "k-case-1"})
    assert again.status_code == 200 and again.json() == r.json()  # the stored answer, not a second action
