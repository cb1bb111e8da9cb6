"""The production topology without Docker (deploy/multiprocess.py) passes end to end on PostgreSQL.

The script starts a Prefect server on PostgreSQL, two API processes, a Prefect worker of the
process work pool and an SMTP catcher on ephemeral ports, with two throw-away databases; plays a
nomination to its decision over HTTP across both API processes; has the worker run the dossier
assembly, the deadline sweep (twice) and the outbox drain and checks their effects in the
database; then stops everything and drops its databases. This test runs it and checks its report,
and that nothing it started is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_multiprocess_topology_runs_end_to_end_on_postgresql() -> None:
    base = os.environ.get("TDKT_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("the multi-process run needs PostgreSQL: set TDKT_TEST_POSTGRES_URL (.ci/run does)")
    admin = base.replace("+psycopg", "")
    # Bounded: the run takes 2–3 minutes here; a hung part must fail the suite, not stall it.
    out = subprocess.run([sys.executable, str(ROOT / "deploy" / "multiprocess.py"), "--admin-url", admin],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:]
    report = json.loads(out.stdout)
    assert "error" not in report
    assert report["deployments"] == ["campaign-summary", "deadline-reminders", "deadline-sweep", "dossier-assembly", "outbox-drain"]
    scenario = report["scenario"]
    assert scenario["state"] == "awarded" and scenario["actions"] == 6 and len(scenario["api_processes_used"]) == 2
    for run in ("dossier_run", "sweep_run", "drain_run"):
        assert report[run]["state"] == "COMPLETED" and report[run]["worker"], report[run]
    assert report["documents"] == 2  # the decision 7070/QĐ-UBND as DOCX and PDF
    assert report["sweep"]["expired"] >= 1 and report["sweep"]["escalations"] >= 1
    assert report["mail_sent"] >= 1
    assert sum(report["transitions_applied_per_api_process"]) == 6
    assert report["audit_intact"] is True

    assert sorted(report["dropped_databases"]) == sorted(report["databases"])
    with psycopg.connect(admin, autocommit=True) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (report["databases"],)).fetchall()
    assert left == []
    alive = []
    for pid in report["stopped_pids"]:
        try:
            os.killpg(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    assert alive == [], f"process groups still running: {alive}"
