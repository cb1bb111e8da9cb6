"""``tdkt up``: the whole system on one machine — a Prefect server (UI on :4200), the flows served
as scheduled deployments, and the API — stopped together on Ctrl-C.

Each part is its own process, so a crash in one is seen (the launcher stops the rest and exits
non-zero) and each can be replaced by its multi-machine form later (issue 7).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Part:
    name: str
    argv: list[str]
    health_url: str | None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def prefect_env(prefect_port: int, home: Path) -> dict[str, str]:
    api = f"http://127.0.0.1:{prefect_port}/api"
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "TDKT_PREFECT_API_URL": api,
        # No silent temporary server if the URL is wrong; no telemetry (no internet here).
        "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Triggered runs start in seconds instead of ~10 s.
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_UI_API_URL": api,
    }


def parts(host: str, api_port: int, prefect_port: int) -> list[Part]:
    bin_dir = Path(sys.executable).parent
    return [
        Part("prefect-server", [str(bin_dir / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(prefect_port)],
             f"http://127.0.0.1:{prefect_port}/api/health"),
        Part("flows", [sys.executable, "-m", "flows.serve"], None),
        Part("api", [sys.executable, "-m", "uvicorn", "service.api.app:create_app", "--factory", "--host", host,
                     "--port", str(api_port), "--loop", "uvloop"], f"http://{host}:{api_port}/health"),
    ]


def wait_healthy(part: Part, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if part.process is not None and part.process.poll() is not None:
            raise RuntimeError(f"{part.name} exited with code {part.process.returncode} while starting")
        try:
            if part.health_url and httpx.get(part.health_url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{part.name} did not answer {part.health_url} within {timeout:.0f} s")


def stop(running: list[Part], grace: float = 20.0) -> None:
    """Stop the parts one by one, newest first: the flow server pauses its schedules on the way
    out and needs the Prefect server still up to do it."""
    for part in reversed(running):
        if part.process is None or part.process.poll() is not None:
            continue
        part.process.send_signal(signal.SIGINT)
        try:
            part.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            part.process.kill()
            part.process.wait()


def up(host: str = "127.0.0.1", api_port: int = 8000, prefect_port: int = 4200, home: Path | None = None) -> int:
    """Start everything and block until Ctrl-C / SIGTERM or until a part dies; returns the exit code."""
    home = (home or Path(os.environ.get("TDKT_PREFECT_HOME", "var/prefect"))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **prefect_env(prefect_port, home)}
    running: list[Part] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for part in parts(host, api_port, prefect_port):
            part.process = subprocess.Popen(part.argv, env=env)
            running.append(part)
            wait_healthy(part, timeout=120) if part.health_url else time.sleep(2)
        print(
            f"\ntdkt is up:\n  API and OpenAPI docs  http://{host}:{api_port}/docs\n"
            f"  Prefect UI           http://127.0.0.1:{prefect_port}\nCtrl-C stops everything.\n",
            flush=True,
        )
        while not stopping:
            dead = [p for p in running if p.process and p.process.poll() is not None]
            if dead:
                print(f"{dead[0].name} exited with code {dead[0].process.returncode}; stopping.", file=sys.stderr)  # type: ignore[union-attr]
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        print(f"tdkt up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop(running)
        for s, handler in previous.items():
            signal.signal(s, handler)
