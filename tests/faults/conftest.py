"""Fault fixtures: the integration databases (SQLite and PostgreSQL, real migrations), the e2e
demo database and client, and the ``tally`` counters of :mod:`tests.faults.plugin`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import client, db, demo_engine, login  # noqa: F401 - fixtures
from tests.faults.plugin import tally  # noqa: F401 - fixture
from tests.faults.servers import demo_database, throwaway_postgres
from tests.integration.conftest import PG_ENV, engine, postgres_url, session, sqlite_template  # noqa: F401 - fixtures

@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A throw-away database holding the demo, on SQLite and on PostgreSQL (the crash tests' target)."""
    if request.param == "sqlite":
        yield demo_database(f"sqlite:///{tmp_path / 'tdkt.db'}")
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}; .ci/run sets it")
    with throwaway_postgres(base) as url:
        yield demo_database(url)
