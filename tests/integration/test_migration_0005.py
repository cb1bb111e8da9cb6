"""Migration 0005_revocation_reviews: a nomination revoked before it kept only the revoking
decision in ``decision_id``; the upgrade puts the award's own decision back (read from the audit
trail) and moves the revoking one to ``revocation_decision_id``; the downgrade undoes it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from service.db import make_engine
from service.schema import upgrade


def test_upgrade_restores_the_award_decision_of_a_revoked_nomination(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (code, name_vi, name_en, kind) VALUES ('SO_X', 'Sở X', 'Dept X', 'department')"))
        conn.execute(text("INSERT INTO campaigns (id, code, name_vi, kind, year, opens_on, filing_deadline, calendar) "
                          "VALUES (1, 'TK', 'TK', 'annual', 2026, '2026-10-01', '2027-01-15', '{}')"))
        conn.execute(text("INSERT INTO decisions (id, number, kind, signed_on, signer, created_at) VALUES "
                          "(1, '10/QĐ-UBND', 'award', '2026-11-20', 'Chủ tịch', '2026-11-20 00:00:00'), "
                          "(2, '20/QĐ-UBND', 'revocation', '2026-11-21', 'Chủ tịch', '2026-11-21 00:00:00')"))
        conn.execute(text(
            "INSERT INTO nominations (id, award_code, ruleset_version, track, nominee_kind, nominee_unit_code, nominee_name, "
            "proposing_unit_code, campaign_id, year, achievements, facts, state, version, state_entered_at, decision_id, "
            "created_by, created_at, updated_at) VALUES (1, 'BK_TP', '2025.7', 'unit', 'collective', 'SO_X', 'Sở X', 'SO_X', 1, "
            "2026, '', '{}', 'revoked', 3, '2026-11-21 00:00:00', 2, 't', '2026-11-01 00:00:00', '2026-11-21 00:00:00')"))
        for seq, action, document in ((1, "decide", "10/QĐ-UBND"), (2, "revoke", "20/QĐ-UBND")):
            conn.execute(text(
                "INSERT INTO audit_entries (chain, seq, at, actor, role, action, payload, key_id, prev_hash, hash) "
                "VALUES ('nomination:1', :seq, '2026-11-20 00:00:00', 't', 'approver', :action, :payload, 'dev', '', '')"),
                {"seq": seq, "action": action, "payload": json.dumps({"document": document})})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT decision_id, revocation_decision_id FROM nominations WHERE id = 1")).one() == (1, 2)
    from service.schema import alembic_config
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0004")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT decision_id FROM nominations WHERE id = 1")).one() == (2,)
        assert "review_tasks" not in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
