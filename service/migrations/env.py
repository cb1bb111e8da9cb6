"""Alembic environment: runs on the connection handed over by service.schema, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from service.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("tdkt migrations run online only: use `tdkt db upgrade`.")
run_migrations_online()
