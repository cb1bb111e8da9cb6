"""The cluster year's extras over HTTP: the counting minutes as .xlsx (counts only, the same scope
as the minutes, 409 while the round is open), starting a cluster's year (``start_cluster_year``)
and the read-only quota view (what ``tdkt cycle quota`` shows). Refusals answer in the one error
shape and change nothing."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import cluster_cycle as cycle
from service.xlsx_exports import CONTENT_TYPE
from tests.e2e.conftest import assert_error_shape, fingerprint
from tests.e2e.test_cluster_year_api import BOARD, HEAD, MEMBER, YEAR_URL, accounts, to_ballot  # noqa: F401 (fixture)


def test_minutes_xlsx_counts_only_in_scope(client: TestClient, login: Callable[[str], dict[str, str]], accounts: None,  # noqa: F811
                                           demo_engine: Engine) -> None:
    to_ballot(client, login)
    url = f"{YEAR_URL}/ballots/1/minutes.xlsx"
    before = fingerprint(demo_engine)
    assert_error_shape(client.get(url, headers=login(BOARD)), 409)  # no early tally
    assert fingerprint(demo_engine) == before
    papers = {MEMBER: {"SO_GDDT": "yes", "SO_KHCN": "no"}, "cum7.soyt": {"SO_GDDT": "yes"},
              "cum7.sokhcn": {"SO_GDDT": "yes"}, HEAD: {"SO_GDDT": "yes", "SO_KHCN": "abstain"}}
    for user, choices in papers.items():
        r = client.post(f"{YEAR_URL}/ballots/1/votes", json={"choices": {"CO_TD_CP": choices}}, headers=login(user))
        assert r.status_code == 201, r.text
    assert client.post(f"{YEAR_URL}/ballots/1/close", headers=login(HEAD)).status_code == 200

    r = client.get(url, headers=login(MEMBER))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CONTENT_TYPE and r.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(r.content))
    rows = list(book["Kết quả suy tôn"].iter_rows(values_only=True))
    by_unit = {row[2]: row for row in rows[1:] if row[0] == "CO_TD_CP"}
    assert set(by_unit) == {"SO_GDDT", "SO_KHCN"}
    assert by_unit["SO_GDDT"][5:8] == (4, 0, 0)  # yes, no, abstain
    assert by_unit["SO_KHCN"][6] == 1  # the one "no"
    # The sheet says what the minutes say, candidate by candidate.
    minutes = client.get(f"{YEAR_URL}/ballots/1/minutes", headers=login(MEMBER)).json()["minutes"]["awards"]["CO_TD_CP"]
    for c in minutes["candidates"]:
        assert by_unit[c["unit"]][5:8] == (c["yes"], c["no"], c["abstain"]) and by_unit[c["unit"]][10] == c["outcome"]
    assert by_unit["SO_GDDT"][10] == "honoured" and by_unit["SO_GDDT"][11] == 4
    # Counts only: no cell names who voted how (the voters are on the attendance sheet, not here).
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert not {"SO_VHTT", "SO_YT", "SO_LDTBXH", "cum7.soyt", "cum7.truong"} & cells
    assert client.get(url, headers=login("chutich")).content == r.content  # the city's roles read it too
    for user, status in (("cum6.thanhtra", 404), ("cb.soyt", 404)):  # another cluster's unit, a unit role
        assert_error_shape(client.get(url, headers=login(user)), status)
    assert_error_shape(client.get(f"{YEAR_URL}/ballots/2/minutes.xlsx", headers=login(BOARD)), 404)
    assert client.get(url).status_code == 401


def test_start_a_cluster_year(client: TestClient, login: Callable[[str], dict[str, str]], demo_engine: Engine) -> None:
    body = {"cluster": "CUM_6", "year": 2026, "campaign": "TK-2026"}
    refusals = [
        (HEAD, body, 403),  # the head of Cluster 7 does not start Cluster 6's year
        ("chutich", body, 403),  # the approver signs decisions; it does not run clusters
        (BOARD, {**body, "campaign": "TK-2025"}, 422),  # not that year's campaign
        (BOARD, {**body, "cluster": "CUM_99"}, 422),  # no such cluster
        (BOARD, {**body, "cluster": "CUM_7"}, 409),  # the demo's year is already started
    ]
    for user, sent, status in refusals:
        before = fingerprint(demo_engine)
        assert_error_shape(client.post("/cluster-years", json=sent, headers=login(user)), status)
        assert fingerprint(demo_engine) == before, (user, sent)
    r = client.post("/cluster-years", json=body, headers={**login(BOARD), "Idempotency-Key": "start-cum6"})
    assert r.status_code == 201, r.text
    assert r.json()["cluster"] == "CUM_6" and r.json()["state"] == "planned" and r.headers["Location"] == "/cluster-years/CUM_6/2026"
    before = fingerprint(demo_engine)
    again = client.post("/cluster-years", json=body, headers={**login(BOARD), "Idempotency-Key": "start-cum6"})
    assert again.status_code == 201 and again.json() == r.json() and fingerprint(demo_engine) == before
    with Session(demo_engine) as s:
        cy = cycle.find_cluster_year(s, "CUM_6", 2026)
        assert cy is not None and cy.id == r.json()["id"]
    assert client.get("/cluster-years/CUM_6/2026", headers=login(BOARD)).json()["state"] == "planned"


def test_quota_view(client: TestClient, login: Callable[[str], dict[str, str]]) -> None:
    r = client.get(f"{YEAR_URL}/quotas/CO_TD_TP", headers=login(MEMBER))
    assert r.status_code == 200, r.text
    quota = r.json()
    assert quota["has_quota"] is True and quota["capacity"] == 1 and quota["remaining"] == 0 and quota["citation"]
    assert [u["nominee"] for u in quota["uses"]] == ["Sở Y tế thành phố Hà Nội"]
    none = client.get(f"{YEAR_URL}/quotas/CSTD_TP", headers=login(BOARD))
    assert none.status_code == 200 and none.json()["has_quota"] is False and none.json()["uses"] == []
    assert_error_shape(client.get(f"{YEAR_URL}/quotas/NO_SUCH", headers=login(BOARD)), 422)
    assert_error_shape(client.get(f"{YEAR_URL}/quotas/CO_TD_TP", headers=login("cb.soyt")), 404)  # a unit role: not in scope
