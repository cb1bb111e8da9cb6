"""Real processes for the fault tests: the API under uvicorn (killed with SIGKILL and started
again), throw-away databases holding the demo, and a private PostgreSQL server that a test may
stop and start (the shared server at :5432 is never touched).

Ports come from the helper's range 18500-18599: 18500-18549 for API servers, 18550-18599 for
private PostgreSQL servers.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from service.db import make_engine
from service.demo import load_demo
from service.schema import upgrade

ROOT = Path(__file__).resolve().parents[2]
API_PORTS = range(18500, 18550)
PG_PORTS = range(18550, 18600)


def free_port(ports: range) -> int:
    """The first port of ``ports`` nobody listens on (tests run one at a time)."""
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def demo_database(url: str) -> str:
    """Migrate ``url`` and load the Hà Nội demo into it; returns the URL."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as s:
        load_demo(s)
    engine.dispose()
    return url


@contextmanager
def throwaway_postgres(base_url: str) -> Iterator[str]:
    """A new database on the PostgreSQL server of ``base_url``, dropped afterwards."""
    admin = make_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"tdkt_faults_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class ApiServer:
    """``uvicorn service.api.app:create_app --factory`` on ``database_url``, as ``tdkt up`` runs it."""

    def __init__(self, database_url: str, port: int, log: Path) -> None:
        self.database_url, self.port, self.log = database_url, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, "TDKT_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "service.api.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API did not answer within {timeout:.0f} s; see {self.log}")

    def kill9(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no rollback by the process itself."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    which = shutil.which(name)
    if which is None:
        raise RuntimeError(f"{name} not found (PostgreSQL server binaries are needed)")
    return which


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone (initdb into a temp dir), stoppable at will.

    PostgreSQL refuses to run as root: as root, the cluster belongs to the ``postgres`` account
    and its commands run through ``runuser``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="tdkt-faults-pg-"))
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.logfile = self.dir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> None:
        subprocess.run([*self.as_owner, *args], check=check, capture_output=True)

    def init(self) -> None:
        self._run("mkdir", "-p", str(self.socket_dir))
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8")

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
