"""Dossier and decision assembly ("lập hồ sơ, quyết định"): DOCX + PDF, hashes in the audit trail."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from sqlmodel import Session, select

from config.settings import get_settings
from service.actors import SYSTEM
from service.db import default_engine
from service.dossier import assemble_decision, assemble_dossier
from service.models import Decision, Nomination

# From receipt by the Board until the decision is signed, the dossier follows the nomination.
AT_THE_BOARD = ("received", "in_appraisal", "in_consultation", "in_public_notice", "at_council",
                "council_passed", "awaiting_signature", "forwarded_central")


@flow(name="dossier-assembly", retries=1, retry_delay_seconds=60)
def dossier_assembly() -> list[dict[str, object]]:
    """Render what changed; nominations whose inputs are unchanged are left as they are."""
    rows: list[dict[str, object]] = []
    base = get_settings().base_url.rstrip("/")
    with Session(default_engine(), expire_on_commit=False) as session:
        ids = session.exec(select(Nomination.id).where(Nomination.state.in_(AT_THE_BOARD)).order_by(Nomination.id)).all()  # type: ignore[attr-defined]
        for nomination_id in ids:
            for doc in assemble_dossier(session, nomination_id, actor=SYSTEM):
                rows.append({"nomination": nomination_id, "file": doc.filename, "sha256": doc.sha256[:16],
                             "link": f"{base}/nominations/{nomination_id}"})
        for decision_id in session.exec(select(Decision.id).where(Decision.kind == "award").order_by(Decision.id)).all():
            for doc in assemble_decision(session, decision_id, actor=SYSTEM):
                rows.append({"decision": decision_id, "file": doc.filename, "sha256": doc.sha256[:16]})
    create_table_artifact(key="dossier-assembly", table=rows or [{"file": "—"}],
                          description="Hồ sơ, quyết định đã lập (DOCX, PDF) / documents assembled")
    get_run_logger().info("%d documents current", len(rows))
    return rows
