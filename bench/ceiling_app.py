"""The ceiling of workload 1: a minimal FastAPI endpoint doing only the database writes of a
transition — read the row (locked: BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL), a
versioned update of its state, an audit insert — on the same engine settings, with no
authentication, no state machine, no deadlines, no outbox and no response detail; served like
the API (its start-up objects frozen out of the garbage collector).

    uvicorn --factory bench.ceiling_app:create_app   (TDKT_DATABASE_URL names the database)
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException
from sqlalchemy.engine import Connection, Engine

from service.api.lifespan import frozen_start_up
from service.db import default_engine
from service.models import AuditEntry, Nomination

NOMINATIONS = Nomination.__table__  # type: ignore[attr-defined]
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
# The same walk as the tdkt side drives, as a plain table (no guards, no route).
NEXT_STATE = {
    "submit": "awaiting_unit_head", "endorse": "submitted", "receive": "received",
    "start_appraisal": "in_appraisal", "submit_for_signature": "awaiting_signature", "decide": "awarded",
}


# Built once, as tdkt's statements are (a statement built per call costs its construction and
# cache key every time): the ceiling is the cheapest way to send these writes, not a handicapped one.
_UPDATE = NOMINATIONS.update().where(
    NOMINATIONS.c.id == sa.bindparam("row_id"), NOMINATIONS.c.version == sa.bindparam("read_version")
).values(state=sa.bindparam("new_state"), version=sa.bindparam("new_version"), updated_at=sa.bindparam("now"),
         state_entered_at=sa.bindparam("now"))
_AUDIT_INSERT = AUDIT.insert()


class Stale(Exception):
    """The row was not at the version read (another writer got there first)."""


def locked_read(engine: Engine) -> sa.Select:
    """The ceiling's read of a row's state and version, locked on PostgreSQL (SQLite's ``BEGIN
    IMMEDIATE``, from the connection's ``tdkt_write`` option, already serialises writers)."""
    read = sa.select(NOMINATIONS.c.state, NOMINATIONS.c.version).where(NOMINATIONS.c.id == sa.bindparam("id"))
    return read.with_for_update() if engine.dialect.name == "postgresql" else read


def write_step(conn: Connection, read: sa.Select, nomination_id: int, event: str, new_state: str) -> int | None:
    """The ceiling's writes of one step, in the caller's transaction: the locked read, the
    versioned update of the state and an audit insert. The new version, ``None`` if there is no
    such row; :class:`Stale` if the version moved. Workload 6 walks the same writes in-process."""
    now = datetime.now(timezone.utc)
    row = conn.execute(read, {"id": nomination_id}).first()
    if row is None:
        return None
    updated = conn.execute(_UPDATE, {"row_id": nomination_id, "read_version": row.version, "new_state": new_state,
                                     "new_version": row.version + 1, "now": now})
    if updated.rowcount != 1:
        raise Stale(nomination_id)
    digest = hashlib.sha256(f"{nomination_id}:{row.version + 1}:{event}".encode()).hexdigest()
    conn.execute(_AUDIT_INSERT, dict(
        chain=f"nomination:{nomination_id}", seq=row.version + 1, at=now, actor="ceiling", role="board_officer",
        action=event, from_state=row.state, to_state=new_state, reason=None, payload="{}", key_id="bench",
        prev_hash=digest, hash=digest,
    ))
    return row.version + 1


def create_app() -> FastAPI:
    engine = default_engine()
    read = locked_read(engine)
    # Served as tdkt's API is: its start-up objects frozen out of the garbage collector.
    app = FastAPI(lifespan=frozen_start_up)

    @app.post("/ceiling/{nomination_id}/{event}")
    def transition(nomination_id: int, event: str) -> dict:
        new_state = NEXT_STATE[event]
        try:
            with engine.connect().execution_options(tdkt_write=True) as conn, conn.begin():
                version = write_step(conn, read, nomination_id, event, new_state)
        except Stale:
            raise HTTPException(409) from None
        if version is None:
            raise HTTPException(404)
        return {"id": nomination_id, "state": new_state, "version": version}

    return app
