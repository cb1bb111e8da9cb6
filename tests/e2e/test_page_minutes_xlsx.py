"""The cluster page's download of a closed round's counting minutes (.xlsx): the API's workbook,
byte for byte, for whoever sees the cluster's year; 409 while the round is open; 404 for another
cluster's unit or a unit role; the link shows on the page once the round is counted."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.api.app import create_app
from service.cycle_models import ClusterBallotRound, ClusterYear
from service.demo import DEMO_PASSWORD
from service.models import Cluster
from service.xlsx_exports import CONTENT_TYPE
from tests.e2e.conftest import fingerprint
from tests.e2e.test_cluster_year_api import BOARD, HEAD, MEMBER, YEAR_URL, accounts, to_ballot  # noqa: F401 (fixture)


def _page_client(engine: Engine, username: str) -> TestClient:
    c = TestClient(create_app(engine))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/web/login").text)
    assert token
    r = c.post("/web/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": token.group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def test_minutes_download_on_the_cluster_page(client: TestClient, login: Callable[[str], dict[str, str]], accounts: None,  # noqa: F811
                                              demo_engine: Engine) -> None:
    to_ballot(client, login)
    with Session(demo_engine) as s:
        cy = s.exec(select(ClusterYear).join(Cluster, Cluster.id == ClusterYear.cluster_id).where(Cluster.code == "CUM_7")).one()
        ballot = s.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id, ClusterBallotRound.round == 1)).one()
        cy_id, ballot_id = cy.id, ballot.id
    url = f"/web/clusters/{cy_id}/ballots/{ballot_id}/minutes.xlsx"
    head = _page_client(demo_engine, HEAD)
    before = fingerprint(demo_engine)
    early = head.get(url)
    assert early.status_code == 409 and 'role="alert"' in early.text  # no tally before the count
    assert fingerprint(demo_engine) == before
    assert 'data-export="minutes"' not in head.get(f"/web/clusters/{cy_id}").text

    for user, choices in {MEMBER: {"SO_GDDT": "yes"}, HEAD: {"SO_GDDT": "yes", "SO_KHCN": "no"}}.items():
        assert client.post(f"{YEAR_URL}/ballots/1/votes", json={"choices": {"CO_TD_CP": choices}}, headers=login(user)).status_code == 201
    assert client.post(f"{YEAR_URL}/ballots/1/close", headers=login(HEAD)).status_code == 200

    assert f'href="{url}"' in head.get(f"/web/clusters/{cy_id}").text
    api = client.get(f"{YEAR_URL}/ballots/1/minutes.xlsx", headers=login(MEMBER))
    assert api.status_code == 200
    for username in (MEMBER, BOARD):
        page = _page_client(demo_engine, username).get(url)
        assert page.status_code == 200 and page.headers["content-type"] == CONTENT_TYPE
        assert page.content == api.content  # the same workbook as the API's
    for username in ("cum6.thanhtra", "cb.soyt"):  # another cluster's unit; a unit role
        assert _page_client(demo_engine, username).get(url).status_code == 404
    assert head.get(f"/web/clusters/{cy_id}/ballots/{ballot_id + 1000}/minutes.xlsx").status_code == 404
