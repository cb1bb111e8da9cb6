"""Integration fixtures: every test runs on SQLite and on PostgreSQL, on a schema built by the
real Alembic migrations.

PostgreSQL tests need ``TDKT_TEST_POSTGRES_URL`` (``.ci/run`` sets it to the local server);
without it they are skipped with that reason. A throw-away database is created per test session.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from service.db import make_engine
from service.demo import load_reference_data
from service.schema import upgrade

PG_ENV = "TDKT_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tdkt.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); .ci/run sets it")
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    name = f"tdkt_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        db = tmp_path / "tdkt.db"
        shutil.copy(sqlite_template, db)
        eng = make_engine(f"sqlite:///{db}")
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
        tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a database holding the Hà Nội units, clusters, people and campaigns."""
    with Session(engine, expire_on_commit=False) as s:
        load_reference_data(s)
        yield s
