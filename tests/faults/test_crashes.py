"""Crashes: the API process is killed with SIGKILL at random moments under a steady load of
transitions over HTTP, and started again. Afterwards every transition the client saw
acknowledged is in the database, nothing is half-applied (state = fold(audit), version = audit
length) and every audit chain verifies, by the service and by ``tdkt audit verify``.

Sizes: ``TDKT_FAULTS_SCALE=full`` kills the server 25 times per database (50 in all), the normal run 3 times.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlmodel import Session, select

from service import audit
from service.db import make_engine
from service.models import AuditEntry
from tests.faults.checks import all_problems
from tests.faults.load import Load, loop_nominations
from tests.faults.plugin import Tally, size
from tests.faults.servers import API_PORTS, ROOT, ApiServer, free_port

GROUP = "Crashes"


def audit_verify_cli(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify"], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "TDKT_DATABASE_URL": url})


def test_kill_9_under_load_loses_no_acknowledged_transition(database_url: str, tmp_path: Path, tally: Tally) -> None:
    engine = make_engine(database_url)
    owners = loop_nominations(engine)
    assert len(owners) >= 3, owners
    kills = size(3, 25)  # per database: 50 in the full run
    kind = engine.dialect.name
    fault = f"kill -9 of the API under transition load ({'SQLite' if kind == 'sqlite' else 'PostgreSQL'})"
    server = ApiServer(database_url, free_port(API_PORTS), tmp_path / "api.log")
    load = Load(server.base, owners)
    rnd = random.Random(9)
    ids = sorted(owners)
    clients = [threading.Thread(target=load.drive, args=(ids[i::3], i)) for i in range(3)]
    killed_mid_request = 0
    try:
        server.start()
        for c in clients:
            c.start()
        for _ in range(kills):
            time.sleep(rnd.uniform(0.2, 1.5))
            killed_mid_request += load.in_flight > 0
            server.kill9()
            tally.tried(GROUP, fault)
            server.start()
        time.sleep(0.5)
    finally:
        load.stop.set()
        for c in clients:
            c.join(timeout=60)
        server.stop()

    lost = []
    with Session(engine) as s:
        for ack in load.acks:
            entry = s.exec(select(AuditEntry).where(AuditEntry.chain == audit.nomination_chain(ack.nomination_id),
                                                    AuditEntry.seq == ack.version)).first()
            if entry is None or (entry.action, entry.to_state) != (ack.action, ack.state):
                lost.append(ack)
    problems = all_problems(engine, ids)
    engine.dispose()
    if lost:
        tally.lost(GROUP, fault, len(lost), note=f"{lost[:3]}")
    if problems:
        tally.lost(GROUP, f"{fault}: half-applied or broken chain", len(problems), note="; ".join(problems[:3]))
    tally.note(GROUP, fault, f"{len(load.acks)} acknowledged transitions checked, {killed_mid_request} kills hit a request in flight")
    assert load.acks, "the load acknowledged nothing: the test proved nothing"
    assert killed_mid_request > 0, "no kill hit a request in flight"
    assert lost == [] and problems == [] and load.errors == [], (lost[:5], problems[:5], load.errors[:5])
    cli = audit_verify_cli(database_url)
    assert cli.returncode == 0 and "intact" in cli.stdout, cli.stdout + cli.stderr
