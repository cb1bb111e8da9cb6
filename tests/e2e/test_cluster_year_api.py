"""The demo's cluster year (Cluster 7, 2026) over HTTP, from scoring through a secret honouring
ballot to its minutes, each step by a different signed-in user; and the refusals (double vote,
vote by a non-member, closing a round that is not open, a stale version), each changing nothing.

The demo has two cluster accounts (the head's unit SO_LDTBXH, the member SO_VHTT); the other
member units get their own accounts here (through ``service.users``, as ``tdkt user add`` does)
so that enough units vote for the quorum."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.yamlfiles import read_yaml
from service.cycle_demo import CYCLE_FILE
from service.cycle_models import BallotCount, BallotReceipt
from service.demo import DEMO_PASSWORD
from service.models import Nomination
from service.users import create_user
from tests.e2e.conftest import assert_error_shape, fingerprint

YEAR_URL = "/cluster-years/CUM_7/2026"
HEAD, MEMBER, BOARD = "cum7.truong", "cum7.thanhvien", "ban.tdkt"
EXTRA_MEMBERS = {"cum7.sogddt": "SO_GDDT", "cum7.soyt": "SO_YT", "cum7.sokhcn": "SO_KHCN", "cum6.thanhtra": "THANH_TRA"}


@pytest.fixture
def accounts(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        for username, unit in EXTRA_MEMBERS.items():
            create_user(s, username=username, password=DEMO_PASSWORD, role="cluster_member", full_name=f"Thư ký Cụm ({unit})", unit_code=unit)


def score_sheet() -> dict:
    """A valid self-score: the demo's first sheet, with evidence for every item scored."""
    spec = read_yaml(CYCLE_FILE)["cluster_year"]["scores"][0]
    return {"criteria": spec["criteria"], "bonus": spec["bonus"], "penalty": spec["penalty"], "gates": spec["gates"],
            "evidence": {code: "Báo cáo tổng kết năm 2026" for code in spec["criteria"]}}


def to_ballot(client: TestClient, login: Callable[[str], dict[str, str]]) -> dict:
    """Score the two units left, close scoring, open round 1 (Government flag: SO_GDDT, SO_KHCN; the City flag
    of the cluster is already taken by SO_YT in the demo)."""
    for user in (MEMBER, HEAD):
        r = client.post(f"{YEAR_URL}/scores", json=score_sheet(), headers=login(user))
        assert r.status_code == 200, r.text
    year = client.get(YEAR_URL, headers=login(HEAD))
    r = client.post(f"{YEAR_URL}/actions/close_scoring", headers={**login(HEAD), "If-Match": year.headers["ETag"]})
    assert r.status_code == 200, r.text
    r = client.post(f"{YEAR_URL}/ballots", json={"candidates": {"CO_TD_CP": ["SO_GDDT", "SO_KHCN"]}},
                    headers={**login(HEAD), "Idempotency-Key": "open-round-1"})
    assert r.status_code == 201, r.text
    return r.json()


def test_cluster_year_from_scoring_to_minutes(client: TestClient, login: Callable[[str], dict[str, str]], accounts: None,
                                              demo_engine: Engine) -> None:
    # The member sees the year at scoring, that it has not scored, and that it may.
    r = client.get(YEAR_URL, headers=login(MEMBER))
    assert r.status_code == 200, r.text
    year = r.json()
    assert year["state"] == "scoring_open" and r.headers["ETag"] == f'"v{year["version"]}"'
    assert {"SO_VHTT", "SO_LDTBXH"} == set(year["unscored"]) and "submit_score" in year["allowed_actions"]
    assert [row["unit"] for row in year["ranking"]][:1] and year["ranking_fixed"] is False

    # Scoring, closed by the head: the ranking is fixed.
    before_close = client.get(YEAR_URL, headers=login(HEAD)).json()
    assert "close_scoring" not in before_close["allowed_actions"]  # two units still to score
    round_ = to_ballot(client, login)
    assert round_ == {**round_, "round": 1, "state": "open", "voted": []}
    assert round_["awards"]["CO_TD_CP"]["candidates"] == ["SO_GDDT", "SO_KHCN"]
    year = client.get(YEAR_URL, headers=login(BOARD)).json()
    assert year["state"] == "ballot_open" and year["ranking_fixed"] and year["unscored"] == []
    assert year["allowed_actions"] == []  # the Board reads; it does not vote or run the cluster's steps

    # Four of the six units vote (quorum two thirds), each signed in as itself; SO_GDDT wins.
    papers = {MEMBER: {"SO_GDDT": "yes", "SO_KHCN": "no"}, "cum7.soyt": {"SO_GDDT": "yes"},
              "cum7.sokhcn": {"SO_GDDT": "yes"}, HEAD: {"SO_GDDT": "yes", "SO_KHCN": "abstain"}}
    for user, choices in papers.items():
        assert "cast_ballot" in client.get(YEAR_URL, headers=login(user)).json()["allowed_actions"]
        r = client.post(f"{YEAR_URL}/ballots/1/votes", json={"choices": {"CO_TD_CP": choices}}, headers=login(user))
        assert r.status_code == 201, r.text
        assert set(r.json()) == {"box", "voter", "channel", "received"}  # a receipt, nothing of the paper
    shown = client.get(f"{YEAR_URL}/ballots/1", headers=login("cum7.sogddt")).json()
    assert shown["voted"] == sorted(["SO_VHTT", "SO_YT", "SO_KHCN", "SO_LDTBXH"])  # the attendance sheet only
    assert_error_shape(client.get(f"{YEAR_URL}/ballots/1/minutes", headers=login(BOARD)), 409)  # no early tally

    # The head closes and counts; the minutes are counts, and the winner's nomination is honoured.
    r = client.post(f"{YEAR_URL}/ballots/1/close", headers=login(HEAD))
    assert r.status_code == 200, r.text
    minutes = r.json()["minutes"]
    assert minutes["ballots_cast"] == 4 and minutes["quorum_met"] is True
    flag = minutes["awards"]["CO_TD_CP"]
    assert flag["honoured"] == ["SO_GDDT"]
    read = client.get(f"{YEAR_URL}/ballots/1/minutes", headers=login("chutich"))
    assert read.status_code == 200 and read.json()["minutes"] == minutes
    with Session(demo_engine) as s:
        honoured = s.get(Nomination, flag["nominations"]["SO_GDDT"])
        assert honoured is not None and honoured.state == "cluster_endorsed"
        # Secrecy: receipts name voters, counters name no one, and nothing joins the two.
        assert {r.voter for r in s.exec(select(BallotReceipt).where(BallotReceipt.box == "cluster_ballot:" + str(_ballot_id(s))))} == set(shown["voted"])
        assert not {"voter", "unit", "user"} & set(BallotCount.model_fields)
    # The head files the proposals with the Board.
    r = client.post(f"{YEAR_URL}/actions/file_proposals", headers=login(HEAD))
    assert r.status_code == 200 and r.json()["state"] == "proposals_filed", r.text


def _ballot_id(s: Session) -> int:
    from service.cycle_models import ClusterBallotRound

    return s.exec(select(ClusterBallotRound.id).order_by(ClusterBallotRound.id.desc())).first()  # type: ignore[union-attr,return-value]


def test_ballot_refusals_change_nothing(client: TestClient, login: Callable[[str], dict[str, str]], accounts: None,
                                        demo_engine: Engine) -> None:
    to_ballot(client, login)
    paper = {"choices": {"CO_TD_CP": {"SO_GDDT": "yes"}}}
    assert client.post(f"{YEAR_URL}/ballots/1/votes", json=paper, headers=login(MEMBER)).status_code == 201

    refusals = [
        # a second paper of the same unit
        (MEMBER, "post", f"{YEAR_URL}/ballots/1/votes", {"json": {"choices": {"CO_TD_CP": {"SO_GDDT": "no"}}}}, 409, "already_voted"),
        # a unit of another cluster: the year is not in its scope
        ("cum6.thanhtra", "post", f"{YEAR_URL}/ballots/1/votes", {"json": paper}, 404, None),
        # a city role reads the year but is no voter
        (BOARD, "post", f"{YEAR_URL}/ballots/1/votes", {"json": paper}, 403, "not_a_voter"),
        # a unit's submitter (its unit is a member, its role is not a cluster role)
        ("cb.sogddt", "post", f"{YEAR_URL}/ballots/1/votes", {"json": paper}, 404, None),
        # a member may vote, not close the round
        (MEMBER, "post", f"{YEAR_URL}/ballots/1/close", {}, 403, "forbidden"),
        # a round that does not exist
        (HEAD, "post", f"{YEAR_URL}/ballots/2/close", {}, 404, None),
        # a stale version: the year moved on when the ballot opened
        (HEAD, "post", f"{YEAR_URL}/actions/file_proposals", {"headers": {"If-Match": '"v3"'}}, 409, "conflict"),
        # a step the year's state does not allow
        (HEAD, "post", f"{YEAR_URL}/actions/open_scoring", {}, 409, None),
        (HEAD, "post", f"{YEAR_URL}/actions/fly_away", {}, 404, "unknown_action"),
        # a name not on the paper
        ("cum7.soyt", "post", f"{YEAR_URL}/ballots/1/votes", {"json": {"choices": {"CO_TD_CP": {"SO_TTTT": "yes"}}}}, 422, None),
    ]
    for user, method, url, kwargs, status, code in refusals:
        before = fingerprint(demo_engine)
        headers = {**login(user), **kwargs.pop("headers", {})}
        r = client.request(method.upper(), url, headers=headers, **kwargs)
        assert_error_shape(r, status, code)
        assert fingerprint(demo_engine) == before, (user, url)

    # Closing, then closing again: the round is no longer open.
    assert client.post(f"{YEAR_URL}/ballots/1/close", headers=login(HEAD)).status_code == 200
    before = fingerprint(demo_engine)
    assert_error_shape(client.post(f"{YEAR_URL}/ballots/1/close", headers=login(HEAD)), 409)
    assert_error_shape(client.post(f"{YEAR_URL}/ballots/1/votes", json=paper, headers=login("cum7.soyt")), 409)
    assert fingerprint(demo_engine) == before


def test_scope_and_idempotent_open(client: TestClient, login: Callable[[str], dict[str, str]], accounts: None,
                                   demo_engine: Engine) -> None:
    # Out of scope is 404 (as for a year that does not exist); the list shows only one's own.
    assert_error_shape(client.get(YEAR_URL, headers=login("cum6.thanhtra")), 404)
    assert_error_shape(client.get(YEAR_URL, headers=login("tt.soyt")), 404)
    assert_error_shape(client.get("/cluster-years/CUM_7/2031", headers=login(BOARD)), 404)
    assert client.get("/cluster-years", headers=login("cum6.thanhtra")).json()["total"] == 0
    listed = client.get("/cluster-years", headers=login(MEMBER)).json()
    assert [(y["cluster"], y["year"]) for y in listed["items"]] == [("CUM_7", 2026)]
    # Only the head (or deputy) takes the head's steps; a member in scope gets 403.
    before = fingerprint(demo_engine)
    assert_error_shape(client.post(f"{YEAR_URL}/actions/close_scoring", headers=login(MEMBER)), 403)
    # Closing scoring with units unscored is refused in the user's terms.
    error = assert_error_shape(client.post(f"{YEAR_URL}/actions/close_scoring", headers=login(HEAD)), 422)
    assert "SO_VHTT" in error["message_vi"]
    assert fingerprint(demo_engine) == before
    # Opening the round twice with the same key: one round.
    first = to_ballot(client, login)
    again = client.post(f"{YEAR_URL}/ballots", json={"candidates": {"CO_TD_CP": ["SO_GDDT", "SO_KHCN"]}},
                        headers={**login(HEAD), "Idempotency-Key": "open-round-1"})
    assert again.status_code == 201 and again.json() == first
    assert client.get(f"{YEAR_URL}/ballots", headers=login(HEAD)).json()["total"] == 1
