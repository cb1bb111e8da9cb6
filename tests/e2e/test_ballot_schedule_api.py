"""Scheduling the cluster's honouring ballot over HTTP ("đặt lịch bỏ phiếu suy tôn"): the head
schedules round 1 of the demo's Cluster 7 year, everyone in the cluster sees the schedule (and in
the year), the deadline sweep opens it at its time — once, a second sweep changes nothing — and a
schedule the sweep cannot open shows why. Refusals (a member, the Board, a close after the campaign
calendar's ``cluster_ballot`` date, an opening in the past, a second pending schedule, another
cluster's account) answer in the one error shape and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service.cycle_models import ClusterBallotRound, ClusterBallotSchedule
from service.sweeps import sweep_deadlines
from tests.e2e.conftest import assert_error_shape, fingerprint
from tests.e2e.test_cluster_year_api import HEAD, MEMBER, BOARD, YEAR_URL, accounts, score_sheet  # noqa: F401 (fixture)

URL = f"{YEAR_URL}/ballot-schedule"
OPENS = "2026-12-20T08:00:00+07:00"
OPENS_UTC = datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
BODY = {"candidates": {"CO_TD_CP": ["SO_GDDT", "SO_KHCN"]}, "opens_at": OPENS, "closes_at": "2027-01-08T17:00:00+07:00"}


def close_scoring(client: TestClient, login: Callable[[str], dict[str, str]]) -> None:
    for user in (MEMBER, HEAD):
        r = client.post(f"{YEAR_URL}/scores", json=score_sheet(), headers=login(user))
        assert r.status_code == 200, r.text
    r = client.post(f"{YEAR_URL}/actions/close_scoring", headers=login(HEAD))
    assert r.status_code == 200, r.text


def rounds(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(ClusterBallotRound)).one()


def test_scheduled_ballot_opens_once_on_the_sweep(client: TestClient, login: Callable[[str], dict[str, str]], demo_engine: Engine) -> None:
    assert client.get(URL, headers=login(MEMBER)).json() == {"items": []}
    r = client.post(URL, json=BODY, headers={**login(HEAD), "Idempotency-Key": "schedule-1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["state"] == "pending" and made["round"] is None and made["error"] is None
    assert made["candidates"] == BODY["candidates"] and datetime.fromisoformat(made["opens_at"]).replace(tzinfo=UTC) == OPENS_UTC
    # The same key again answers the same, and schedules nothing more.
    before = fingerprint(demo_engine)
    again = client.post(URL, json=BODY, headers={**login(HEAD), "Idempotency-Key": "schedule-1"})
    assert again.status_code == 201 and again.json() == made and fingerprint(demo_engine) == before
    # Everyone in the cluster, and the Board, sees it; the year shows it too.
    assert [s["id"] for s in client.get(URL, headers=login(MEMBER)).json()["items"]] == [made["id"]]
    assert client.get(YEAR_URL, headers=login(BOARD)).json()["ballot_schedule"]["id"] == made["id"]

    close_scoring(client, login)
    assert rounds(demo_engine) == 0
    report = sweep_deadlines(demo_engine, now=OPENS_UTC)
    assert len(report.ballots_opened) == 1
    seen = client.get(URL, headers=login(MEMBER)).json()["items"][0]
    assert seen["state"] == "opened" and seen["round"] == 1 and seen["done_at"] is not None
    year = client.get(YEAR_URL, headers=login(MEMBER)).json()
    assert year["state"] == "ballot_open" and [r["round"] for r in year["rounds"]] == [1]
    assert year["rounds"][0]["awards"]["CO_TD_CP"]["candidates"] == ["SO_GDDT", "SO_KHCN"]
    assert "cast_ballot" in year["allowed_actions"]

    # A second sweep at the same time opens nothing more and changes nothing.
    before = fingerprint(demo_engine)
    version = year["version"]
    second = sweep_deadlines(demo_engine, now=OPENS_UTC)
    assert second.ballots_opened == [] and fingerprint(demo_engine) == before
    assert client.get(YEAR_URL, headers=login(MEMBER)).json()["version"] == version
    assert rounds(demo_engine) == 1


def test_a_schedule_the_sweep_cannot_open_shows_why(client: TestClient, login: Callable[[str], dict[str, str]],
                                                    demo_engine: Engine) -> None:
    r = client.post(URL, json=BODY, headers=login(HEAD))
    assert r.status_code == 201, r.text
    report = sweep_deadlines(demo_engine, now=OPENS_UTC)  # scoring still open: it cannot open
    assert report.ballots_opened == [] and rounds(demo_engine) == 0
    seen = client.get(URL, headers=login(HEAD)).json()["items"][0]
    assert seen["state"] == "failed" and seen["round"] is None and seen["error"]
    assert client.get(YEAR_URL, headers=login(HEAD)).json()["ballot_schedule"]["state"] == "failed"
    # A failed schedule is not pending: the head may schedule again.
    assert client.post(URL, json=BODY, headers=login(HEAD)).status_code == 201


def test_refusals_change_nothing(client: TestClient, login: Callable[[str], dict[str, str]], demo_engine: Engine,
                                 accounts: None) -> None:  # noqa: F811
    before = fingerprint(demo_engine)
    cases = [
        (MEMBER, BODY, 403, None),
        (BOARD, BODY, 403, None),
        ("cum6.thanhtra", BODY, 404, None),  # a unit of another cluster does not see this year
        (HEAD, {**BODY, "closes_at": "2027-01-11T08:00:00+07:00"}, 422, None),  # after the calendar's cluster_ballot date
        (HEAD, {**BODY, "opens_at": "2026-11-01T08:00:00+07:00"}, 422, None),  # in the past
        (HEAD, {**BODY, "closes_at": "2026-12-19T08:00:00+07:00"}, 422, None),  # closes before it opens
        (HEAD, {**BODY, "opens_at": "2026-12-20T08:00:00"}, 422, None),  # no time zone
        (HEAD, {"opens_at": OPENS}, 422, None),  # nothing to vote on
    ]
    for user, body, status, code in cases:
        error = assert_error_shape(client.post(URL, json=body, headers=login(user)), status, code)
        assert fingerprint(demo_engine) == before, (user, body, error)
    r = client.post(URL, json=BODY, headers=login(HEAD))
    assert r.status_code == 201, r.text
    before = fingerprint(demo_engine)
    error = assert_error_shape(client.post(URL, json=BODY, headers=login(HEAD)), 409)
    assert str(r.json()["id"]) in error["message_en"] and fingerprint(demo_engine) == before
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(ClusterBallotSchedule)).one() == 1
