"""API acceptance fixtures: the FastAPI app over a database holding the full Hà Nội demo.

Every test runs on SQLite and on PostgreSQL through the integration fixtures (``engine``). The
demo (``service.demo.load_demo``: units, people, campaigns, the demo nominations and one
account per role) is loaded once per database kind per test session; every later test gets a
database restored, table by table, to that snapshot, so each test starts from the same data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

from config.yamlfiles import parse, read_yaml
from service.api.app import create_app
from service.demo import (
    DEMO_PASSWORD,
    USERS_FILE,
    DemoUser,
    DemoUsers,
    load_demo,
)
from service.models import AuditEntry, Nomination
from tests.integration import conftest as integration

# The integration fixtures, reused: every test runs on SQLite and on PostgreSQL, on a schema built
# by the real migrations.
sqlite_template = integration.sqlite_template
postgres_url = integration.postgres_url
engine = integration.engine

Snapshot = dict[str, list[dict[str, Any]]]
_SNAPSHOTS: dict[str, Snapshot] = {}


def tables(engine: Engine) -> list[Table]:
    """The model tables the migrated database has, parents first."""
    present = set(inspect(engine).get_table_names())
    return [t for t in SQLModel.metadata.sorted_tables if t.name in present]


def take_snapshot(engine: Engine) -> Snapshot:
    present = tables(engine)  # before connecting: SQLite engines have a one-connection pool
    with engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in present}


def restore_snapshot(engine: Engine, snapshot: Snapshot) -> None:
    """Put every table back to ``snapshot`` (ids included), in one transaction."""
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name in snapshot]
    with engine.begin() as conn:
        for t in reversed(tables):  # DELETE, not TRUNCATE: on a few hundred rows it is ten times faster
            conn.execute(t.delete())
        for t in tables:
            if snapshot[t.name]:
                conn.execute(t.insert(), snapshot[t.name])
        if engine.dialect.name == "postgresql":
            for t in tables:
                if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {t.name}), false)"
                    ))


@pytest.fixture(autouse=True)
def _on_demo_day(demo_day: None) -> None:
    """Every e2e test runs on the demo's day (see tests/conftest.py)."""


def put_demo(engine: Engine) -> Engine:
    """Make the database hold exactly the full demo: loaded the first time for this kind of
    database, restored from that snapshot afterwards."""
    kind = engine.dialect.name
    if kind not in _SNAPSHOTS:
        restore_snapshot(engine, {t.name: [] for t in tables(engine)})  # empty, whatever ran before
        with Session(engine, expire_on_commit=False) as s:
            load_demo(s)
        _SNAPSHOTS[kind] = take_snapshot(engine)
    else:
        restore_snapshot(engine, _SNAPSHOTS[kind])
    return engine


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """``engine`` holding the full demo, fresh for this test."""
    return put_demo(engine)


@pytest.fixture
def restore(demo_engine: Engine) -> Callable[[], None]:
    """Put the database back to the demo snapshot (fresh data for the next mutating step)."""
    return lambda: restore_snapshot(demo_engine, _SNAPSHOTS[demo_engine.dialect.name])


@pytest.fixture
def client(demo_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(demo_engine)) as c:
        yield c


@pytest.fixture
def db(demo_engine: Engine) -> Iterator[Session]:
    """A session for looking at the database from the test (expire_on_commit off; call
    ``db.expire_all()`` or use :func:`fingerprint` after the app changed something)."""
    with Session(demo_engine, expire_on_commit=False) as s:
        yield s


def demo_users() -> list[DemoUser]:
    """The demo accounts of config/demo/users.yaml (one per role, some roles in several units)."""
    return parse(DemoUsers, read_yaml(USERS_FILE), file=USERS_FILE, entry="(file)").users


@pytest.fixture
def login(client: TestClient) -> Callable[[str], dict[str, str]]:
    """``login("cb.sogddt")`` → ``{"Authorization": "Bearer …"}`` for that demo account, signed
    in through ``POST /auth/token`` (once per test and user)."""
    cache: dict[str, dict[str, str]] = {}

    def _login(username: str) -> dict[str, str]:
        if username not in cache:
            r = client.post("/auth/token", data={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return dict(cache[username])

    return _login


def fingerprint(engine: Engine, nomination_id: int | None = None) -> dict[str, Any]:
    """What a refused request must not change: counts of every table, and (given an id) the
    nomination's state and version and the length of its audit chain."""
    # Sign-in attempts are left out: signing in to make the request records one.
    present = [t for t in tables(engine) if t.name != "login_attempts"]  # before the session connects (one-connection pool on SQLite)
    with Session(engine) as s:
        out: dict[str, Any] = {t.name: s.exec(select(func.count()).select_from(t)).one() for t in present}  # type: ignore[call-overload]
        if nomination_id is not None:
            n = s.get(Nomination, nomination_id)
            chain = f"nomination:{nomination_id}"
            out["nomination"] = (n.state, n.version, n.updated_at) if n else None
            out["chain"] = s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == chain)).one()
    return out


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with NFC Vietnamese and English messages; returns ``error``."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message_vi", "message_en", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["details"], dict), error
    for key in ("message_vi", "message_en"):
        assert isinstance(error[key], str) and error[key].strip(), error
        assert unicodedata.is_normalized("NFC", error[key]), (key, error[key])
    assert error["message_vi"] != error["message_en"], error  # a Vietnamese message, not the English one twice
    if code is not None:
        assert error["code"] == code, error
    return error
