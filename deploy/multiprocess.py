#!/usr/bin/env python3
"""The production topology of deploy/compose.yaml on one machine, without Docker, end to end.

    .venv/bin/python deploy/multiprocess.py [--admin-url postgresql://postgres@127.0.0.1:5432/test] [--keep]

1. creates two throw-away databases on the local PostgreSQL (``tdkt_deploy_<random>`` for tdkt,
   ``tdkt_prefect_<random>`` for Prefect);
2. starts a Prefect server on PostgreSQL (``PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://…``)
   and an SMTP catcher (aiosmtpd; mailpit in compose);
3. runs ``entrypoint.sh migrate`` and ``entrypoint.sh demo``;
4. starts two API processes (``entrypoint.sh api``, one port each) and waits for ``/ready``;
5. runs ``entrypoint.sh deploy`` (the process work pool and the deployments of prefect.yaml) and
   starts a Prefect worker (``entrypoint.sh worker``);
6. plays a scenario over HTTP — a draft through to the Chairman's decision by five demo users,
   alternating between the two API processes — then has the worker run the deployments
   ``dossier-assembly``, ``deadline-sweep`` (as of a day after the filing deadline) and
   ``outbox-drain``, and checks their effects in the tdkt database; reads both ``/metrics``;
7. stops everything it started (SIGTERM to each process group, newest first) and drops both
   databases — also when a step fails.

Every process is started with the same command and settings as its compose service. Ports are
ephemeral (bound to 0) unless ``--port-base`` is given. Prints a JSON summary on stdout (logs go
to a temporary directory, whose tail is shown on failure); exit code 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENTRY = ["bash", str(ROOT / "deploy" / "entrypoint.sh")]
PASSWORD = "tdkt-demo-2026"
SWEEP_AS_OF = "2027-01-20T03:00:00+00:00"  # after TK-2026's filing deadline (2027-01-15)


class CheckFailed(RuntimeError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Topology:
    admin_url: str
    logs: Path
    ports: dict[str, int]
    suffix: str = field(default_factory=lambda: secrets.token_hex(4))
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    env_cache: dict[str, str] = field(default_factory=dict)  # the shared settings, fixed once

    @property
    def tdkt_db(self) -> str:
        return f"tdkt_deploy_{self.suffix}"

    @property
    def prefect_db(self) -> str:
        return f"tdkt_prefect_{self.suffix}"

    def url(self, database: str, driver: str) -> str:
        parts = conninfo_to_dict(self.admin_url)
        user, host, port = parts.get("user", "postgres"), parts.get("host", "127.0.0.1"), parts.get("port", "5432")
        password = f":{parts['password']}" if parts.get("password") else ""
        return f"postgresql+{driver}://{user}{password}@{host}:{port}/{database}"

    def prefect_api(self) -> str:
        return f"http://127.0.0.1:{self.ports['prefect']}/api"

    def env(self) -> dict[str, str]:
        """The settings every part shares (deploy/.env.example names them all)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TDKT_"))}
        audit_key = secrets.token_hex(32)
        return {
            **env,
            "TDKT_BIN": str(BIN),
            "TDKT_DATABASE_URL": self.url(self.tdkt_db, "psycopg"),
            "TDKT_PREFECT_API_URL": self.prefect_api(),
            "TDKT_BASE_URL": f"http://127.0.0.1:{self.ports['api1']}",
            "TDKT_SMTP_HOST": "127.0.0.1",
            "TDKT_SMTP_PORT": str(self.ports["smtp"]),
            "TDKT_JWT_SECRET": secrets.token_hex(32),
            "TDKT_AUDIT_KEYS": json.dumps({"k1": audit_key}),
            "TDKT_AUDIT_KEY_ID": "k1",
            "PREFECT_API_URL": self.prefect_api(),
            "PREFECT_HOME": str(self.logs / "prefect-home"),
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",  # pick triggered runs up in seconds
            "PYTHONUNBUFFERED": "1",
        }

    # --- databases --------------------------------------------------------------------------

    def create_databases(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in (self.tdkt_db, self.prefect_db):
                conn.execute(f'CREATE DATABASE "{name}"')
                self.databases.append(name)

    def drop_databases(self) -> list[str]:
        dropped = []
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
        self.databases.clear()
        return dropped

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        conninfo = make_conninfo(self.admin_url, dbname=self.tdkt_db)
        with psycopg.connect(conninfo) as conn:
            return conn.execute(sql, args).fetchall()  # type: ignore[arg-type]

    # --- processes --------------------------------------------------------------------------

    def start(self, name: str, argv: list[str], extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        # Its own process group, so stopping it also stops what it spawned (uvicorn workers, flow runs).
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env_cache, **(extra or {})}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((name, proc))
        return proc

    def run(self, name: str, argv: list[str]) -> str:
        out = subprocess.run(argv, cwd=ROOT, env=self.env_cache, capture_output=True, text=True)
        (self.logs / f"{name}.log").write_text(out.stdout + out.stderr)
        check(out.returncode == 0, f"{' '.join(argv[-2:])} failed ({out.returncode}): {(out.stdout + out.stderr)[-1500:]}")
        return out.stdout

    def stop_all(self, grace: float = 30.0) -> list[int]:
        """SIGTERM each process group, newest first (the worker before the server it reports to)."""
        pids = []
        for _name, proc in reversed(self.processes):
            pids.append(proc.pid)
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                except ProcessLookupError:
                    pass
            try:  # children that outlived their leader
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.processes.clear()
        return pids

    def wait_http(self, name: str, url: str, timeout: float = 120.0) -> httpx.Response:
        deadline = time.monotonic() + timeout
        proc = dict(self.processes).get(name)
        last = "no answer"
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise CheckFailed(f"{name} exited with {proc.returncode} while starting")
            try:
                r = httpx.get(url, timeout=3)
                if r.status_code == 200:
                    return r
                last = f"HTTP {r.status_code}: {r.text[:300]}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.5)
        raise CheckFailed(f"{name}: {url} not ready within {timeout:.0f} s ({last})")

    def tail_logs(self, lines: int = 25) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(out)


# --- the scenario ---------------------------------------------------------------------------


class Api:
    """The two API processes, used in turn: the nomination's state lives only in PostgreSQL."""

    def __init__(self, ports: list[int]) -> None:
        self.bases = [f"http://127.0.0.1:{p}" for p in ports]
        self.turn = 0
        self.tokens: dict[str, str] = {}
        self.served_by: list[str] = []

    def base(self) -> str:
        self.turn += 1
        return self.bases[self.turn % len(self.bases)]

    def login(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            r = httpx.post(self.base() + "/auth/token", data={"username": user, "password": PASSWORD}, timeout=10)
            check(r.status_code == 200, f"sign-in of {user}: {r.status_code} {r.text[:300]}")
            self.tokens[user] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def call(self, method: str, path: str, user: str, **kwargs: Any) -> httpx.Response:
        base = self.base()
        self.served_by.append(base)
        return httpx.request(method, base + path, headers={**self.login(user), **kwargs.pop("headers", {})}, timeout=30, **kwargs)


def nomination_to_decision(api: Api) -> dict[str, Any]:
    """The demo's draft Certificate of Merit for P001 (Education), from draft to decision."""
    listed = api.call("GET", "/nominations", "cb.sogddt", params={"state": "draft", "limit": 200})
    check(listed.status_code == 200, f"list drafts: {listed.text[:300]}")
    draft = next((n for n in listed.json()["items"] if n["award_code"] == "BK_TP"), None)
    check(draft is not None, "the demo's BK_TP draft of Education is missing")
    nid = draft["id"]
    version = api.call("GET", f"/nominations/{nid}", "cb.sogddt").json()["version"]
    edit = api.call("PATCH", f"/nominations/{nid}", "cb.sogddt", headers={"If-Match": f'"v{version}"'},
                    json={"achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2026; hai sáng kiến cấp cơ sở."})
    check(edit.status_code == 200, f"edit: {edit.status_code} {edit.text[:300]}")
    version = edit.json()["version"]
    steps = [("cb.sogddt", "submit", {}), ("tt.sogddt", "endorse", {}), ("ban.tdkt", "receive", {}),
             ("ban.tdkt", "start_appraisal", {}), ("ban.tdkt", "submit_for_signature", {}),
             ("chutich", "decide", {"document_number": "7070/QĐ-UBND", "signed_on": "2026-12-01",
                                    "signer": "Chủ tịch UBND Thành phố"})]
    for user, action, body in steps:
        r = api.call("POST", f"/nominations/{nid}/actions/{action}", user, json=body,
                     headers={"If-Match": f'"v{version}"', "X-Request-ID": f"multiprocess-{action}"})
        check(r.status_code == 200, f"{action} by {user}: {r.status_code} {r.text[:400]}")
        check(r.headers.get("X-Request-ID") == f"multiprocess-{action}", "the request id is not echoed")
        version = r.json()["version"]
    final = api.call("GET", f"/nominations/{nid}", "ban.tdkt").json()
    check(final["state"] == "awarded", f"expected awarded, got {final['state']}")
    actors = [t["actor"] for t in final["timeline"][-len(steps):]]
    check(actors == [u for u, _, _ in steps], f"timeline actors {actors}")
    stale = api.call("POST", f"/nominations/{nid}/actions/revoke", "chutich", headers={"If-Match": '"v1"'},
                     json={"reason": "thử phiên bản cũ", "document_number": "1/QĐ-X", "signed_on": "2026-12-02", "signer": "x"})
    check(stale.status_code == 412 or stale.status_code == 409, f"a stale If-Match must be refused, got {stale.status_code}")
    return {"nomination_id": nid, "state": final["state"], "version": version, "actions": len(steps),
            "api_processes_used": sorted(set(api.served_by))}


def run_deployment(prefect_api: str, deployment: str, parameters: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    """Create a flow run of a deployment (as the UI's *Run* button does) and wait for the worker."""
    with httpx.Client(base_url=prefect_api, timeout=15) as client:
        dep = client.get(f"/deployments/name/{deployment}/{deployment}")
        check(dep.status_code == 200, f"deployment {deployment}: {dep.status_code} {dep.text[:300]}")
        run = client.post(f"/deployments/{dep.json()['id']}/create_flow_run", json={"parameters": parameters})
        check(run.status_code == 201, f"run {deployment}: {run.status_code} {run.text[:300]}")
        run_id = run.json()["id"]
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = client.get(f"/flow_runs/{run_id}").json()["state"]
            if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            time.sleep(1)
        check(state.get("type") == "COMPLETED", f"{deployment} run ended {state.get('type')}: {state.get('message')}")
        run_info = client.get(f"/flow_runs/{run_id}").json()
        return {"flow_run": run_id, "state": state["type"], "worker": bool(run_info.get("work_pool_name"))}


def scrape_applied(bases: list[str]) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    applied = {}
    for base in bases:
        r = httpx.get(base + "/metrics", timeout=10)
        check(r.status_code == 200, f"{base}/metrics: {r.status_code}")
        applied[base] = sum(s.value for f in text_string_to_metric_families(r.text) for s in f.samples
                            if s.name == "tdkt_transitions_total" and s.labels.get("outcome") == "applied")
    return applied


def scenario(top: Topology) -> dict[str, Any]:
    summary: dict[str, Any] = {"databases": [top.tdkt_db, top.prefect_db], "ports": top.ports}
    top.create_databases()
    top.env_cache = top.env()
    top.start("prefect-server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(top.ports["prefect"])],
              {"PREFECT_API_DATABASE_CONNECTION_URL": top.url(top.prefect_db, "asyncpg")})
    top.start("smtp", [str(BIN / "python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{top.ports['smtp']}"])
    top.run("migrate", [*ENTRY, "migrate"])
    top.run("demo", [*ENTRY, "demo"])
    for name in ("api1", "api2"):
        top.start(name, [*ENTRY, "api"], {"TDKT_API_HOST": "127.0.0.1", "TDKT_API_PORT": str(top.ports[name]), "TDKT_API_WORKERS": "1"})
    top.wait_http("prefect-server", top.prefect_api() + "/health")
    bases = [f"http://127.0.0.1:{top.ports[n]}" for n in ("api1", "api2")]
    for name, base in zip(("api1", "api2"), bases):
        ready = top.wait_http(name, base + "/ready").json()
        check(ready["checks"] == {"database": "ok", "prefect": "ok"}, f"{name} /ready: {ready}")
    top.run("deploy", [*ENTRY, "deploy"])
    top.start("worker", [*ENTRY, "worker"], {"TDKT_WORKER_NAME": "multiprocess-worker"})
    with httpx.Client(base_url=top.prefect_api(), timeout=10) as client:
        names = sorted(d["name"] for d in client.post("/deployments/filter", json={}).json())
        pool = client.get("/work_pools/tdkt").json()
    summary["deployments"] = names
    check(pool.get("type") == "process", f"work pool: {pool}")

    api = Api([top.ports["api1"], top.ports["api2"]])
    summary["scenario"] = nomination_to_decision(api)
    nid = summary["scenario"]["nomination_id"]
    check(len(summary["scenario"]["api_processes_used"]) == 2, "both API processes must have served the scenario")

    # Dossier assembly, run by the worker: the decision and the nomination's documents land in PostgreSQL.
    summary["dossier_run"] = run_deployment(top.prefect_api(), "dossier-assembly", {})
    entries = top.query("SELECT payload FROM audit_entries WHERE chain = %s AND action = 'assemble_decision'", f"nomination:{nid}")
    documents = top.query("SELECT count(*) FROM documents WHERE nomination_id IS NULL AND filename LIKE %s", "%7070%")[0][0]
    check(len(entries) == 1 and "7070/QĐ-UBND" in entries[0][0], f"the decision's assembly is not in the audit trail: {entries}")
    check(documents == 2, f"expected the decision as DOCX and PDF, found {documents} files")
    summary["documents"] = documents

    # The deadline sweep as of a day after the filing deadline: the demo's drafts, the draft waiting
    # for its unit head and the nomination returned for completion expire; overdue board steps
    # are escalated once.
    expiring = "state IN ('draft', 'awaiting_unit_head', 'returned') AND due_at < %s"
    drafts_before = top.query(f"SELECT count(*) FROM nominations WHERE {expiring}", SWEEP_AS_OF)[0][0]
    summary["sweep_run"] = run_deployment(top.prefect_api(), "deadline-sweep", {"now": SWEEP_AS_OF})
    expired = top.query("SELECT count(*) FROM audit_entries WHERE action = 'expire' AND actor = 'system'")[0][0]
    escalations = top.query("SELECT count(*) FROM outbox WHERE kind = 'escalation'")[0][0]
    left = top.query(f"SELECT count(*) FROM nominations WHERE {expiring}", SWEEP_AS_OF)[0][0]
    check(drafts_before > 0 and expired == drafts_before and left == 0, f"sweep: {drafts_before} drafts, {expired} expired, {left} left")
    check(escalations > 0, "the sweep escalated nothing")
    again = run_deployment(top.prefect_api(), "deadline-sweep", {"now": SWEEP_AS_OF})
    check(top.query("SELECT count(*) FROM outbox WHERE kind = 'escalation'")[0][0] == escalations, "a second sweep escalated again")
    summary["sweep"] = {"expired": expired, "escalations": escalations, "second_run": again["state"]}

    # The outbox drain delivers the queued mail to the SMTP catcher.
    summary["drain_run"] = run_deployment(top.prefect_api(), "outbox-drain", {})
    sent = top.query("SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0]
    check(sent > 0, "the outbox drain sent nothing")
    summary["mail_sent"] = sent

    applied = scrape_applied(bases)
    check(sum(applied.values()) == summary["scenario"]["actions"],
          f"transitions counted by the two API processes {applied} != {summary['scenario']['actions']}")
    summary["transitions_applied_per_api_process"] = list(applied.values())
    verify = api.call("GET", "/admin/audit/verify", "admin").json()
    check(verify["intact"], f"audit chains: {verify['problems'][:3]}")
    summary["audit_intact"] = True
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_admin = os.environ.get("TDKT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test").replace("+psycopg", "")
    parser.add_argument("--admin-url", default=default_admin, help="a PostgreSQL database to create and drop databases from")
    parser.add_argument("--port-base", type=int, default=None, help="use base, base+1, … instead of ephemeral ports")
    parser.add_argument("--keep-logs", action="store_true", help="keep the log directory")
    args = parser.parse_args(argv)
    names = ("prefect", "api1", "api2", "smtp")
    ports = {n: (args.port_base + i if args.port_base else free_port()) for i, n in enumerate(names)}
    logs = Path(tempfile.mkdtemp(prefix="tdkt-multiprocess-"))
    top = Topology(args.admin_url, logs, ports)
    summary: dict[str, Any] = {}
    code = 0
    try:
        summary = scenario(top)
    except (CheckFailed, httpx.HTTPError, psycopg.Error, OSError) as exc:
        code = 1
        summary["error"] = f"{type(exc).__name__}: {exc}"
        print(top.tail_logs(), file=sys.stderr)
    finally:
        summary["stopped_pids"] = top.stop_all()
        summary["dropped_databases"] = top.drop_databases()
        summary["logs"] = str(logs)
        if not args.keep_logs and code == 0:
            import shutil

            shutil.rmtree(logs, ignore_errors=True)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
