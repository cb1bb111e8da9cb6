"""Tamper evidence through the command line: one byte changed in an audit entry, one entry
deleted, two reordered, one inserted (at the end or in the middle) — each is found by
``tdkt audit verify`` (exit code 1) naming the chain and the entry, on SQLite and PostgreSQL.
Every position of the chain is tried in the full run; after each try the chain is put back and
verifies again.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from service import audit
from service.cli import app
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Nomination
from tests.faults.plugin import Tally, full_scale

GROUP = "Tamper evidence"


def snapshot(engine: Engine, chain: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        table = AuditEntry.__table__  # type: ignore[attr-defined]
        return [dict(r._mapping) for r in conn.execute(table.select().where(table.c.chain == chain).order_by(table.c.seq))]


def restore(engine: Engine, chain: str, rows: list[dict[str, Any]], nomination: tuple[int, str, int]) -> None:
    nid, state, version = nomination
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE chain = :c"), {"c": chain})
        conn.execute(AuditEntry.__table__.insert(), rows)  # type: ignore[attr-defined]
        conn.execute(text("UPDATE nominations SET state = :s, version = :v WHERE id = :id"), {"s": state, "v": version, "id": nid})


def flip_byte(engine: Engine, rows: list[dict[str, Any]], i: int) -> int:
    """Change one byte of the actor of entry ``i``; the entry itself must be named."""
    target = rows[i]
    actor = target["actor"]
    changed = actor[:-1] + chr(ord(actor[-1]) ^ 1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = :a WHERE id = :id"), {"a": changed, "id": target["id"]})
    return target["id"]


def delete_one(engine: Engine, rows: list[dict[str, Any]], i: int) -> int:
    """Delete entry ``i``: the next entry is named (the gap), or the tail if the last was deleted."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": rows[i]["id"]})
    return rows[i + 1]["id"] if i + 1 < len(rows) else rows[i - 1]["id"]


def reorder_two(engine: Engine, rows: list[dict[str, Any]], i: int) -> int:
    """Swap the seqs of entries ``i`` and ``i+1``: the one now at seq i+1 is named."""
    a, b = rows[i], rows[i + 1]
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET seq = -1 WHERE id = :id"), {"id": a["id"]})
        conn.execute(text("UPDATE audit_entries SET seq = :s WHERE id = :id"), {"s": a["seq"], "id": b["id"]})
        conn.execute(text("UPDATE audit_entries SET seq = :s WHERE id = :id"), {"s": b["seq"], "id": a["id"]})
    return b["id"]


def insert_one(engine: Engine, rows: list[dict[str, Any]], i: int) -> int:
    """Insert a forged entry after entry ``i`` (later entries shifted up), linked to its
    predecessor's hash; an insert at the end also moves the nomination row, so only the
    signature can give it away. The forged entry is named."""
    prev = rows[i]
    with engine.begin() as conn:
        for later in reversed(rows[i + 1:]):
            conn.execute(text("UPDATE audit_entries SET seq = seq + 1 WHERE id = :id"), {"id": later["id"]})
        forged = {k: v for k, v in prev.items() if k != "id"}
        forged.update(seq=prev["seq"] + 1, actor="intruder", action="decide", from_state=prev["to_state"], to_state="awarded",
                      payload="{}", prev_hash=prev["hash"], hash=hashlib.sha256(b"guessed").hexdigest())
        new_id = conn.execute(AuditEntry.__table__.insert().returning(AuditEntry.__table__.c.id), forged).scalar_one()  # type: ignore[attr-defined]
        if i == len(rows) - 1:
            nid = int(prev["chain"].split(":")[1])
            conn.execute(text("UPDATE nominations SET state = 'awarded', version = version + 1 WHERE id = :id"), {"id": nid})
    return int(new_id)


TAMPERS: dict[str, tuple[Callable[[Engine, list[dict[str, Any]], int], int], Callable[[int], range]]] = {
    "One byte changed in an audit entry": (flip_byte, lambda n: range(n)),
    "One audit entry deleted": (delete_one, lambda n: range(n)),
    "Two audit entries reordered": (reorder_two, lambda n: range(n - 1)),
    "One audit entry inserted": (insert_one, lambda n: range(n)),
}


@pytest.mark.parametrize("kind", list(TAMPERS))
def test_tampering_is_named_by_tdkt_audit_verify(kind: str, session: Session, engine: Engine, process_database, tally: Tally) -> None:  # type: ignore[no-untyped-def]
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026",
                                      steps=["submit", "endorse", "receive", "start_appraisal", {"return_for_completion": {"reason": "Thiếu hồ sơ."}}, "resubmit"]))
    chain = audit.nomination_chain(n.id)
    session.close()
    process_database(engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    rows = snapshot(engine, chain)
    tamper, positions = TAMPERS[kind]
    tried = list(positions(len(rows)))
    if not full_scale():
        tried = [tried[0], tried[len(tried) // 2], tried[-1]]
    db = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"
    missed = []
    for i in tried:
        named = tamper(engine, rows, i)
        result = runner.invoke(app, ["audit", "verify"])
        tally.tried(GROUP, f"{kind} ({db}, tdkt audit verify)")
        if result.exit_code != 1 or chain not in result.output or f"id={named}" not in result.output:
            missed.append((i, result.exit_code, result.output))
            tally.let_through(GROUP, f"{kind} ({db}, tdkt audit verify)", note=f"position {i}: {result.output[:200]}")
        restore(engine, chain, rows, (n.id, n.state, n.version))
        assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    assert missed == [], missed
