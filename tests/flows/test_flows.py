"""The flows on a real Prefect: each acts on exactly what is due, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from flows.campaign_summary import campaign_summary
from flows.deadline_sweep import deadline_sweep
from flows.dossier_assembly import dossier_assembly
from service import audit
from service.demo import DemoNomination, drive
from service.models import AuditEntry, Document, Nomination, OutboxMessage, utcnow


def totals(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (s.exec(select(func.count()).select_from(AuditEntry)).one(),
                s.exec(select(func.count()).select_from(OutboxMessage)).one(),
                s.exec(select(func.count()).select_from(Document)).one())


def test_deadline_sweep_flow_expires_and_is_idempotent(session: Session, flows_db: Engine) -> None:
    draft = drive(session, DemoNomination(person="P001", award="BK_TP", campaign="DX-2026"))
    received = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    session.commit()
    later = utcnow() + timedelta(days=400)
    first = deadline_sweep(now=later)
    assert first["expired"] == [draft.id] and first["escalated"] == [received.id]
    snapshot = totals(flows_db)
    second = deadline_sweep(now=later)
    assert second == {"expired": [], "notices_closed": [], "escalated": [], "ballots_opened": [], "ballots_closed": []}
    assert totals(flows_db) == snapshot
    with Session(flows_db) as s:
        assert s.get(Nomination, draft.id).state == "expired"
        assert audit.verify_all(s) == []


def test_dossier_assembly_flow_renders_once(session: Session, flows_db: Engine) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    session.commit()
    rows = dossier_assembly()
    assert rows and all(r["nomination"] == n.id for r in rows)
    assert rows[0]["link"].endswith(f"/nominations/{n.id}")
    snapshot = totals(flows_db)
    assert len(dossier_assembly()) == len(rows)  # the same documents, still current
    assert totals(flows_db) == snapshot  # nothing new stored, no new audit entry


def test_campaign_summary_flow_counts_by_award_and_state(session: Session, flows_db: Engine) -> None:
    drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit"]))
    session.commit()
    result = campaign_summary()
    assert set(result) == {"TK-2026", "DX-2026"}
    from flows.campaign_summary import summarise

    with Session(flows_db) as s:
        tk = summarise(s)["TK-2026"]
    assert {"award": "BK_TP", "state": "Chờ thủ trưởng đơn vị ký trình", "count": 1} in tk
    # The statistics table artifact, next to the summary (processing time, shares, returns).
    from prefect.artifacts import Artifact

    from flows.campaign_summary import statistics_tables

    artifact = Artifact.get("campaign-tk-2026-statistics")
    assert artifact is not None and artifact.type == "table"
    with Session(flows_db) as s:
        measures = [row["measure"] for row in statistics_tables(s)["TK-2026"]]
    assert "front_line_individuals" in measures and "small_collectives" in measures and measures[-1] == "trả lại / returns"
