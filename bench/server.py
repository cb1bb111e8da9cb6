"""A real uvicorn on loopback for the HTTP workloads, started and stopped by the script, and a
bounded load generator (threads, one keep-alive http.client connection each)."""

from __future__ import annotations

import contextlib
import http.client
import json as _json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit


from bench.common import PORT_BASE, ROOT, children, process_peak_rss_mib


def free_port() -> int:
    """A free port in this helper's range (18400-18499 unless TDKT_BENCH_PORT_BASE says otherwise)."""
    for port in range(PORT_BASE, PORT_BASE + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {PORT_BASE}-{PORT_BASE + 99}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mib(self) -> float:
        """Peak resident memory of the process serving requests: the largest of uvicorn's
        workers when it runs several (the supervisor only forks them)."""
        workers = children(self.pid)
        return max(process_peak_rss_mib(pid) for pid in workers) if workers else process_peak_rss_mib(self.pid)

    def errors(self, limit: int = 2000) -> str:
        """The tail of what the server wrote to stderr (tracebacks of any 500)."""
        return self.log.read_text(errors="replace")[-limit:] if self.log.exists() else ""


@contextlib.contextmanager
def uvicorn(app: str, database_url: str, *, factory: bool = True, workers: int = 1) -> Iterator[Server]:
    """``uvicorn app`` on a free loopback port in a child process (with ``workers`` worker
    processes); stopped on exit, with its workers."""
    port = free_port()
    env = {**os.environ, "TDKT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "PREFECT_SERVER_EPHEMERAL_ENABLED": "false"}
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools"]
    if factory:
        command.append("--factory")
    if workers > 1:
        command += ["--workers", str(workers)]
    # stderr to a file, never a pipe nobody reads: a full pipe would block the server on its next log line.
    log = Path(tempfile.mkstemp(prefix="tdkt-bench-uvicorn-", suffix=".log")[1])
    with log.open("w") as sink:
        # Its own process group: a supervisor that will not stop is killed with its workers.
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sink, text=True,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn {app} exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn {app} did not listen on {port} within 90 s")
            time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.unlink(missing_ok=True)


@dataclass
class Load:
    """What one bounded burst of clients measured."""

    seconds: float = 0.0
    ok: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    timed_out: bool = False

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def run_clients(work: list[Callable[["Client"], None]], base_url: str, seconds: float) -> Load:
    """Run each client's ``work`` in its own thread with its own keep-alive connection; stop
    starting new requests after ``seconds`` (each work function checks ``client.expired``)."""
    load = Load()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    clients = [Client(base_url, deadline, load, lock) for _ in work]
    threads = [threading.Thread(target=_guard, args=(fn, c), daemon=True) for fn, c in zip(work, clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - start
    load.timed_out = any(c.expired for c in clients)
    for c in clients:
        c.http.close()
    return load


def _guard(fn: Callable[["Client"], None], client: "Client") -> None:
    try:
        fn(client)
    except Exception as exc:  # a broken client is an error of its kind, not a crashed benchmark
        with client.lock:
            client.load.errors[f"client stopped: {type(exc).__name__}: {str(exc)[:80]}"] += 1


@dataclass
class Reply:
    """An HTTP answer as the workloads read it."""

    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.content)


class Client:
    """One keep-alive connection of the load generator, on the standard library's http.client:
    it costs 0.1 ms of CPU per request where httpx cost 0.45 ms (measured on loopback), and the
    generator shares the machine's two cores with the servers it measures."""

    def __init__(self, base_url: str, deadline: float, load: Load, lock: threading.Lock) -> None:
        parts = urlsplit(base_url)
        self.http = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
        self.deadline = deadline
        self.load = load
        self.lock = lock

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def request(self, method: str, path: str, *, token: str | None = None, expect: int = 200,
                headers: dict[str, str] | None = None, json: Any = None) -> Reply | None:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        body = None
        if json is not None:
            body = _json.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.http.request(method, path, body=body, headers=sent)
            raw = self.http.getresponse()
            response = Reply(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
        except (OSError, http.client.HTTPException) as exc:
            self.http.close()  # the next request connects again
            with self.lock:
                self.load.errors[type(exc).__name__] += 1
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            if response.status_code == expect:
                self.load.ok += 1
                self.load.latencies_ms.append(elapsed)
            else:
                kind = f"HTTP {response.status_code}"
                with contextlib.suppress(Exception):
                    answer = response.json()
                    kind += f" {answer['error']['code']}" if "error" in answer else ""
                if "locked" in response.text:
                    kind += " (database is locked)"
                self.load.errors[kind] += 1
        return response if response.status_code == expect else None
