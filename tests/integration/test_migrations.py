"""The Alembic migrations and the models agree, and ``tdkt db upgrade`` builds the schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from typer.testing import CliRunner

import service.models  # noqa: F401
from service.schema import current_revision


def test_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_upgrade_creates_every_table_at_head(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
    assert current_revision(engine) is not None


def test_cli_upgrade_on_an_empty_sqlite_file_is_idempotent(tmp_path: Path, process_database) -> None:  # type: ignore[no-untyped-def]
    from service.cli import app

    process_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    second = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    from alembic.script import ScriptDirectory

    from service.schema import MIGRATIONS, alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert MIGRATIONS.is_dir() and head
    assert f"schema at revision {head} " in second.output
    assert (tmp_path / "fresh.db").exists()
