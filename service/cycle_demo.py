"""The demo's cluster year and council session (``config/demo/cycle.yaml``), written through the
same actions as real use, so their audit trails are genuine. Called by ``tdkt demo load`` after
the demo nominations exist (the council's agenda takes the nominations that are at the council).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from config.yamlfiles import DATA_DIR, parse, read_yaml
from service import cluster_cycle as cycle
from service import council
from service.actors import Actor
from service.models import Cluster, Nomination
from workflow.roles import Role

CYCLE_FILE = DATA_DIR / "demo" / "cycle.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemoScore(_Strict):
    unit: str
    criteria: dict[str, float]
    bonus: dict[str, float] = Field(default_factory=dict)
    penalty: dict[str, float] = Field(default_factory=dict)
    gates: dict[str, bool]
    gate_notes: dict[str, str] = Field(default_factory=dict)


class DemoReview(_Strict):
    by: str
    unit: str
    adjustments: dict[str, float]
    reason: str


class DemoMidYear(_Strict):
    held_on: date
    summary: str


class DemoClusterYear(_Strict):
    cluster: str
    year: int
    campaign: str
    pledge_signed_on: date
    mid_year: DemoMidYear
    scores: list[DemoScore] = Field(default_factory=list)
    reviews: list[DemoReview] = Field(default_factory=list)


class DemoCouncilSession(_Strict):
    year: int
    title_vi: str
    scheduled_on: date


class DemoCycle(_Strict):
    cluster_year: DemoClusterYear
    council_session: DemoCouncilSession


def load_cycle_demo(session: Session) -> str:
    """Drive the demo cluster year to *scoring open* and schedule the demo council session."""
    spec = parse(DemoCycle, read_yaml(CYCLE_FILE), file=CYCLE_FILE, entry="(file)")
    cy_spec = spec.cluster_year
    cluster = session.exec(select(Cluster).where(Cluster.code == cy_spec.cluster, Cluster.year == cy_spec.year)).one()
    head = Actor(f"demo.cluster_head.{cluster.head_unit}", Role.CLUSTER_HEAD, cluster.head_unit)
    cy = cycle.start_cluster_year(session, actor=head, cluster_code=cy_spec.cluster, year=cy_spec.year, campaign_code=cy_spec.campaign)
    cycle.sign_pledge(session, cy.id, actor=head, signed_on=cy_spec.pledge_signed_on)  # type: ignore[arg-type]
    cycle.review_mid_year(session, cy.id, actor=head, held_on=cy_spec.mid_year.held_on, summary=cy_spec.mid_year.summary)  # type: ignore[arg-type]
    cycle.open_scoring(session, cy.id, actor=head)  # type: ignore[arg-type]
    pledge = cycle.pledge_of(cy)
    for score in cy_spec.scores:
        evidence = {c.code: f"{c.evidence_vi} (báo cáo tổng kết năm {cy_spec.year})" for c in pledge.criteria if c.code in score.criteria}
        cycle.submit_self_score(
            session, cy.id, actor=_member(score.unit), criteria=score.criteria, evidence=evidence,  # type: ignore[arg-type]
            bonus=score.bonus, penalty=score.penalty, gates=score.gates, gate_notes=score.gate_notes,
        )
    for review in cy_spec.reviews:
        cycle.review_score(session, cy.id, actor=_member(review.by), unit_code=review.unit, adjustments=review.adjustments,  # type: ignore[arg-type]
                           reason=review.reason)
    cs_spec = spec.council_session
    council.load_council_members(session, cs_spec.year)
    board = Actor("demo.board_officer", Role.BOARD_OFFICER)
    cs = council.schedule_session(session, actor=board, year=cs_spec.year, title_vi=cs_spec.title_vi, scheduled_on=cs_spec.scheduled_on)
    waiting = session.exec(select(Nomination.id).where(Nomination.state == "at_council").order_by(Nomination.id)).all()
    for nomination_id in waiting:
        council.add_to_agenda(session, cs.id, nomination_id, actor=board)  # type: ignore[arg-type]
    summary: dict[str, Any] = {"cluster_year": f"{cy_spec.cluster} {cy_spec.year} ({cy.state}, {len(cy_spec.scores)} scores)",
                               "council_session": f"#{cs.id} ({len(waiting)} on the agenda)"}
    return f"cluster year {summary['cluster_year']}, council session {summary['council_session']}"


def _member(unit: str) -> Actor:
    return Actor(f"demo.cluster_member.{unit}", Role.CLUSTER_MEMBER, unit)
