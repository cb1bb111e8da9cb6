"""Migrations run forward on a populated database ("nâng cấp CSDL đang có hồ sơ").

A database created at the first migration (0001) is filled with the Hà Nội demo's rows — every
table and column 0001 has, copied from a demo loaded at head, so the nominations are in flight
at every state with genuine audit chains and queued mail — then migrated to head. Nothing is
lost or changed, every audit chain still verifies, the schema equals the models, and the work
goes on: a nomination in flight takes its next step on the migrated database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from service import audit
from service import nominations as actions
from service.actors import Actor
from service.db import make_engine
from service.demo import load_demo
from service.models import Nomination
from service.schema import current_revision, upgrade
from workflow.roles import Role


@pytest.fixture(params=["sqlite", "postgres"])
def empty_pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two empty databases of one kind: the demo's source (head) and the one to upgrade."""
    if request.param == "sqlite":
        engines = (make_engine(f"sqlite:///{tmp_path / 'head.db'}"), make_engine(f"sqlite:///{tmp_path / 'old.db'}"))
        yield engines
        for e in engines:
            e.dispose()
        return
    base = os.environ.get("TDKT_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TDKT_TEST_POSTGRES_URL; .ci/run sets it")
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    names = [f"tdkt_mig_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engines = tuple(make_engine(make_url(base).set(database=n).render_as_string(hide_password=False)) for n in names)
    try:
        yield engines  # type: ignore[misc]
    finally:
        for e in engines:
            e.dispose()
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def counts(engine: Engine, tables: list[str]) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(engine, only=tables)
    with engine.connect() as conn:
        return {t: conn.execute(select(func.count()).select_from(meta.tables[t])).scalar_one() for t in tables}


def test_a_database_filled_at_0001_migrates_to_head(empty_pair: tuple[Engine, Engine]) -> None:
    head_db, old_db = empty_pair
    upgrade(head_db)
    with Session(head_db, expire_on_commit=False) as s:
        load_demo(s)
    upgrade(old_db, "0001")
    assert current_revision(old_db) == "0001"

    # Copy every table and column that exists at 0001, parents first.
    at_0001, source = MetaData(), MetaData()
    at_0001.reflect(old_db)
    source.reflect(head_db)
    tables = [t.name for t in at_0001.sorted_tables if t.name != "alembic_version"]
    assert {"nominations", "audit_entries", "outbox", "people"} <= set(tables) and "users" not in tables
    with head_db.connect() as src, old_db.begin() as dst:
        for name in tables:
            columns = [c.name for c in at_0001.tables[name].columns]
            rows = [dict(r._mapping) for r in src.execute(select(*(source.tables[name].c[c] for c in columns)))]
            if rows:
                dst.execute(at_0001.tables[name].insert(), rows)
        if old_db.dialect.name == "postgresql":  # rows came with their ids: move the sequences on
            for name in tables:
                if "id" in at_0001.tables[name].c:
                    dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))
    before = counts(old_db, tables)
    assert before["nominations"] == 19 and before["audit_entries"] > 100

    upgrade(old_db)

    from alembic.script import ScriptDirectory

    from service.schema import alembic_config

    assert current_revision(old_db) == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert counts(old_db, tables) == before
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with old_db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata) == []
    with Session(old_db, expire_on_commit=False) as s:
        assert audit.verify_all(s) == []
        received = s.exec(select(Nomination).where(Nomination.state == "received").order_by(Nomination.id)).scalars().first()
        s.commit()
        moved = actions.start_appraisal(s, received.id, actor=Actor("ban.tdkt", Role.BOARD_OFFICER), expected_version=received.version)
        assert moved.state == "in_appraisal" and moved.ruleset_version == received.ruleset_version
        assert audit.verify_all(s) == []
