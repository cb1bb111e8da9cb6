"""The README's main-job command starts everything and stops it cleanly.

Starts ``bash deploy/local.sh start`` on free ports with its own database and Prefect home,
waits for the API and the Prefect API, checks the flow deployments are listed, then sends
Ctrl-C (SIGINT) and checks every part has stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 150) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the main job exited early with {proc.returncode}"
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not answer within {timeout} s")


def test_main_job_starts_api_prefect_and_deployments_then_stops(tmp_path: Path) -> None:
    api_port, prefect_port = free_port(), free_port()
    env = {**os.environ, "TDKT_DATABASE_URL": f"sqlite:///{tmp_path / 'tdkt.db'}", "TDKT_PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "main-job.log").open("wb")
    proc = subprocess.Popen(["bash", "deploy/local.sh", "start", "--port", str(api_port), "--prefect-port", str(prefect_port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for(f"http://127.0.0.1:{api_port}/health", proc).json() == {"status": "ok"}
        wait_for(f"http://127.0.0.1:{prefect_port}/api/health", proc)
        from flows.registry import FLOWS

        deadline = time.monotonic() + 60
        names: list[str] = []
        while time.monotonic() < deadline and not set(FLOWS) <= set(names):
            r = httpx.post(f"http://127.0.0.1:{prefect_port}/api/deployments/filter", json={}, timeout=5)
            names = [d["name"] for d in r.json()]
            time.sleep(1)
        assert set(FLOWS) <= set(names), names
        public = httpx.get(f"http://127.0.0.1:{api_port}/public/decisions", timeout=5).json()
        assert public["total"] >= 1  # the demo data was loaded
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        log.close()
    assert code == 0, (tmp_path / "main-job.log").read_text(errors="replace")[-3000:]
    leftover = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert leftover == [], f"processes left running: {leftover}"
