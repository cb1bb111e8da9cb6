"""The quota ledger on SQLite and PostgreSQL: an over-quota proposal is refused with the quota and
what uses it; a place comes back when a proposal ends without an award; racing proposals from
separate processes (threads with their own engines) never overrun it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service import audit, ballots, quotas
from service import nominations as actions
from service.actors import Actor
from service.cycle_models import QuotaLedger, QuotaUse
from service.db import make_engine, write_transaction
from service.demo import DemoNomination, drive
from service.errors import QuotaExceeded
from service.models import AuditEntry, Nomination, OutboxMessage
from tests.integration.cycle_helpers import HEAD, MEETING, vote_all, year_at_ballot
from workflow.roles import Role

CLUSTER_7 = ["SO_GDDT", "SO_YT", "SO_VHTT", "SO_LDTBXH", "SO_KHCN", "SO_TTTT"]
HEAD_7 = Actor("cum7.truong", Role.CLUSTER_HEAD, "SO_LDTBXH")  # Cluster 7's head in 2026 (demo rotation)


def candidacy(session: Session, unit: str, award: str = "CO_TD_TP") -> Nomination:
    """A unit's candidacy in its cluster's review (Cluster 7, 2026)."""
    return drive(session, DemoNomination(unit=unit, award=award, track="cluster", campaign="TK-2026",
                                         steps=["submit", "endorse", "open_cluster_review"]))


def snapshot(session: Session) -> tuple:
    session.expire_all()
    return (
        sorted(session.exec(select(Nomination.id, Nomination.state, Nomination.version)).all()),
        session.exec(select(func.count()).select_from(QuotaUse)).one(),
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
        session.exec(select(func.count()).select_from(OutboxMessage)).one(),
    )


def test_an_over_quota_proposal_is_refused_showing_the_quota_and_what_uses_it(session: Session) -> None:
    first = candidacy(session, "SO_YT")
    second = candidacy(session, "SO_VHTT")
    actions.record_cluster_result(session, first.id, actor=HEAD_7, honoured=True, tally={"ballots": 6, "in_favour": 5})
    before = snapshot(session)
    with pytest.raises(QuotaExceeded) as caught:
        actions.record_cluster_result(session, second.id, actor=HEAD_7, honoured=True, tally={"ballots": 6, "in_favour": 4})
    err = caught.value
    assert snapshot(session) == before  # nothing changed
    assert err.capacity == 1 and [u["nomination_id"] for u in err.uses] == [first.id]
    assert "«Cờ thi đua của UBND Thành phố» của Cụm thi đua số 7 năm 2026 có chỉ tiêu 1" in err.message_vi
    assert f"hồ sơ #{first.id} Sở Y tế thành phố Hà Nội (Cụm đã suy tôn)" in err.message_vi
    assert "Điều 27" in err.message_vi and "Sở Văn hóa" in err.message_vi
    assert "quota of 1" in err.message_en and err.http_status == 409

    # Not honouring is always possible; a place comes back when the proposal ends without an award.
    assert actions.withdraw(session, first.id, actor=Actor("cb.soyt", Role.SUBMITTER, "SO_YT"), reason="Đơn vị rút đề nghị.").state == "withdrawn"
    assert actions.record_cluster_result(session, second.id, actor=HEAD_7, honoured=True).state == "cluster_endorsed"
    ledger = session.exec(select(QuotaLedger)).one()
    assert (ledger.award_code, ledger.capacity, ledger.ruleset_version) == ("CO_TD_TP", 1, "2025.7")
    state = quotas.status(session, "CO_TD_TP", "2025.7", ledger.scope_id, lock=False)
    assert [u["nomination_id"] for u in state.uses] == [second.id] and state.remaining == 0  # type: ignore[union-attr]


def test_a_proposal_after_the_ballot_filled_the_quota_is_refused(session: Session) -> None:
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND"]}, today=MEETING)
    vote_all(session, ballot)
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    # A further City flag for Cluster 6 in 2023 goes beyond its quota of one.
    n = actions.create_nomination(session, actor=HEAD, award_code="CO_TD_TP", campaign_code="TK-2023", year=2023,
                                  nominee_unit_code="SO_NV", track="cluster", today=MEETING)
    actions.open_cluster_review(session, n.id, actor=HEAD)
    with pytest.raises(QuotaExceeded) as caught:
        actions.record_cluster_result(session, n.id, actor=HEAD, honoured=True)
    assert "Văn phòng Ủy ban nhân dân thành phố Hà Nội" in caught.value.message_vi and "chỉ tiêu 1" in caught.value.message_vi
    assert session.get(Nomination, n.id).state == "in_cluster_review"


def _engine_like(engine: Engine) -> Engine:
    return make_engine(engine.url.render_as_string(hide_password=False))


@pytest.mark.parametrize("ledger", ["new", "existing"])
def test_racing_proposals_cannot_overrun_the_quota(session: Session, engine: Engine, ledger: str) -> None:
    """Six heads' sessions honour six candidates for one City flag at the same instant, each from
    its own engine (as separate processes would): exactly one gets the place. With a ``new``
    ledger its creation races too; with an ``existing`` one only the row lock keeps them apart."""
    ids = [candidacy(session, unit).id for unit in CLUSTER_7]
    if ledger == "existing":
        with write_transaction(session):
            quotas.status(session, "CO_TD_TP", "2025.7", session.get(Nomination, ids[0]).cluster_id)  # type: ignore[arg-type]
    session.close()
    barrier = threading.Barrier(len(ids))

    def race(nomination_id: int) -> str:
        eng = _engine_like(engine)
        try:
            with Session(eng, expire_on_commit=False) as s:
                barrier.wait()
                try:
                    actions.record_cluster_result(s, nomination_id, actor=HEAD_7, honoured=True, tally={"ballots": 6, "in_favour": 6})
                    return "ok"
                except QuotaExceeded:
                    return "over"
        finally:
            eng.dispose()

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        outcomes = list(pool.map(race, ids))
    assert sorted(outcomes) == ["ok"] + ["over"] * (len(ids) - 1), outcomes
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(QuotaLedger)).one() == 1
        assert s.exec(select(func.count()).select_from(QuotaUse)).one() == 1
        states = s.exec(select(Nomination.state).where(Nomination.id.in_(ids))).all()  # type: ignore[attr-defined]
        assert sorted(states) == ["cluster_endorsed"] + ["in_cluster_review"] * (len(ids) - 1)
        assert audit.verify_all(s) == []
