"""A ballot round opened with a scheduled end is closed and counted by the deadline sweep at
that time (under the head's authority, named in the audit trail), once, and not before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

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


# --- opening on schedule (issue 6: "opens and closes ballots … on schedule") --------------------


def _calendar(session: Session, final: str = "2030-01-10") -> None:
    """TK-2023 kept open (rounds open "now"), with a final date for cluster ballots in its calendar."""
    session.execute(Campaign.__table__.update().where(Campaign.code == "TK-2023")
                    .values(filing_deadline=date(2030, 1, 31), calendar={"cluster_ballot": final}))
    session.commit()


def test_the_sweep_opens_a_scheduled_ballot_once_when_its_time_comes(session: Session, engine: Engine) -> None:
    from service.ballot_schedule import schedule_ballot
    from service.cycle_models import ClusterBallotSchedule

    cy = year_at_ballot(session)
    _calendar(session)
    opens_at, closes_at = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=3)
    schedule = schedule_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, opens_at=opens_at, closes_at=closes_at)
    session.commit()

    early = sweep_deadlines(engine, now=opens_at - timedelta(minutes=1))
    assert early.ballots_opened == []
    session.expire_all()
    assert session.get(ClusterYear, cy.id).state == "scoring_closed"
    session.commit()

    report = sweep_deadlines(engine, now=opens_at + timedelta(minutes=1))
    assert len(report.ballots_opened) == 1 and report.skipped == []
    session.expire_all()
    ballot = session.get(ClusterBallotRound, report.ballots_opened[0])
    assert ballot.state == "open" and ballot.closes_at == closes_at and ballot.cluster_year_id == cy.id
    assert [c["unit"] for c in ballot.questions["awards"]["CO_TD_TP"]["candidates"]] == ["VP_UBND"]
    done = session.get(ClusterBallotSchedule, schedule.id)
    assert (done.state, done.ballot_id) == ("opened", ballot.id)
    opener = session.exec(select(AuditEntry.actor).where(AuditEntry.chain == f"cluster_year:{cy.id}", AuditEntry.action == "open_ballot")).one()
    assert opener == "system:scheduled-open:VP_UBND"
    assert session.get(ClusterYear, cy.id).state == "ballot_open"
    session.commit()
    # Running it again (or a sweep that missed the hour catching up) opens nothing more.
    assert sweep_deadlines(engine, now=opens_at + timedelta(minutes=30)).ballots_opened == []

    vote_all(session, ballot)
    session.commit()
    closed = sweep_deadlines(engine, now=closes_at + timedelta(minutes=1))
    assert closed.ballots_closed == [ballot.id]
    session.expire_all()
    assert session.get(ClusterYear, cy.id).state == "ballot_closed"
    assert audit.verify_all(session) == []


def test_a_schedule_follows_the_campaign_calendar_and_a_failed_opening_is_recorded_once(session: Session, engine: Engine) -> None:
    from service.ballot_schedule import schedule_ballot
    from service.cycle_models import ClusterBallotSchedule
    from service.errors import Conflict, Forbidden, InvalidInput
    from service.transitions import end_of_day_utc
    from tests.integration.cycle_helpers import member, year_in_scoring

    cy = year_in_scoring(session)  # scoring still open: the ballot cannot open yet
    final = (utcnow() + timedelta(days=20)).date()
    _calendar(session, final.isoformat())
    opens_at = utcnow() + timedelta(hours=1)
    with pytest.raises(Forbidden):
        schedule_ballot(session, cy.id, actor=member("SO_NV"), candidates={"CO_TD_TP": ["VP_UBND"]}, opens_at=opens_at)
    with pytest.raises(InvalidInput) as late:
        schedule_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, opens_at=opens_at,
                        closes_at=end_of_day_utc(final) + timedelta(days=1))
    assert final.strftime("%d/%m/%Y") in late.value.message_vi
    schedule = schedule_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, opens_at=opens_at)
    assert schedule.closes_at == end_of_day_utc(final)  # the calendar's date is the default close
    with pytest.raises(Conflict):
        schedule_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, opens_at=opens_at)
    entry = session.exec(select(AuditEntry).where(AuditEntry.chain == f"cluster_year:{cy.id}", AuditEntry.action == "schedule_ballot")).one()
    assert entry.actor == HEAD.name
    session.commit()

    report = sweep_deadlines(engine, now=opens_at + timedelta(minutes=1))
    assert report.ballots_opened == [] and len(report.skipped) == 1 and f"schedule #{schedule.id}" in report.skipped[0][1]
    session.expire_all()
    failed = session.get(ClusterBallotSchedule, schedule.id)
    assert failed.state == "failed" and failed.error and session.get(ClusterYear, cy.id).state == "scoring_open"
    assert session.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id)).all() == []
    session.commit()
    assert sweep_deadlines(engine, now=opens_at + timedelta(hours=1)).skipped == []  # not retried every hour
    assert audit.verify_all(session) == []
