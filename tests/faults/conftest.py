"""Fault fixtures: the integration databases (SQLite and PostgreSQL, real migrations), the e2e
demo database and client, and the ``tally`` counters of :mod:`tests.faults.plugin`."""

from __future__ import annotations

from tests.e2e.conftest import client, db, demo_engine, login  # noqa: F401 - fixtures
from tests.faults.plugin import tally  # noqa: F401 - fixture
from tests.integration.conftest import engine, postgres_url, session, sqlite_template  # noqa: F401 - fixtures
