"""``Prefer: return=minimal`` (RFC 7240) on the write routes: the nomination's own fields instead
of the detail, the same write, and the detail when nothing (or something else) is preferred."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.api.schemas import NominationDetail, NominationOut
from tests.e2e.conftest import assert_error_shape, fingerprint
from tests.e2e.test_api_refusals import NEW_DRAFT, demo_nomination

Login = Callable[[str], dict[str, str]]
OWN_FIELDS = set(NominationOut.model_fields)
DETAIL_ONLY = set(NominationDetail.model_fields) - OWN_FIELDS  # timeline, attachments, documents, ...


def test_an_action_with_return_minimal_answers_the_nominations_own_fields(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/actions/submit",
                    headers={**login("cb.sogddt"), "If-Match": f'"v{draft.version}"', "Prefer": "return=minimal"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == OWN_FIELDS and not DETAIL_ONLY & set(body)
    assert body["state"] == "awaiting_unit_head" and body["version"] == draft.version + 1
    assert body["state_label_vi"] == "Chờ thủ trưởng đơn vị ký trình"
    assert r.headers["Preference-Applied"] == "return=minimal" and r.headers["ETag"] == f'"v{draft.version + 1}"'
    after = fingerprint(demo_engine, draft.id)  # the same write as without the preference
    assert after["chain"] == before["chain"] + 1 and after["outbox"] >= before["outbox"]
    assert after["nomination"][:2] == ("awaiting_unit_head", draft.version + 1)

    # The next action, driven by the version of the minimal answer, with the default answer.
    head = client.post(f"/nominations/{draft.id}/actions/endorse", headers={**login("tt.sogddt"), "If-Match": r.headers["ETag"]})
    assert head.status_code == 200, head.text
    assert DETAIL_ONLY <= set(head.json()) and "Preference-Applied" not in head.headers
    assert [t["action"] for t in head.json()["timeline"]][-2:] == ["submit", "endorse"]


def test_other_preferences_and_representation_keep_the_detail(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    r = client.post(f"/nominations/{draft.id}/actions/submit",
                    headers={**login("cb.sogddt"), "Prefer": "respond-async, return=representation, wait=5"})
    assert r.status_code == 200, r.text
    assert DETAIL_ONLY <= set(r.json()) and "Preference-Applied" not in r.headers


def test_create_and_edit_honour_return_minimal(client: TestClient, login: Login, demo_engine: Engine) -> None:
    headers = {**login("cb.sogddt"), "Prefer": 'handling=strict; x=1, RETURN="minimal"'}
    created = client.post("/nominations", json=NEW_DRAFT, headers=headers)
    assert created.status_code == 201, created.text
    assert set(created.json()) == OWN_FIELDS and created.headers["Preference-Applied"] == "return=minimal"
    nid = created.json()["id"]
    assert created.headers["Location"] == f"/nominations/{nid}"
    edited = client.patch(f"/nominations/{nid}", json={"achievements": "Nội dung đã sửa."},
                          headers={**headers, "If-Match": created.headers["ETag"]})
    assert edited.status_code == 200, edited.text
    assert set(edited.json()) == OWN_FIELDS and edited.json()["achievements"] == "Nội dung đã sửa."
    assert edited.json()["version"] == created.json()["version"] + 1


def test_a_retried_action_replays_the_first_answer_minimal_or_not(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = demo_nomination(demo_engine, unit="SO_GDDT", state="draft", award="BK_TP")
    keyed = {**login("cb.sogddt"), "Idempotency-Key": "gui-toi-gian-1"}
    first = client.post(f"/nominations/{draft.id}/actions/submit", headers={**keyed, "Prefer": "return=minimal"})
    assert first.status_code == 200 and set(first.json()) == OWN_FIELDS
    after = fingerprint(demo_engine, draft.id)
    again = client.post(f"/nominations/{draft.id}/actions/submit", headers=keyed)  # the retry forgot the header
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Preference-Applied"] == "return=minimal"  # says what the replayed answer is
    assert fingerprint(demo_engine, draft.id) == after


def test_a_refused_action_with_return_minimal_is_the_usual_error(client: TestClient, login: Login, demo_engine: Engine) -> None:
    n = demo_nomination(demo_engine, unit="SO_YT", state="awaiting_unit_head")
    before = fingerprint(demo_engine, n.id)
    r = client.post(f"/nominations/{n.id}/actions/endorse",
                    headers={**login("tt.soyt"), "If-Match": f'"v{n.version - 1}"', "Prefer": "return=minimal"})
    assert_error_shape(r, 409, "stale_version")
    assert "Preference-Applied" not in r.headers
    assert fingerprint(demo_engine, n.id) == before
