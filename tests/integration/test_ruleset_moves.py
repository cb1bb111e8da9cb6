"""Rule-set versions with nominations in flight.

Rule set 2024.1 was in force until 2025-06-30; 2025.7 (Decree 152/2025) from 2025-07-01. A
nomination created before the change keeps 2024.1 to its end (its council rule is 2024.1's,
citing Decree 98/2023) while one created after follows 2025.7. An admin's bulk move previews
(per nomination: moves or not, eligible under the new rules or not), applies in one transaction
with the reason in each moved nomination's audit trail, and is refused to anyone else.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from service import audit, council
from service import nominations as actions
from service.actors import Actor
from service.errors import Forbidden, InvalidInput
from service.models import AuditEntry, Nomination
from service.ruleset_moves import move_rulesets
from workflow.roles import Role

SUBMITTER = Actor("cb.sogddt", Role.SUBMITTER, "SO_GDDT")
HEAD = Actor("tt.sogddt", Role.UNIT_HEAD, "SO_GDDT")
BOARD = Actor("ban.tdkt", Role.BOARD_OFFICER)
ADMIN = Actor("admin", Role.ADMIN)
BEFORE = date(2025, 3, 3)  # 2024.1 in force
AFTER = date(2026, 11, 2)  # 2025.7 in force
REASON = "Điều khoản chuyển tiếp: hồ sơ đang xét áp dụng Nghị định 152/2025/NĐ-CP"


def in_flight(session: Session) -> tuple[Nomination, Nomination, Nomination]:
    """Under 2024.1: P001 (eligible) at the council, P002 a draft lacking titles; under 2025.7: P003."""
    old = actions.create_nomination(session, actor=SUBMITTER, award_code="CSTD_TP", campaign_code="TK-2026", year=2026,
                                    person_code="P001", achievements="Sáng kiến cấp thành phố.", today=BEFORE)
    for verb, actor in ((actions.submit, SUBMITTER), (actions.endorse, HEAD), (actions.receive, BOARD),
                        (actions.start_appraisal, BOARD), (actions.send_to_council, BOARD)):
        old = verb(session, old.id, actor=actor)
    draft = actions.create_nomination(session, actor=Actor("cb.soyt", Role.SUBMITTER, "SO_YT"), award_code="CSTD_TP", campaign_code="TK-2026", year=2025,
                                      person_code="P002", today=BEFORE)
    new = actions.create_nomination(session, actor=Actor("cb.sotp", Role.SUBMITTER, "SO_TP"), award_code="BK_TP", campaign_code="TK-2026", year=2026,
                                    person_code="P003", today=AFTER)
    return old, draft, new


def test_a_nomination_started_under_2024_1_keeps_its_rules_after_2025_7(session: Session) -> None:
    old, draft, new = in_flight(session)
    assert (old.ruleset_version, draft.ruleset_version, new.ruleset_version) == ("2024.1", "2024.1", "2025.7")
    assert old.state == "at_council"
    # Its council vote is counted by 2024.1's rule, whatever is in force when the council sits.
    assert "98/2023" in council.rule_of(old).citation
    passed = actions.record_council_result(session, old.id, actor=BOARD, passed=True, tally={"members": 15, "in_favour": 14})
    assert passed.ruleset_version == "2024.1" and passed.state == "council_passed"
    later = actions.create_nomination(session, actor=Actor("cb.thanhtra", Role.SUBMITTER, "THANH_TRA"), award_code="CSTD_TP", campaign_code="TK-2026", year=2026,
                                      person_code="P004", today=AFTER)
    assert later.ruleset_version == "2025.7" and "152/2025" in council.rule_of(later).citation


def test_bulk_move_previews_applies_and_audits(session: Session) -> None:
    old, draft, new = in_flight(session)
    old_version, draft_version = old.version, draft.version  # the objects are updated in place later
    entries = session.exec(select(func.count()).select_from(AuditEntry)).one()

    preview = move_rulesets(session, "2025.7", actor=ADMIN, reason=REASON, dry_run=True)
    plans = {p.nomination_id: p for p in preview.plans}
    assert set(plans) == {old.id, draft.id}  # the 2025.7 nomination is not in question
    assert (plans[old.id].move, plans[old.id].eligible) == (True, True)
    assert (plans[draft.id].move, plans[draft.id].eligible) == (False, False)
    assert plans[draft.id].unmet[0]["condition"] == "cstd_tp_streak" and "2023" in plans[draft.id].why_en
    session.expire_all()
    assert session.get(Nomination, old.id).ruleset_version == "2024.1"  # a preview changes nothing
    assert session.get(Nomination, old.id).version == old_version
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == entries
    session.commit()

    applied = move_rulesets(session, "2025.7", actor=ADMIN, reason=REASON, dry_run=False)
    assert applied.moved == [old.id] and applied.kept == [draft.id]
    session.expire_all()
    moved, kept = session.get(Nomination, old.id), session.get(Nomination, draft.id)
    assert (moved.ruleset_version, moved.version, moved.state) == ("2025.7", old_version + 1, "at_council")
    assert (kept.ruleset_version, kept.version) == ("2024.1", draft_version)
    entry = session.exec(select(AuditEntry).where(AuditEntry.chain == f"nomination:{old.id}").order_by(AuditEntry.seq.desc())).first()  # type: ignore[attr-defined]
    assert (entry.action, entry.reason, entry.actor, entry.seq) == ("move_ruleset", REASON, "admin", moved.version)
    assert audit.payload_of(entry)["ruleset"] == {"from": "2024.1", "to": "2025.7"}
    assert "152/2025" in council.rule_of(moved).citation
    assert audit.verify_all(session) == []
    session.commit()

    again = move_rulesets(session, "2025.7", actor=ADMIN, reason=REASON, dry_run=False)
    assert again.moved == [] and again.kept == [draft.id]


def test_bulk_move_refusals_change_nothing(session: Session) -> None:
    old, _, _ = in_flight(session)
    with pytest.raises(Forbidden):
        move_rulesets(session, "2025.7", actor=BOARD, reason=REASON, dry_run=False)
    with pytest.raises(InvalidInput) as unknown:
        move_rulesets(session, "2031.1", actor=ADMIN, reason=REASON, dry_run=False)
    assert "2024.1, 2025.7" in unknown.value.message_en
    with pytest.raises(InvalidInput):
        move_rulesets(session, "2025.7", actor=ADMIN, reason="   ", dry_run=False)
    session.expire_all()
    assert session.get(Nomination, old.id).ruleset_version == "2024.1"


def test_bulk_move_from_the_cli_and_the_api(session: Session, engine: Engine, process_database) -> None:  # type: ignore[no-untyped-def]
    from service.api.app import create_app
    from service.cli import app
    from service.demo import DEMO_PASSWORD, load_demo_users

    old, draft, _ = in_flight(session)
    load_demo_users(session)
    session.commit()
    process_database(engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    result = runner.invoke(app, ["rulesets", "move", "--to", "2025.7", "--dry-run", "--reason", REASON, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"#{old.id:<5} CSTD_TP   at_council         2024.1 → 2025.7  move   eligible" in result.output
    assert f"#{draft.id:<5}" in result.output and "keep   NOT eligible" in result.output
    assert "dry run: 1 would move, 1 would keep their rule set; nothing changed" in result.output
    refused = runner.invoke(app, ["rulesets", "move", "--to", "2031.1", "--reason", REASON])
    assert refused.exit_code == 2 and "2031.1" in refused.output

    with TestClient(create_app(engine)) as client:
        def token(user: str) -> dict[str, str]:
            r = client.post("/auth/token", data={"username": user, "password": DEMO_PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        body = {"to_version": "2025.7", "reason": REASON}
        assert client.post("/admin/rulesets/move", json=body, headers=token("ban.tdkt")).status_code == 403
        preview = client.post("/admin/rulesets/move", json=body, headers=token("admin"))
        assert preview.status_code == 200, preview.text
        assert preview.json()["would_move"] == [old.id] and preview.json()["kept"] == [draft.id]
        applied = client.post("/admin/rulesets/move", json={**body, "dry_run": False}, headers=token("admin"))
        assert applied.status_code == 200 and applied.json()["moved"] == [old.id]
        shown = client.get(f"/nominations/{old.id}", headers=token("admin")).json()
        assert shown["timeline"][-1]["action"] == "move_ruleset" and shown["timeline"][-1]["reason"] == REASON
        bad = client.post("/admin/rulesets/move", json={**body, "to_version": "2031.1"}, headers=token("admin"))
        assert bad.status_code == 422 and set(bad.json()["error"]) >= {"code", "message_vi", "message_en"}
