"""The outcome mail of a revocation names the revoking decision; the award's own decision stays
on the nomination (it is no longer overwritten by the revocation)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from service.demo import DemoNomination, drive, load_demo_users
from service.mailer import compose
from service.models import Decision, OutboxMessage

SIGNED = {"signed_on": date(2026, 11, 20), "signer": "Chủ tịch UBND Thành phố"}
STEPS = ["submit", "endorse", "receive", "start_appraisal", "submit_for_signature",
         {"decide": {"decision_number": "6101/QĐ-UBND", **SIGNED}},
         {"revoke": {"reason": "Kê khai sai thành tích.", "decision_number": "6102/QĐ-UBND", **SIGNED}}]


def test_revocation_outcome_mail_names_the_revoking_decision(session: Session) -> None:
    load_demo_users(session)
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=STEPS))  # type: ignore[arg-type]
    session.commit()
    assert session.get(Decision, n.decision_id).number == "6101/QĐ-UBND"  # type: ignore[union-attr]
    assert session.get(Decision, n.revocation_decision_id).number == "6102/QĐ-UBND"  # type: ignore[union-attr]
    outcomes = {m.step.split("@")[0]: m for m in session.exec(
        select(OutboxMessage).where(OutboxMessage.nomination_id == n.id, OutboxMessage.kind == "outcome"))}
    revoked = compose(session, outcomes["revoked"])
    assert "6102/QĐ-UBND" in revoked.text and "6101/QĐ-UBND" not in revoked.text
    awarded = compose(session, outcomes["awarded"])
    assert "6101/QĐ-UBND" in awarded.text
