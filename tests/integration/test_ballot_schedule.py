"""A ballot round opened with a scheduled end is closed and counted by the deadline sweep at
that time (under the head's authority, named in the audit trail), once, and not before."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service import audit, ballots
from service.cycle_models import ClusterBallotRound, ClusterYear
from service.models import AuditEntry, Campaign, Nomination, utcnow
from service.sweeps import sweep_deadlines
from tests.integration.cycle_helpers import HEAD, MEETING, vote_all, year_at_ballot


def test_the_sweep_closes_a_ballot_at_its_scheduled_end(session: Session, engine: Engine) -> None:
    cy = year_at_ballot(session)
    # The round closes "now" (when the sweep runs), so the 2023 cycle's campaign must still be open.
    session.execute(Campaign.__table__.update().where(Campaign.code == "TK-2023").values(filing_deadline=date(2030, 1, 1)))
    session.commit()
    closes_at = utcnow() + timedelta(hours=2)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, today=MEETING,
                                 closes_at=closes_at)
    vote_all(session, ballot)
    session.commit()

    early = sweep_deadlines(engine, now=closes_at - timedelta(minutes=1))
    assert early.ballots_closed == []
    session.expire_all()
    assert session.get(ClusterBallotRound, ballot.id).state == "open"
    session.commit()  # hand back SQLite's single pooled connection before the sweep uses it

    report = sweep_deadlines(engine, now=closes_at + timedelta(minutes=1))
    assert report.ballots_closed == [ballot.id]
    session.expire_all()
    closed = session.get(ClusterBallotRound, ballot.id)
    assert closed.state == "closed" and closed.minutes["awards"]["CO_TD_TP"]["honoured"] == ["VP_UBND"]
    honoured = session.exec(select(Nomination).where(Nomination.award_code == "CO_TD_TP", Nomination.nominee_unit_code == "VP_UBND")).one()
    assert honoured.state == "cluster_endorsed"
    closer = session.exec(select(AuditEntry.actor).where(AuditEntry.chain == f"cluster_year:{cy.id}", AuditEntry.action == "close_ballot")).one()
    assert closer == "system:scheduled-close:VP_UBND"
    assert session.get(ClusterYear, cy.id).state == "ballot_closed"
    session.commit()
    assert sweep_deadlines(engine, now=closes_at + timedelta(minutes=2)).ballots_closed == []
    assert audit.verify_all(session) == []
