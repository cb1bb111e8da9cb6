"""What every workload shares: sizes, figures with their targets, throw-away databases, timing.

A figure is measured several times in one process and reported as the median and the spread
(min–max); a target is a comparison written next to the figure, checked on the median. The
benchmarks never assert on time: a missed target is reported, not raised.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("TDKT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# TCP ports the HTTP workloads may bind (the lead gave this helper 18400-18499).
PORT_BASE = int(os.environ.get("TDKT_BENCH_PORT_BASE", "18400"))
# API worker processes per database, as each ships: the embedded SQLite set-up runs one
# (deploy/multiprocess.py; SQLite has one writer anyway), the PostgreSQL deployment runs
# TDKT_API_WORKERS=2 (deploy/compose.yaml, deploy/.env.example). The HTTP workloads run the API
# and the ceiling app alike in that topology.
API_WORKERS = {"sqlite": 1, "postgresql": 2}

# Sizes: "tiny" runs each workload in seconds (the pytest test); "full" is the scale.
SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(
        repeats=2, http_per_client=3, http_clients=(1, 4), http_seconds=20,
        year_clusters=3, year_units=4, year_nominations=60,
        sweep_sizes=(1_000, 2_000), sweep_due=20,
        read_rows=1_000, read_users=5, read_requests=4, read_think_s=0.05,
        doc_repeats=2, doc_dossier_pages=2,
        peer_nominations=10,
    ),
    "small": dict(
        repeats=3, http_per_client=15, http_clients=(1, 4, 8), http_seconds=60,
        year_clusters=10, year_units=8, year_nominations=1_000,
        sweep_sizes=(10_000, 100_000), sweep_due=500,
        read_rows=20_000, read_users=50, read_requests=10, read_think_s=1.0,
        doc_repeats=3, doc_dossier_pages=10,
        peer_nominations=60,
    ),
    "full": dict(
        repeats=3, http_per_client=40, http_clients=(1, 4, 8), http_seconds=90,
        year_clusters=50, year_units=8, year_nominations=10_000,
        sweep_sizes=(10_000, 100_000, 1_000_000), sweep_due=500,
        read_rows=100_000, read_users=50, read_requests=20, read_think_s=1.0,
        doc_repeats=3, doc_dossier_pages=10,
        peer_nominations=200,
    ),
}


@dataclass
class Figure:
    """One measured quantity: several runs, reported as median and spread, with its target."""

    workload: str
    name: str
    database: str  # sqlite | postgresql | — (no database)
    unit: str
    runs: list[float]
    target: str = ""  # e.g. ">= 200" or "<= 0.25"; checked on the median
    note: str = ""
    higher_is_better: bool = True

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.runs), max(self.runs)

    def met(self) -> bool | None:
        if not self.target:
            return None
        op, _, value = self.target.partition(" ")
        bound = float(value)
        return {">=": self.median >= bound, "<=": self.median <= bound, "<": self.median < bound, ">": self.median > bound}[op]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "median": self.median, "spread": list(self.spread), "met": self.met()}


def figure_from(data: dict[str, Any]) -> Figure:
    keep = {k: data[k] for k in ("workload", "name", "database", "unit", "runs", "target", "note", "higher_is_better")}
    return Figure(**keep)


@dataclass
class Result:
    """What a workload hands back: its figures, checks of its output (name → ok) and notes."""

    figures: list[Figure] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"figures": [f.as_dict() for f in self.figures], "checks": self.checks, "notes": self.notes}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; what p50 / p99 mean in the tables."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_rss_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of another process, read from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    """The direct children of a process (uvicorn's workers under its supervisor)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@contextlib.contextmanager
def throwaway_database(kind: str) -> Iterator[str]:
    """A new, empty database URL, dropped afterwards: a temp SQLite file or a PostgreSQL database
    created on the shared server (never the server itself)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tdkt-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN_URL)
    name = f"tdkt_bench_{uuid.uuid4().hex[:10]}"
    conninfo = dict(host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database)
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        from service.db import reset_default_engine

        reset_default_engine()
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    import socket

    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN_URL)
    try:
        socket.create_connection((admin.host, admin.port or 5432), timeout=1).close()
        return True
    except OSError:
        return False


def use_database(url: str):  # type: ignore[no-untyped-def]
    """Point the process at ``url`` (settings, default engine), migrate it, return the engine."""
    from service.db import default_engine, reset_default_engine
    from service.schema import upgrade

    os.environ["TDKT_DATABASE_URL"] = url
    reset_default_engine()
    engine = default_engine()
    upgrade(engine)
    return engine


def dialect(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"
