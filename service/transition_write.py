"""What a transition writes — the nomination's row, its audit entry, its outbox rows — sent to the
database in as few round trips as the database allows.

On PostgreSQL the three go as one statement of data-modifying CTEs (``WITH row_update AS (UPDATE
nominations … RETURNING id), audit_entry AS (INSERT … SELECT … FROM row_update), message_0 AS
(INSERT … SELECT … FROM row_update) SELECT count(*) FROM row_update``). A transition then makes four round trips (begin, locked read, this, commit)
instead of six; on loopback a round trip costs ~130 µs of wall time and ~60 µs of psycopg's CPU
(bench/findings.md). One statement is atomic by itself, and it runs in the action's transaction
anyway. SQLite has no data-modifying CTEs and no network between the process and the database:
there the three statements go one after the other, in the same order.

The UPDATE is guarded by the version the row was read at; the inserts happen only if it matched
a row (on SQLite: run only then), so a row changed underneath raises ``StaleDataError`` and
writes nothing.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from service.models import AuditEntry, Nomination, OutboxMessage

_NOMINATIONS = Nomination.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
OUTBOX_INSERT = _OUTBOX.insert()  # outbox rows as Core rows (also a creation's, service.transitions.queue_messages)
_UPDATE_ROW = _NOMINATIONS.update().where(
    _NOMINATIONS.c.id == sa.bindparam("row_id"), _NOMINATIONS.c.version == sa.bindparam("read_version")
)


def write(
    session: Session, nomination_id: int, read_version: int, values: dict[str, Any],
    audit_row: dict[str, Any], messages: list[dict[str, Any]],
) -> None:
    """UPDATE the nomination's ``values`` where it still has ``read_version``, INSERT its audit
    entry and its outbox rows; raise ``StaleDataError`` (and write nothing that lasts) if the row
    was not at that version."""
    connection = session.connection()
    params = {f"new_{key}": value for key, value in values.items()}
    params.update(row_id=nomination_id, read_version=read_version)
    if connection.dialect.name == "postgresql":
        params.update({f"audit_{key}": value for key, value in audit_row.items()})
        for i, message in enumerate(messages):
            params.update({f"m{i}_{key}": value for key, value in message.items()})
        statement = _update_with_inserts(frozenset(values), tuple(audit_row), tuple(messages[0]) if messages else (), len(messages))
        updated_rows = connection.execute(statement, params).scalar_one()
    else:
        updated_rows = connection.execute(update_of(frozenset(values)), params).rowcount
        if updated_rows == 1:
            connection.execute(_AUDIT.insert(), audit_row)
            if messages:
                connection.execute(OUTBOX_INSERT, messages)
    if updated_rows != 1:
        raise StaleDataError(f"nomination {nomination_id} changed since version {read_version}")


@functools.lru_cache(maxsize=None)
def update_of(keys: frozenset[str]) -> sa.Update:
    """The UPDATE of these columns, built once per set of columns (a statement built per call
    costs its construction and cache key every time)."""
    return _UPDATE_ROW.values({key: sa.bindparam(f"new_{key}") for key in sorted(keys)})


@functools.lru_cache(maxsize=256)
def _update_with_inserts(keys: frozenset[str], audit_keys: tuple[str, ...], message_keys: tuple[str, ...], n_messages: int) -> sa.Select:
    """The UPDATE as a CTE, the audit INSERT and ``n_messages`` outbox INSERTs as CTEs that insert
    only if the UPDATE matched (``SELECT … FROM row_update``), and the count of rows updated; built
    once per shape (columns changed, number of messages: a handful of shapes in all).

    Without that condition a stale write would collide with the entry the other writer added
    (same chain and seq) and fail as a unique violation instead of a stale version."""
    row_update = update_of(keys).returning(_NOMINATIONS.c.id).cte("row_update")
    ctes = [_insert_if_updated(_AUDIT, "audit_", audit_keys, row_update).cte("audit_entry")]
    # One single-row INSERT per message: SQLAlchemy does not cache a multi-row VALUES statement
    # (it compiled the whole statement again on every call, 2 ms).
    ctes += [_insert_if_updated(_OUTBOX, f"m{i}_", message_keys, row_update).cte(f"message_{i}") for i in range(n_messages)]
    return sa.select(sa.func.count()).select_from(row_update).add_cte(*ctes)


def _insert_if_updated(table: sa.Table, prefix: str, keys: tuple[str, ...], row_update: sa.CTE) -> sa.Insert:
    values = sa.select(*(sa.bindparam(f"{prefix}{key}", type_=table.c[key].type) for key in keys)).select_from(row_update)
    return table.insert().from_select(list(keys), values)
