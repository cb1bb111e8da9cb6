"""Creating and migrating the schema with Alembic (``tdkt db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database forward; creates every table on an empty database."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
        return
    # SQLite's batch mode rebuilds a table (copy, drop, rename); with foreign keys on, dropping a
    # table that other rows reference fails. SQLite ignores this pragma inside a transaction, so it
    # is set on the raw connection before BEGIN, and the references are checked before commit.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration to {revision} left rows whose references are broken: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
