"""A real server over a fresh demo database, for the browser tests and the screenshots:
``tdkt db upgrade`` + ``tdkt demo load`` into a new SQLite file, then uvicorn on a free port.
Everything runs as subprocesses with ``TDKT_DATABASE_URL`` set, as an operator would run it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = os.environ.get("TDKT_CHROMIUM", "/usr/bin/chromium")
# The port range this project's browser runs use by default (TDKT_BROWSER_PORTS="first-last").
PORTS = os.environ.get("TDKT_BROWSER_PORTS", "18200-18299")


def free_port() -> int:
    first, last = (int(p) for p in PORTS.split("-"))
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def _tdkt(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, check=True, capture_output=True)


@contextlib.contextmanager
def demo_server(workdir: Path) -> Iterator[str]:
    """Yield the base URL of a uvicorn serving a fresh demo database in ``workdir``."""
    env = {**os.environ, "TDKT_DATABASE_URL": f"sqlite:///{workdir / 'tdkt.db'}",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "TDKT_PREFECT_UI_URL": "http://127.0.0.1:9"}
    _tdkt(env, "db", "upgrade")
    _tdkt(env, "demo", "load")
    port = free_port()
    log = open(workdir / "uvicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.api.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:  # wait until it answers (or died)
            if server.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {(workdir / 'uvicorn.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{base}/health").close()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait()
        log.close()
