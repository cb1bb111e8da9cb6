"""Shared steps for the cluster-cycle tests: Cluster 6's 2023 year (seed 000) up to a point."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, func, select

from service import ballots
from service import cluster_cycle as cycle
from service.actors import Actor
from service.cycle_models import ClusterBallotRound, ClusterYear
from service.db import write_transaction
from service.models import AuditEntry, Campaign
from workflow.roles import Role

CLUSTER_6 = ["VP_UBND", "TT_XTDT", "THANH_TRA", "SO_NV", "SO_TP", "SO_NGV", "BAN_DT"]
HEAD = Actor("cum6.vp_ubnd", Role.CLUSTER_HEAD, "VP_UBND")  # Cluster 6's head in 2023 (seed 000)
DEPUTY = Actor("cum6.tt_xtdt", Role.CLUSTER_HEAD, "TT_XTDT")
MEETING = date(2024, 2, 22)  # the year-end meeting of seed 000: rule set 2024.1 is in force
OK_GATES = {"no_discipline": True, "tasks_excellent": True}

# Points off criterion I.1 (max 35), bonus and penalty, so the ranking reads: Home Affairs,
# the Committee Office, Ethnic Affairs, Foreign Affairs, Justice, Inspectorate, Promotion Centre.
SCORES_2023: dict[str, tuple[float, dict[str, float], dict[str, float]]] = {
    "SO_NV": (0, {"B1": 3}, {}),
    "VP_UBND": (0.5, {"B2": 2}, {}),
    "BAN_DT": (1.5, {}, {}),
    "SO_NGV": (2, {}, {}),
    "SO_TP": (2.5, {}, {}),
    "THANH_TRA": (3, {}, {}),
    "TT_XTDT": (4, {}, {"P1": 1}),
}


def member(unit: str) -> Actor:
    return Actor(f"{unit.lower()}.dai_dien", Role.CLUSTER_MEMBER, unit)


def add_campaign(session: Session, code: str = "TK-2023", year: int = 2023, deadline: date = date(2024, 3, 31)) -> None:
    with write_transaction(session):
        session.add(Campaign(code=code, name_vi=f"Tổng kết công tác thi đua, khen thưởng năm {year}", kind="annual", year=year,
                             opens_on=date(year, 10, 1), filing_deadline=deadline))


def criteria_points(cy: ClusterYear, off: float) -> tuple[dict[str, float], dict[str, str]]:
    pledge = cycle.pledge_of(cy)
    points = {c.code: float(c.max_points) for c in pledge.criteria}
    points["I.1"] -= off
    evidence = {c.code: f"Báo cáo tổng kết năm 2023 – {c.evidence_vi}" for c in pledge.criteria}
    return points, evidence


def year_in_scoring(session: Session) -> ClusterYear:
    add_campaign(session)
    cy = cycle.start_cluster_year(session, actor=HEAD, cluster_code="CUM_6", year=2023, campaign_code="TK-2023")
    cycle.sign_pledge(session, cy.id, actor=HEAD, signed_on=date(2023, 3, 15))
    cycle.review_mid_year(session, cy.id, actor=DEPUTY, held_on=date(2023, 8, 18),
                          summary="Sơ kết 6 tháng: các đơn vị bám sát chương trình công tác năm của Thành phố.")
    return cycle.open_scoring(session, cy.id, actor=HEAD)


def score_all(session: Session, cy: ClusterYear, gates: dict[str, dict[str, bool]] | None = None, same: Iterable[str] = ()) -> None:
    """Every member self-scores per :data:`SCORES_2023`; units in ``same`` get identical sheets."""
    same = list(same)
    for unit, (off, bonus, penalty) in SCORES_2023.items():
        if unit in same:
            off, bonus, penalty = SCORES_2023[same[0]]
        points, evidence = criteria_points(cy, off)
        cycle.submit_self_score(session, cy.id, actor=member(unit), criteria=points, evidence=evidence, bonus=bonus,
                                penalty=penalty, gates=(gates or {}).get(unit, OK_GATES))


def year_at_ballot(session: Session, **kwargs) -> ClusterYear:  # type: ignore[no-untyped-def]
    cy = year_in_scoring(session)
    score_all(session, cy, **kwargs)
    return cycle.close_scoring(session, cy.id, actor=HEAD)


def paper(ballot: ClusterBallotRound, voter: str, *, no: Iterable[str] = (), abstain: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """Yes for every candidate except those listed, the voter's own line left blank."""
    choices: dict[str, dict[str, str]] = {}
    for code, q in ballot.questions["awards"].items():
        marks = {}
        for c in q["candidates"]:
            unit = c["unit"]
            if unit == voter:
                continue
            marks[unit] = "no" if unit in no else "abstain" if unit in abstain else "yes"
        choices[code] = marks
    return choices


def vote_all(session: Session, ballot: ClusterBallotRound, units: Iterable[str] = CLUSTER_6, **election: str) -> None:
    for unit in units:
        ballots.cast_ballot(session, ballot.id, actor=member(unit), choices=paper(ballot, unit), **election)


def chain_length(session: Session, chain: str) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == chain)).one()
