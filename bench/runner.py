"""Runs the workloads, each in its own process (so peak memory is per workload), and writes the report.

    python -m bench --size tiny                      # seconds per workload (what the test runs)
    python -m bench --size full --only 2,3           # the issue's scale, some workloads
    tdkt bench run --size small                      # the same through the CLI
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, SIZES, postgres_available

DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Workload:
    key: str
    module: str
    title: str
    databases: tuple[str, ...]


WORKLOADS: tuple[Workload, ...] = (
    Workload("1", "bench.w1_http", "Transitions over HTTP, against the ceiling (+ memory of the API)", ("sqlite", "postgresql")),
    Workload("2", "bench.w2_year", "A Hanoi-scale year, compressed (+ memory)", ("sqlite", "postgresql")),
    Workload("3", "bench.w3_sweep", "Sweep cost as the database grows", ("sqlite", "postgresql")),
    Workload("4", "bench.w4_reads", "Reads: list and inbox, over the API and as pages, under concurrent users", ("sqlite", "postgresql")),
    Workload("5", "bench.w5_documents", "Documents per second", ("-",)),
    Workload("6", "bench.w6_peer", "Peer: SpiffWorkflow on the same database", ("sqlite", "postgresql")),
)


def run_one(workload: Workload, size: str, database: str, timeout: float | None = None) -> dict[str, Any]:
    """One workload on one database, in a child process; its result as a dict (or the failure)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    command = [sys.executable, "-m", "bench.worker", workload.module, size, database, str(path)]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - start
    try:
        if proc.returncode != 0:
            return {"error": (proc.stderr or proc.stdout)[-3000:], "elapsed_s": elapsed, "figures": [], "checks": {}, "notes": []}
        data = json.loads(path.read_text())
        data["elapsed_s"] = elapsed
        return data
    finally:
        path.unlink(missing_ok=True)


def run_all(size: str, only: set[str] | None, databases: set[str] | None, out: Path | None,
            echo=print, overrides: dict[str, str] | None = None, merge: bool = False) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every selected workload on every selected database; ``overrides`` gives some workloads
    another size (e.g. {"3": "full"}: the 1M-row sweep while the rest runs small). With ``merge``,
    the results replace those of the same workload and database in the report's JSON twin
    (``out`` with ``.json``), and the report shows every command that contributed."""
    from bench.report import machine, write_report

    overrides = overrides or {}
    for name in [size, *overrides.values()]:
        if name not in SIZES:
            raise SystemExit(f"unknown size {name!r}; sizes: {', '.join(SIZES)}")
    have_pg = postgres_available()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    results: list[dict[str, Any]] = []
    for workload in WORKLOADS:
        if only and workload.key not in only:
            continue
        for database in workload.databases:
            if databases and database != "-" and database not in databases:
                continue
            if database == "postgresql" and not have_pg:
                results.append({"workload": workload.key, "title": workload.title, "database": database,
                                "skipped": "no PostgreSQL answers at 127.0.0.1:5432", "figures": [], "checks": {}, "notes": []})
                continue
            wsize = overrides.get(workload.key, size)
            echo(f"[bench] workload {workload.key} on {database} ({wsize}) …")
            data = run_one(workload, wsize, database)
            data.update(workload=workload.key, title=workload.title, database=database, size=wsize)
            echo(f"[bench]   done in {data['elapsed_s']:.1f} s" + (" — FAILED" if data.get("error") else ""))
            results.append(data)
    command = "python -m bench --size " + size + (f" --only {','.join(sorted(only))}" if only else "") + (
        f" --db {','.join(sorted(databases))}" if databases else "") + (
        f" --sizes {','.join(f'{k}={v}' for k, v in sorted(overrides.items()))}" if overrides else "")
    report = {"size": size, "command": command, "machine": {**machine(), "load_average_at_start": load_at_start}, "results": results}
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        twin = out.with_suffix(".json")
        if merge and twin.exists():
            report = merged(json.loads(twin.read_text()), report)
        twin.write_text(json.dumps(report, ensure_ascii=False, indent=1))
        write_report(report, out)
        echo(f"[bench] wrote {out}")
    return report


def merged(earlier: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """``report``'s results in place of ``earlier``'s for the same (workload, database), the rest of
    ``earlier`` kept, its commands and later runs (``python -m bench.merge``) included."""
    done = {(r["workload"], r["database"]) for r in report["results"]}
    kept = [r for r in earlier["results"] if (r["workload"], r["database"]) not in done]
    order = {w.key: i for i, w in enumerate(WORKLOADS)}
    return {
        **report,
        "results": sorted(kept + report["results"], key=lambda r: (order.get(r["workload"], 99), r["database"])),
        "command": f"{earlier['command']}; then {report['command']} --merge",
        "size": f"{earlier['size']}, then {report['size']}",
        **({"later_runs": earlier["later_runs"]} if earlier.get("later_runs") else {}),
    }
