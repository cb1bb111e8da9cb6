"""The head schedules the demo's Cluster 7 honouring ballot from the command line (``tdkt cycle
schedule-ballot``), scoring is closed, and the deadline sweep opens round 1 at the scheduled time —
once: a second sweep changes nothing. The command's refusals (not the head, a close after the
campaign calendar's ``cluster_ballot`` date, an unreadable time) exit non-zero and schedule nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from config.yamlfiles import read_yaml
from service import cluster_cycle as cycle
from service.actors import Actor

from service.cycle_demo import CYCLE_FILE
from service.cycle_models import ClusterBallotRound, ClusterBallotSchedule, ClusterScore, ClusterYear
from service.models import AuditEntry
from service.sweeps import sweep_deadlines
from workflow.roles import Role

OPENS_UTC = datetime(2026, 12, 20, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


@pytest.fixture
def demo(engine: Engine, demo_day: None, process_database) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    from service.demo import load_demo

    with Session(engine, expire_on_commit=False) as s:
        load_demo(s)
    process_database(engine.url.render_as_string(hide_password=False))
    yield engine


def schedules(engine: Engine) -> list[ClusterBallotSchedule]:
    with Session(engine) as s:
        return list(s.exec(select(ClusterBallotSchedule)))


def close_scoring(engine: Engine) -> None:
    spec = read_yaml(CYCLE_FILE)["cluster_year"]["scores"][0]
    with Session(engine, expire_on_commit=False) as s:
        cy = cycle.find_cluster_year(s, "CUM_7", 2026)
        scored = set(s.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))  # type: ignore[union-attr]
        for unit in cycle.members_of(s, cy.cluster_id):  # type: ignore[union-attr]
            if unit not in scored:
                cycle.submit_self_score(s, cy.id, actor=Actor(f"member@{unit}", Role.CLUSTER_MEMBER, unit), criteria=spec["criteria"],  # type: ignore[union-attr, arg-type]
                                        bonus=spec["bonus"], penalty=spec["penalty"], gates=spec["gates"],
                                        evidence={c: "Báo cáo tổng kết năm 2026" for c in spec["criteria"]})
        cycle.close_scoring(s, cy.id, actor=Actor("head@SO_LDTBXH", Role.CLUSTER_HEAD, "SO_LDTBXH"))  # type: ignore[union-attr, arg-type]


def state_of(engine: Engine) -> tuple:
    with Session(engine) as s:
        cy = s.exec(select(ClusterYear)).first()
        return (cy.state, cy.version, s.exec(select(func.count()).select_from(ClusterBallotRound)).one(),  # type: ignore[union-attr]
                s.exec(select(func.count()).select_from(AuditEntry)).one(),
                [(x.state, x.ballot_id, x.done_at) for x in s.exec(select(ClusterBallotSchedule))])


def test_schedule_from_the_cli_then_the_sweep_opens_it_once(demo: Engine) -> None:
    from service.cli import app

    runner = CliRunner()
    base = ["cycle", "schedule-ballot", "CUM_7", "2026", "--opens", "2026-12-20T08:00", "--award", "CO_TD_CP=SO_GDDT,SO_KHCN"]
    refused = [
        (base + ["--as", "SO_VHTT"], "Cụm trưởng"),  # a member unit, not the head or deputy
        (base + ["--closes", "2027-01-11T08:00", "--as", "SO_LDTBXH"], "10/01/2027"),  # after the calendar's cluster_ballot date
    ]
    for args, said in refused:
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and said in result.output, result.output
    bad_time = runner.invoke(app, [*base[:4], "--opens", "20/12/2026", "--as", "SO_LDTBXH"])
    assert bad_time.exit_code == 2 and "2026-12-20T08:00" in bad_time.output
    assert schedules(demo) == []

    made = runner.invoke(app, [*base, "--closes", "2027-01-08T17:00", "--head", "SO_KHCN", "--as", "SO_LDTBXH"])
    assert made.exit_code == 0, made.output
    assert "pending" in made.output and "2026-12-20T08:00:00+07:00" in made.output
    [schedule] = schedules(demo)
    assert schedule.candidates == {"CO_TD_CP": ["SO_GDDT", "SO_KHCN"]} and schedule.election == {"head": ["SO_KHCN"]}

    close_scoring(demo)
    early = sweep_deadlines(demo, now=datetime(2026, 12, 20, 0, 59, tzinfo=UTC))  # a minute before: not yet
    assert early.ballots_opened == [] and schedules(demo)[0].state == "pending"

    report = sweep_deadlines(demo, now=OPENS_UTC)
    assert len(report.ballots_opened) == 1
    with Session(demo) as s:
        cy = s.exec(select(ClusterYear)).first()
        ballot = s.get(ClusterBallotRound, report.ballots_opened[0])
        assert cy.state == "ballot_open" and ballot.state == "open" and ballot.round == 1  # type: ignore[union-attr]
        assert set(ballot.questions["awards"]) == {"CO_TD_CP"} and ballot.questions["election"]["offices"] == {"head": ["SO_KHCN"]}  # type: ignore[union-attr]
        assert ballot.closes_at is not None
        opened = s.exec(select(AuditEntry).where(AuditEntry.chain == f"cluster_year:{cy.id}", AuditEntry.action == "open_ballot")).one()  # type: ignore[union-attr]
        assert opened.actor == "system:scheduled-open:SO_LDTBXH"
    assert schedules(demo)[0].state == "opened" and schedules(demo)[0].ballot_id == report.ballots_opened[0]

    before = state_of(demo)
    again = sweep_deadlines(demo, now=OPENS_UTC)
    assert again.ballots_opened == [] and state_of(demo) == before
