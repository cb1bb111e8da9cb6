"""Both tracks over HTTP, from draft to decision, with a different signed-in user at each step."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import audit
from service.api.app import create_app
from service.demo import DEMO_PASSWORD, load_demo_users


@pytest.fixture
def client(engine: Engine, session: Session, demo_day: None) -> Iterator[TestClient]:
    load_demo_users(session)
    with TestClient(create_app(engine)) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def act(client: TestClient, user: str, nid: int, action: str, version: int, **body: object) -> dict:
    r = client.post(f"/nominations/{nid}/actions/{action}", json=body, headers={**login(client, user), "If-Match": f'"v{version}"'})
    assert r.status_code == 200, (action, r.text)
    out = r.json()
    assert out["version"] == version + 1 and r.headers["ETag"] == f'"v{version + 1}"'
    assert out["timeline"][-1]["actor"] == user and out["timeline"][-1]["action"] == action
    return out


def test_unit_track_over_http(client: TestClient, session: Session) -> None:
    r = client.post("/nominations", json={"award_code": "CSTD_TP", "campaign_code": "TK-2026", "year": 2026, "person_code": "P001",
                                          "achievements": "Sáng kiến áp dụng toàn thành phố."}, headers=login(client, "cb.sogddt"))
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["state"] == "draft" and r.headers["Location"] == f"/nominations/{n['id']}"
    assert [a["action"] for a in n["allowed_actions"]] == ["submit", "withdraw"]
    steps = [
        ("cb.sogddt", "submit", {}),
        ("tt.sogddt", "endorse", {}),
        ("ban.tdkt", "receive", {}),
        ("ban.tdkt", "start_appraisal", {}),
        ("ban.tdkt", "send_to_council", {}),
        ("ban.tdkt", "record_council_result", {"passed": True, "tally": {"members": 15, "present": 15, "in_favour": 14}}),
        ("chutich", "decide", {"document_number": "88/QĐ-UBND", "signed_on": "2026-12-01", "signer": "Chủ tịch UBND TP"}),
    ]
    version = n["version"]
    for user, action, body in steps:
        n = act(client, user, n["id"], action, version, **body)
        version = n["version"]
    assert n["state"] == "awarded" and n["state_label_vi"] == "Đã quyết định khen thưởng"
    public = client.get("/public/decisions", params={"q": "88/QĐ"}).json()
    assert public["items"][0]["awardees"][0]["nominee_name"] == n["nominee_name"]
    assert audit.verify_all(session) == []


def test_cluster_track_over_http(client: TestClient, session: Session) -> None:
    head = login(client, "cum7.truong")
    r = client.post("/nominations", json={"award_code": "CO_TD_TP", "campaign_code": "TK-2026", "year": 2026,
                                          "nominee_unit_code": "SO_YT", "track": "cluster"}, headers=head)
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["track"] == "cluster" and n["cluster_id"] is not None
    steps = [
        ("cum7.truong", "open_cluster_review", {}),
        ("cum7.truong", "record_cluster_result", {"passed": True, "tally": {"ballots": 6, "in_favour": 5}}),
        ("ban.tdkt", "receive", {}),
        ("ban.tdkt", "start_appraisal", {}),
        ("ban.tdkt", "send_to_council", {}),
        ("ban.tdkt", "record_council_result", {"passed": True}),
        ("chutich", "decide", {"document_number": "89/QĐ-UBND", "signed_on": "2026-12-01", "signer": "Chủ tịch UBND TP"}),
    ]
    version = n["version"]
    for user, action, body in steps:
        n = act(client, user, n["id"], action, version, **body)
        version = n["version"]
    assert n["state"] == "awarded"
    assert [e["to_state"] for e in n["timeline"]][1:3] == ["in_cluster_review", "cluster_endorsed"]
    # The submitter of SO_YT sees the outcome; another unit's submitter does not see it at all.
    assert client.get(f"/nominations/{n['id']}", headers=login(client, "cb.soyt")).status_code == 200
    other = client.get(f"/nominations/{n['id']}", headers=login(client, "cb.sogddt"))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


def test_detail_shows_the_step_clock_and_produced_documents(client: TestClient, session: Session) -> None:
    from service.actors import Actor
    from service.demo import DemoNomination, drive
    from service.dossier import assemble_dossier
    from workflow.roles import Role

    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    docs = assemble_dossier(session, n.id, actor=Actor("ban", Role.BOARD_OFFICER))
    body = client.get(f"/nominations/{n.id}", headers=login(client, "ban.tdkt")).json()
    assert body["clock"]["clock"] == "appraisal" and body["clock"]["working_days_left"] > 0
    assert {d["sha256"] for d in body["documents"]} == {d.sha256 for d in docs}
    assert body["timeline"][-1]["action"] == "assemble_dossier"
