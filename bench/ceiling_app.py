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


def create_app() -> FastAPI:
    engine = default_engine()
    locked_read = sa.select(NOMINATIONS.c.state, NOMINATIONS.c.version).where(NOMINATIONS.c.id == sa.bindparam("id"))
    if engine.dialect.name == "postgresql":
        locked_read = locked_read.with_for_update()
    # Served as tdkt's API is: its start-up objects frozen out of the garbage collector.
    app = FastAPI(lifespan=frozen_start_up)

    @app.post("/ceiling/{nomination_id}/{event}")
    def transition(nomination_id: int, event: str) -> dict:
        now = datetime.now(timezone.utc)
        with engine.connect().execution_options(tdkt_write=True) as conn, conn.begin():
            row = conn.execute(locked_read, {"id": nomination_id}).first()
            if row is None:
                raise HTTPException(404)
            new_state = NEXT_STATE[event]
            updated = conn.execute(
                NOMINATIONS.update()
                .where(NOMINATIONS.c.id == nomination_id, NOMINATIONS.c.version == row.version)
                .values(state=new_state, version=row.version + 1, updated_at=now, state_entered_at=now)
            )
            if updated.rowcount != 1:
                raise HTTPException(409)
            digest = hashlib.sha256(f"{nomination_id}:{row.version + 1}:{event}".encode()).hexdigest()
            conn.execute(AUDIT.insert().values(
                chain=f"nomination:{nomination_id}", seq=row.version + 1, at=now, actor="ceiling", role="board_officer",
                action=event, from_state=row.state, to_state=new_state, reason=None, payload="{}", key_id="bench",
                prev_hash=digest, hash=digest,
            ))
        return {"id": nomination_id, "state": new_state, "version": row.version + 1}

    return app
