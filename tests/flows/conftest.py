"""Flows run for real under Prefect's test harness (one per test session: it takes ~9 s), with
heartbeats off (they add ~1 s per run). The flows use the process-wide engine, so each test
points TDKT_DATABASE_URL at the per-test database of the integration fixtures."""

from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.integration.conftest import engine, postgres_url, session, sqlite_template  # noqa: F401


@pytest.fixture(scope="session")
def prefect() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        with prefect_test_harness(server_startup_timeout=120):
            yield


@pytest.fixture
def flows_db(engine: Engine, prefect: None, process_database) -> Engine:  # type: ignore[no-untyped-def]  # noqa: F811
    process_database(engine.url.render_as_string(hide_password=False))
    return engine
