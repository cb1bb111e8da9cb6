"""Tamper evidence: editing, deleting, reordering or inserting an audit entry is detected and
named, by the service and by ``tdkt audit verify``."""

from __future__ import annotations

import hashlib
import json
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from config.settings import get_settings
from service import audit
from service.cli import app
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Nomination


@pytest.fixture
def chain(session: Session) -> tuple[Nomination, list[AuditEntry]]:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026",
                                      steps=["submit", "endorse", "receive", "start_appraisal"]))
    return n, audit.entries_of(session, audit.nomination_chain(n.id))


@pytest.fixture
def cli_on(engine: Engine, process_database) -> CliRunner:  # type: ignore[no-untyped-def]
    process_database(engine.url.render_as_string(hide_password=False))
    return CliRunner()


def run_sql(session: Session, sql: str, **params: object) -> None:
    session.execute(text(sql), params)
    session.commit()
    session.expire_all()


def only_problem(session: Session) -> audit.BrokenLink:
    problems = audit.verify_all(session)
    assert len(problems) == 1, problems
    return problems[0]


def test_intact_chain_verifies(session: Session, chain, cli_on: CliRunner) -> None:  # type: ignore[no-untyped-def]
    assert audit.verify_all(session) == []
    result = cli_on.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_one_changed_byte_is_named(session: Session, chain, cli_on: CliRunner) -> None:  # type: ignore[no-untyped-def]
    n, entries = chain
    target = entries[2]
    run_sql(session, "UPDATE audit_entries SET actor = :a WHERE id = :id", a=target.actor[:-1] + "X", id=target.id)
    problem = only_problem(session)
    assert (problem.entry_id, problem.seq) == (target.id, 3) and "signature" in problem.problem
    result = cli_on.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"nomination:{n.id}" in result.output and f"id={target.id}" in result.output


def test_a_changed_payload_is_named(session: Session, chain) -> None:  # type: ignore[no-untyped-def]
    _, entries = chain
    target = entries[0]
    payload = json.loads(target.payload)
    payload["award"] = "CSTD_TQ"
    run_sql(session, "UPDATE audit_entries SET payload = :p WHERE id = :id", p=audit.canonical_json(payload), id=target.id)
    assert only_problem(session).entry_id == target.id


def test_a_deleted_entry_is_named(session: Session, chain) -> None:  # type: ignore[no-untyped-def]
    _, entries = chain
    run_sql(session, "DELETE FROM audit_entries WHERE id = :id", id=entries[1].id)
    problem = only_problem(session)
    assert problem.entry_id == entries[2].id and "seq 2 is missing" in problem.problem


def test_a_deleted_last_entry_is_caught_by_the_version(session: Session, chain) -> None:  # type: ignore[no-untyped-def]
    n, entries = chain
    run_sql(session, "DELETE FROM audit_entries WHERE id = :id", id=entries[-1].id)
    problem = only_problem(session)
    assert f"version {n.version}" in problem.problem and problem.seq == len(entries) - 1


def test_two_reordered_entries_are_named(session: Session, chain) -> None:  # type: ignore[no-untyped-def]
    _, entries = chain
    (a_id, a_seq), (b_id, b_seq) = (entries[1].id, entries[1].seq), (entries[2].id, entries[2].seq)
    run_sql(session, "UPDATE audit_entries SET seq = -1 WHERE id = :id", id=a_id)
    run_sql(session, "UPDATE audit_entries SET seq = :s WHERE id = :id", s=a_seq, id=b_id)
    run_sql(session, "UPDATE audit_entries SET seq = :s WHERE id = :id", s=b_seq, id=a_id)
    problem = only_problem(session)
    assert problem.seq == 2 and problem.entry_id == b_id


def test_an_inserted_entry_is_named(session: Session, chain) -> None:  # type: ignore[no-untyped-def]
    n, entries = chain
    last = entries[-1]
    forged = AuditEntry(
        chain=last.chain, seq=last.seq + 1, at=last.at, actor="intruder", role="approver", action="decide",
        from_state=last.to_state, to_state="awarded", payload="{}", key_id=last.key_id, prev_hash=last.hash,
        hash=hashlib.sha256(b"guessed").hexdigest(),
    )
    session.add(forged)
    # The intruder also moves the nomination row, so only the signature can give them away.
    session.execute(text("UPDATE nominations SET state = 'awarded', version = version + 1 WHERE id = :id"), {"id": n.id})
    session.commit()
    problem = only_problem(session)
    assert problem.entry_id == forged.id and "signature" in problem.problem


def test_rotated_keys_keep_old_entries_verifiable(session: Session, chain, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    old = get_settings().audit_keys
    monkeypatch.setenv("TDKT_AUDIT_KEYS", json.dumps({**old, "k2026": "a-new-secret"}))
    monkeypatch.setenv("TDKT_AUDIT_KEY_ID", "k2026")
    get_settings.cache_clear()
    try:
        n, _ = chain
        from service import nominations as actions
        from service.actors import Actor
        from workflow.roles import Role

        actions.submit_for_signature(session, n.id, actor=Actor("cv", Role.BOARD_OFFICER))
        keys = {e.key_id for e in audit.entries_of(session, audit.nomination_chain(n.id))}
        assert keys == {"dev", "k2026"}
        assert audit.verify_all(session) == []
        monkeypatch.setenv("TDKT_AUDIT_KEYS", json.dumps({"k2026": "a-new-secret"}))
        get_settings.cache_clear()
        assert audit.verify_all(session)  # the old key is gone: old entries no longer verify
    finally:
        get_settings.cache_clear()
