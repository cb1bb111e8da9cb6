"""``tdkt diagram``: the nomination machine as a mermaid state diagram."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from workflow.machines import MACHINES
from workflow.nomination import FINAL_STATES, STATES


def _diagram() -> str:
    return MACHINES["nomination"]()


def test_nomination_machine_is_registered():
    assert "nomination" in MACHINES
    assert callable(MACHINES["nomination"])


def test_diagram_is_a_mermaid_state_diagram():
    text = _diagram()
    assert text.startswith("stateDiagram-v2")
    assert "-->" in text


def test_diagram_mentions_every_state():
    text = _diagram()
    assert {"draft", "awarded", "revoked"} <= set(STATES)
    missing = [s for s in STATES if not re.search(rf"\b{re.escape(s)}\b", text)]
    assert missing == []


def test_diagram_marks_the_initial_state_and_a_final_state():
    text = _diagram()
    assert re.search(r"\[\*\]\s*-->\s*draft\b", text)
    assert FINAL_STATES and any(re.search(rf"\b{s}\s*-->\s*\[\*\]", text) for s in FINAL_STATES)


def test_cli_diagram_prints_the_same():
    from service.cli import app

    result = CliRunner().invoke(app, ["diagram"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("stateDiagram-v2")
    assert result.stdout.rstrip("\n") == _diagram().rstrip("\n")


def test_cli_diagram_named_machine_prints_the_same():
    from service.cli import app

    result = CliRunner().invoke(app, ["diagram", "nomination"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == _diagram().rstrip("\n")


def test_cli_diagram_unknown_machine_fails():
    from service.cli import app

    result = CliRunner().invoke(app, ["diagram", "award_ceremony"])
    assert result.exit_code != 0
    assert "award_ceremony" in result.output


def test_cli_diagram_draws_the_cluster_year_and_council_session_machines():
    from service.cli import app

    for name in ("cluster_year", "council_session"):
        result = CliRunner().invoke(app, ["diagram", name])
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip("\n") == MACHINES[name]().rstrip("\n")
