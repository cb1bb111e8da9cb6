"""prefect + fastapi + sqlalchemy are one pinned group (../shared/tech-notes.md).

A plain install resolves to fastapi >= 0.155 and SQLAlchemy 2.1, which break ``prefect.server``
at run time although ``pip check`` is clean. The installed versions must equal the pins in
pyproject.toml (read from the file, so the test follows a deliberate bump), and the Prefect
server API must import.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GROUP = ("prefect", "fastapi", "sqlalchemy", "sqlmodel", "python-statemachine", "emails")

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*(?:;.*)?$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    pins: dict[str, str] = {}
    for requirement in project["dependencies"]:
        match = _PIN.match(requirement)
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def test_pin_parser():
    assert _PIN.match("psycopg[binary]==3.3.9").groups() == ("psycopg", "3.3.9")
    assert _PIN.match("PyYAML==6.0.3").groups() == ("PyYAML", "6.0.3")
    assert _PIN.match("fastapi>=0.150") is None
    assert _normalise("Python_StateMachine") == "python-statemachine"


def test_every_package_of_the_group_is_pinned_exactly():
    pins = _pins()
    unpinned = [name for name in GROUP if name not in pins]
    assert unpinned == [], f"pyproject.toml must pin these with '==': {unpinned}"


@pytest.mark.parametrize("package", GROUP)
def test_installed_version_equals_the_pin(package):
    pinned = _pins()[package]
    installed = importlib.metadata.version(package)
    assert installed == pinned, (
        f"{package} {installed} is installed but pyproject.toml pins {pinned}; "
        "prefect, fastapi and sqlalchemy move together (see ../shared/tech-notes.md)"
    )


def test_fastapi_is_below_the_version_that_breaks_prefect_server():
    major, minor, *_ = (int(p) for p in re.findall(r"\d+", importlib.metadata.version("fastapi"))[:2])
    assert (major, minor) < (0, 155)


def test_sqlalchemy_is_2_0():
    assert importlib.metadata.version("sqlalchemy").startswith("2.0.")


def test_prefect_server_api_imports(tmp_path):
    env = {
        **os.environ,
        # Keep Prefect's side effects (profiles, local database) out of the user's home.
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import prefect.server.api.server; print('ok')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().splitlines()[-1] == "ok"
