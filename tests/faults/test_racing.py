"""Racing writers: 20 clients act at once, released together by a barrier.

Over HTTP against a real uvicorn (SQLite and PostgreSQL): on one nomination and one version,
with the same action or different actions, exactly one request succeeds and the other 19 get 409;
without ``If-Match`` the row lock serialises them (one 200, the rest 409 ``transition_refused``);
20 requests with the same ``Idempotency-Key`` act once. On the service (threads, one engine
each, as separate processes would): every unit of a cluster racing its own paper several times
has exactly one paper in the secret ballot box.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit, ballot_box, ballots
from service.db import make_engine
from service.errors import AlreadyVoted
from service.models import AuditEntry
from tests.faults.checks import all_problems
from tests.faults.load import BOARD, loop_nominations
from tests.faults.plugin import Tally, size
from tests.faults.servers import API_PORTS, ApiServer, demo_database, free_port, throwaway_postgres
from tests.integration.conftest import PG_ENV
from tests.integration.cycle_helpers import CLUSTER_6, HEAD, MEETING, member, paper, year_at_ballot
from tests.integration.test_cluster_cycle import SEED_000

GROUP = "Racing writers"
CLIENTS = 20
REASON = {"reason": "Thiếu biên bản họp bình xét."}


class Api:
    def __init__(self, server: ApiServer, engine: Engine, owners: dict[int, str]) -> None:
        self.server, self.engine, self.owners = server, engine, owners
        self.kind = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"

    def headers(self, username: str) -> dict[str, str]:
        from service.api.security import issue_token
        from service.api.settings import get_api_settings

        return {"Authorization": f"Bearer {issue_token(username, get_api_settings())[0]}"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("racing")
    if request.param == "sqlite":
        url = demo_database(f"sqlite:///{tmp / 'tdkt.db'}")
        yield from _serve(url, tmp)
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}; .ci/run sets it")
    with throwaway_postgres(base) as url:
        yield from _serve(demo_database(url), tmp)


def _serve(url: str, tmp: Path) -> Iterator[Api]:
    engine = make_engine(url)
    owners = loop_nominations(engine)
    server = ApiServer(url, free_port(API_PORTS), tmp / "api.log")
    server.start()
    try:
        yield Api(server, engine, owners)
    finally:
        server.stop()
        engine.dispose()


def race(api: Api, requests: list[tuple[str, dict[str, str], dict]]) -> list[httpx.Response]:  # type: ignore[type-arg]
    """Send ``(path, headers, json)`` all at once (one client per request, released by a barrier)."""
    barrier = threading.Barrier(len(requests))
    clients = [httpx.Client(base_url=api.server.base, timeout=120) for _ in requests]

    def go(i: int) -> httpx.Response:
        path, headers, body = requests[i]
        barrier.wait()
        return clients[i].post(path, headers=headers, json=body)

    try:
        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            return list(pool.map(go, range(len(requests))))
    finally:
        for c in clients:
            c.close()


def current(api: Api, nid: int) -> dict:  # type: ignore[type-arg]
    r = httpx.get(f"{api.server.base}/nominations/{nid}", headers=api.headers(BOARD), timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def chain_length(api: Api, nid: int) -> int:
    with Session(api.engine) as s:
        return s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == audit.nomination_chain(nid))).one()


def back_to_received(api: Api, nid: int) -> dict:  # type: ignore[type-arg]
    """Walk the nomination back to ``received`` (start_appraisal may have won a race)."""
    steps = {"in_appraisal": ("return_for_completion", BOARD, REASON), "returned": ("resubmit", api.owners[nid], {})}
    n = current(api, nid)
    while n["state"] != "received":
        action, who, body = steps[n["state"]]
        r = httpx.post(f"{api.server.base}/nominations/{nid}/actions/{action}", headers=api.headers(who), json=body, timeout=60)
        assert r.status_code == 200, r.text
        n = r.json()
    return n


def count_outcome(tally: Tally, fault: str, responses: list[httpx.Response], codes: set[str]) -> tuple[int, Counter[str]]:
    """One try per race; more than one success (or a 5xx) is a lost update let through."""
    wins = sum(r.status_code == 200 for r in responses)
    others = Counter(f"{r.status_code} {r.json()['error']['code']}" for r in responses if r.status_code != 200)
    tally.tried(GROUP, fault)
    if wins != 1 or any(not k.startswith("409 ") or k[4:] not in codes for k in others):
        tally.let_through(GROUP, fault, note=f"{wins} successes, {dict(others)}")
    return wins, others


@pytest.mark.parametrize("mode", ["same action", "different actions"])
def test_twenty_clients_on_one_version_exactly_one_wins(api: Api, mode: str, tally: Tally) -> None:
    fault = f"20 clients, one nomination, one version, {mode} ({api.kind}, HTTP)"
    nid = sorted(api.owners)[0]
    for _ in range(size(2, 10)):
        n = back_to_received(api, nid)
        before = chain_length(api, nid)
        board = {**api.headers(BOARD), "If-Match": f'"v{n["version"]}"'}
        requests = []
        for i in range(CLIENTS):
            if mode == "same action" or i % 2 == 0:
                requests.append((f"/nominations/{nid}/actions/return_for_completion", board, {"reason": f"Thiếu hồ sơ {i}."}))
            else:
                requests.append((f"/nominations/{nid}/actions/start_appraisal", board, {}))
        wins, others = count_outcome(tally, fault, race(api, requests), {"stale_version"})
        assert wins == 1 and sum(others.values()) == CLIENTS - 1, others
        assert set(others) == {"409 stale_version"}, others
        assert chain_length(api, nid) == before + 1
    assert all_problems(api.engine, [nid]) == []


def test_twenty_clients_without_a_version_are_serialised(api: Api, tally: Tally) -> None:
    fault = f"20 clients, one nomination, no If-Match ({api.kind}, HTTP)"
    nid = sorted(api.owners)[1]
    for _ in range(size(2, 10)):
        back_to_received(api, nid)
        before = chain_length(api, nid)
        board = api.headers(BOARD)
        requests = [(f"/nominations/{nid}/actions/return_for_completion", board, {"reason": f"Thiếu hồ sơ {i}."}) for i in range(CLIENTS)]
        wins, others = count_outcome(tally, fault, race(api, requests), {"transition_refused"})
        assert wins == 1 and set(others) == {"409 transition_refused"}, others
        assert chain_length(api, nid) == before + 1
    assert all_problems(api.engine, [nid]) == []


def test_twenty_clients_with_one_idempotency_key_act_once(api: Api, tally: Tally) -> None:
    fault = f"20 clients, one Idempotency-Key ({api.kind}, HTTP)"
    nid = sorted(api.owners)[2]
    for _ in range(size(2, 10)):
        back_to_received(api, nid)
        before = chain_length(api, nid)
        headers = {**api.headers(BOARD), "Idempotency-Key": uuid.uuid4().hex}
        requests = [(f"/nominations/{nid}/actions/return_for_completion", headers, REASON)] * CLIENTS
        responses = race(api, requests)
        tally.tried(GROUP, fault)
        # The first acts; a repeat either replays its answer (200, same version) or, while it
        # runs, is told it is in progress (409) — never a second action.
        ok_versions = {r.json()["version"] for r in responses if r.status_code == 200}
        others = Counter(f"{r.status_code} {r.json()['error']['code']}" for r in responses if r.status_code != 200)
        acted = chain_length(api, nid) - before
        if acted != 1 or len(ok_versions) != 1 or set(others) - {"409 request_in_progress"}:
            tally.let_through(GROUP, fault, note=f"acted {acted} times; versions {ok_versions}; {dict(others)}")
        assert acted == 1 and len(ok_versions) == 1, (acted, ok_versions, others)
        assert set(others) <= {"409 request_in_progress"}, others
    assert all_problems(api.engine, [nid]) == []


def _engine_like(engine: Engine) -> Engine:
    return make_engine(engine.url.render_as_string(hide_password=False))


def test_racing_ballots_keep_one_paper_per_unit(session: Session, engine: Engine, tally: Tally) -> None:
    kind = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"
    fault = f"Racing secret ballots, 3 papers per unit at once ({kind}, threads)"
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates=SEED_000, today=MEETING)
    session.commit()
    session.close()
    voters = [u for u in CLUSTER_6 for _ in range(3)]  # 21 racing papers
    barrier = threading.Barrier(len(voters))

    def cast(unit: str) -> str:
        eng = _engine_like(engine)
        try:
            with Session(eng, expire_on_commit=False) as s:
                barrier.wait()
                try:
                    ballots.cast_ballot(s, ballot.id, actor=member(unit), choices=paper(ballot, unit))
                    return "ok"
                except AlreadyVoted:
                    return "already"
        finally:
            eng.dispose()

    with ThreadPoolExecutor(max_workers=len(voters)) as pool:
        outcomes = list(pool.map(cast, voters))
    tally.tried(GROUP, fault, len(CLUSTER_6))
    with Session(engine) as s:
        papers = Counter(voter for voter, _ in ballot_box.voters(s, ballots.box_of(ballot)))
        problems = [str(b) for b in audit.verify_all(s)]
    doubled = [u for u in CLUSTER_6 if papers[u] != 1]
    if doubled:
        tally.let_through(GROUP, fault, len(doubled), note=f"units with {dict(papers)} papers")
    assert Counter(outcomes) == {"ok": len(CLUSTER_6), "already": 2 * len(CLUSTER_6)}, outcomes
    assert doubled == [] and problems == []
