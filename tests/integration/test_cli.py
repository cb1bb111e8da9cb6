"""The CLI fires actions through the same verbs as the API (so verb rules such as the quota and
the eligibility check apply), and reports refusals in the user's language with exit code 2."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli import app
from service.demo import DemoNomination, drive
from service.models import Nomination


@pytest.fixture
def cli(engine: Engine, process_database) -> CliRunner:  # type: ignore[no-untyped-def]
    process_database(engine.url.render_as_string(hide_password=False))
    return CliRunner()


def test_act_goes_through_the_verbs_and_explains_refusals(session: Session, cli: CliRunner) -> None:
    draft = drive(session, DemoNomination(person="P004", award="CSTD_TP", campaign="TK-2026"))
    unit = draft.proposing_unit_code
    session.commit()
    refused = cli.invoke(app, ["nominations", "act", str(draft.id), "submit", "--as", "submitter", "--unit", unit])
    assert refused.exit_code == 2
    assert "2025" in refused.output and "Chiến sĩ thi đua cơ sở" in refused.output  # the eligibility check ran
    ok = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    session.commit()
    done = cli.invoke(app, ["nominations", "act", str(ok.id), "receive", "--as", "board_officer", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "Received by the board" in done.output
    session.expire_all()
    assert session.get(Nomination, ok.id).state == "received"
    assert session.get(Nomination, draft.id).state == "draft"


def test_config_check_loads_every_file(cli: CliRunner) -> None:
    result = cli.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "rule sets: 2024.1, 2025.7" in result.output and "pledges:" in result.output
