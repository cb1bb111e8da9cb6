"""PostgreSQL restarted under load: while the database is down the API answers 503 in the one
error shape with ``Retry-After`` (never a 500, never a hang), and it recovers by itself when the
database is back — no restart of the API. Nothing acknowledged is lost across the outage.

A private PostgreSQL cluster (initdb in a temp dir, port 18550-18599) is used: the shared server
at :5432 is never stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from service import audit
from service.db import make_engine
from service.models import AuditEntry
from tests.faults.checks import all_problems
from tests.faults.load import BOARD, Load, loop_nominations
from tests.faults.plugin import Tally, size
from tests.faults.servers import API_PORTS, PG_PORTS, ApiServer, PrivatePostgres, demo_database, free_port

GROUP = "Crashes"
FAULT = "PostgreSQL stopped and restarted under load (API answers 503, recovers)"


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres(free_port(PG_PORTS))
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.remove()


def error_shape_503(r: httpx.Response) -> bool:
    body = r.json()
    return (r.status_code == 503 and set(body) == {"error"} and body["error"]["code"] == "database_unavailable"
            and int(r.headers.get("Retry-After", "0")) > 0)


def test_database_outage_gets_503_and_the_api_recovers_by_itself(private_pg: PrivatePostgres, tmp_path: Path, tally: Tally) -> None:
    url = demo_database(private_pg.url)
    engine = make_engine(url)
    owners = loop_nominations(engine)
    engine.dispose()
    server = ApiServer(url, free_port(API_PORTS), tmp_path / "api.log")
    load = Load(server.base, owners)
    ids = sorted(owners)
    clients = [threading.Thread(target=load.drive, args=(ids[i::2], i)) for i in range(2)]
    outages = size(1, 3)
    bad_answers: list[str] = []
    try:
        server.start()
        for c in clients:
            c.start()
        with httpx.Client(base_url=server.base, timeout=30) as probe:
            headers = load.token(BOARD)
            for _ in range(outages):
                time.sleep(1.0)
                private_pg.stop("immediate")  # like a crash of the database server
                tally.tried(GROUP, FAULT)
                for path in ("/health", f"/nominations/{ids[0]}", "/nominations"):
                    r = probe.get(path, headers=headers)
                    if not error_shape_503(r):
                        bad_answers.append(f"{path}: {r.status_code} {r.headers.get('Retry-After')} {r.text[:200]}")
                        tally.let_through(GROUP, "Database down answered other than 503 + Retry-After", note=bad_answers[-1])
                private_pg.start()
                deadline = time.monotonic() + 60
                while probe.get("/health").status_code != 200:
                    assert time.monotonic() < deadline, "the API did not recover after the database came back"
                    time.sleep(0.2)
            time.sleep(1.0)
    finally:
        load.stop.set()
        for c in clients:
            c.join(timeout=60)
        server.stop()
    engine = make_engine(url)
    with Session(engine) as s:
        lost = [a for a in load.acks if s.exec(select(AuditEntry).where(
            AuditEntry.chain == audit.nomination_chain(a.nomination_id), AuditEntry.seq == a.version)).first() is None]
    problems = all_problems(engine, ids)
    engine.dispose()
    if lost or problems:
        tally.lost(GROUP, FAULT, len(lost) + len(problems), note=f"{lost[:3]} {problems[:3]}")
    assert bad_answers == [], bad_answers
    assert load.acks and lost == [] and problems == [] and load.errors == [], (lost, problems, load.errors[:5])
