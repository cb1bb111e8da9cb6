"""The benchmark scripts at their tiny size: each workload runs, in its own process as
``python -m bench`` runs it, and its output is well-formed and consistent (audit folds hold,
documents are byte-identical, sweeps find what is due). Never a timing assertion: the figures
themselves are only checked to be finite, positive numbers.

PostgreSQL runs need ``TDKT_TEST_POSTGRES_URL`` (``.ci/run`` sets it); without it those cases are
skipped with that reason."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from bench.report import render
from bench.runner import WORKLOADS, Workload, run_one

PG_ENV = "TDKT_TEST_POSTGRES_URL"
CASES = [pytest.param(w, db, id=f"w{w.key}-{db}") for w in WORKLOADS for db in w.databases]


@pytest.fixture(autouse=True)
def bench_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get(PG_ENV):
        monkeypatch.setenv("TDKT_BENCH_POSTGRES_URL", os.environ[PG_ENV])


@pytest.mark.parametrize(("workload", "database"), CASES)
def test_workload_runs_tiny_and_is_consistent(workload: Workload, database: str, tmp_path: Path) -> None:
    if database == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL benchmark runs need {PG_ENV}; .ci/run sets it")
    data = run_one(workload, "tiny", database)
    assert not data.get("error"), data.get("error")
    assert data["figures"], "a workload reports at least one figure"
    for figure in data["figures"]:
        assert figure["runs"], figure["name"]
        assert all(math.isfinite(v) and v >= 0 for v in figure["runs"]), figure
        assert figure["spread"][0] <= figure["median"] <= figure["spread"][1], figure
        assert figure["database"] in (database, "—"), figure
        if figure["unit"] in ("transitions/s", "documents/s", "requests/s"):
            assert figure["median"] > 0, figure  # something was done
    assert data["checks"], "a workload checks its output"
    failed = [name for name, ok in data["checks"].items() if not ok]
    assert not failed, failed
    assert data["peak_rss_mib"] > 0

    report = {"size": "tiny", "command": "python -m bench --size tiny", "results": [{**data, "workload": workload.key,
              "title": workload.title, "database": database}],
              "machine": {"cores": 2, "cpu": "x", "memory_gib": 1, "python": "3.11", "sqlite": "3", "postgresql": "15",
                          "load_average_at_start": [0, 0, 0], "when": "now"}}
    text = render(report)
    rows = [line for line in text.splitlines() if line.startswith(f"| {workload.key} |")]
    assert len(rows) == len(data["figures"])
    assert all(line.count("|") == 11 for line in rows), rows
