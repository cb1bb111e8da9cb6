"""``tdkt demo load`` also holds Cluster 7's 2026 year in progress and a scheduled council session
with the demo's nominations at the council; ``tdkt cycle …`` shows them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from service import audit, council
from service import cluster_cycle as cycle
from service.cycle_models import ClusterScore, CouncilMember, CouncilSession
from service.models import Nomination


@pytest.fixture
def demo(engine: Engine) -> Iterator[Session]:
    from service.demo import load_demo

    with Session(engine, expire_on_commit=False) as s:
        summary = load_demo(s)
        assert "cluster year CUM_7 2026 (scoring_open, 4 scores)" in summary and "council session #1 (1 on the agenda)" in summary
        yield s


def test_the_demo_has_a_cluster_year_in_scoring_and_a_scheduled_council_session(demo: Session) -> None:
    cy = cycle.find_cluster_year(demo, "CUM_7", 2026)
    assert cy is not None and cy.state == "scoring_open" and cy.pledge["file"] == "pledge-2026.yaml"
    scored = set(demo.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))
    assert scored == {"SO_GDDT", "SO_YT", "SO_KHCN", "SO_TTTT"}
    ranking = cycle.current_ranking(demo, cy)
    assert ranking[0]["unit"] == "SO_GDDT" and next(r for r in ranking if r["unit"] == "SO_TTTT")["failed_gates"] == ["no_discipline"]
    assert len(demo.exec(select(CouncilMember).where(CouncilMember.year == 2026)).all()) == 15
    cs = demo.exec(select(CouncilSession)).one()
    assert cs.state == "scheduled"
    waiting = demo.exec(select(Nomination.id).where(Nomination.state == "at_council")).all()
    assert waiting and [i.nomination_id for i in council.agenda(demo, cs.id)] == sorted(waiting)
    assert audit.verify_all(demo) == []


def test_cycle_commands_show_the_demo(demo: Session, engine: Engine, process_database) -> None:  # type: ignore[no-untyped-def]
    from service.cli import app

    process_database(engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    year = runner.invoke(app, ["cycle", "year", "CUM_7", "2026"])
    assert year.exit_code == 0, year.output
    assert "Đang chấm điểm" in year.output and "SO_VHTT…" in year.output and "✗ no_discipline" in year.output
    session_view = runner.invoke(app, ["cycle", "council", "1", "--lang", "en"])
    assert session_view.exit_code == 0 and "Scheduled" in session_view.output and "members 15" in session_view.output
    pledge = runner.invoke(app, ["cycle", "pledge", "CUM_7", "2026"])
    assert pledge.exit_code == 0 and "pledge-2026.yaml" in pledge.output and "Tối thiểu 95%" in pledge.output
    quota = runner.invoke(app, ["cycle", "quota", "CO_TD_TP", "CUM_7", "2026"])
    assert quota.exit_code == 0 and "1/1" in quota.output and "Sở Y tế" in quota.output
    diagram = runner.invoke(app, ["diagram", "cluster_year"])
    assert diagram.exit_code == 0 and "ballot_closed --> ballot_open" in diagram.output
