"""Every (state, event) pair of the cluster-year and council-session machines, with their guards
both ways. The expected tables are written from the procedure (domain.md §1, §4; issue 3),
independently of the machines' definitions."""

from __future__ import annotations

import pytest

from workflow import cluster_year, council_session
from workflow.errors import TransitionRefused, UnknownState
from workflow.machines import MACHINES

# (state, event, facts) → target. Facts are the guards' inputs; a pair absent here must refuse.
CLUSTER_YEAR_TABLE: dict[tuple[str, str, tuple[tuple[str, int], ...]], str] = {
    ("planned", "sign_pledge", ()): "pledge_signed",
    ("pledge_signed", "review_mid_year", ()): "mid_year_reviewed",
    ("mid_year_reviewed", "open_scoring", ()): "scoring_open",
    ("scoring_open", "close_scoring", (("unscored", 0),)): "scoring_closed",
    ("scoring_closed", "open_ballot", ()): "ballot_open",
    ("ballot_open", "close_ballot", ()): "ballot_closed",
    ("ballot_closed", "open_revote", (("undecided", 1),)): "ballot_open",
    ("ballot_closed", "open_revote", (("undecided", 3),)): "ballot_open",
    ("ballot_closed", "file_proposals", ()): "proposals_filed",
}
CLUSTER_YEAR_FACTS = [(), (("unscored", 0),), (("unscored", 2),), (("undecided", 0),), (("undecided", 1),), (("undecided", 3),)]

COUNCIL_TABLE: dict[tuple[str, str, tuple[tuple[str, int], ...]], str] = {
    ("scheduled", "open_session", (("agenda_items", 1),)): "open",
    ("scheduled", "open_session", (("agenda_items", 4),)): "open",
    ("open", "close_session", ()): "closed",
    ("closed", "sign_minutes", ()): "minutes_signed",
}
COUNCIL_FACTS = [(), (("agenda_items", 0),), (("agenda_items", 1),), (("agenda_items", 4),)]


def _expected(table: dict, state: str, event: str, facts: tuple) -> str | None:
    if (state, event, facts) in table:
        return table[(state, event, facts)]
    # Facts a transition does not look at do not change its outcome.
    plain = table.get((state, event, ()))
    guarded = [k for k in table if k[:2] == (state, event) and k[2]]
    if plain is not None and not guarded:
        return plain
    return None


@pytest.mark.parametrize(
    "module, table, facts_list",
    [(cluster_year, CLUSTER_YEAR_TABLE, CLUSTER_YEAR_FACTS), (council_session, COUNCIL_TABLE, COUNCIL_FACTS)],
    ids=["cluster_year", "council_session"],
)
def test_every_state_event_and_guard_outcome(module, table, facts_list) -> None:  # type: ignore[no-untyped-def]
    checked = allowed = 0
    for state in module.STATES:
        for event in module.EVENTS:
            for facts in facts_list:
                expected = _expected(table, state, event, facts)
                if expected is None:
                    with pytest.raises(TransitionRefused) as caught:
                        module.advance(state, event, **dict(facts))
                    assert caught.value.state == state and caught.value.event == event
                    assert caught.value.message_vi and caught.value.message_en
                else:
                    assert module.advance(state, event, **dict(facts)) == expected, (state, event, facts)
                    allowed += 1
                checked += 1
    assert checked == len(module.STATES) * len(module.EVENTS) * len(facts_list)
    assert allowed >= len(table)


def test_tables_cover_every_state_and_event() -> None:
    for module, table in ((cluster_year, CLUSTER_YEAR_TABLE), (council_session, COUNCIL_TABLE)):
        states = {s for s, _, _ in table} | set(table.values())
        assert states == set(module.STATES)
        assert {e for _, e, _ in table} == set(module.EVENTS)


def test_the_machines_are_strict_with_one_initial_and_final_states() -> None:
    assert cluster_year.CLUSTER_YEAR.initial == "planned"
    assert cluster_year.CLUSTER_YEAR.final_states == {"proposals_filed"}
    assert council_session.COUNCIL_SESSION.initial == "scheduled"
    assert council_session.COUNCIL_SESSION.final_states == {"minutes_signed"}


def test_a_guard_refusal_says_the_step_is_not_ready_rather_than_unknown() -> None:
    with pytest.raises(TransitionRefused) as caught:
        cluster_year.advance("scoring_open", "close_scoring", unscored=2)
    assert "Chưa đủ điều kiện" in caught.value.message_vi and "«Chốt điểm»" in caught.value.message_vi
    with pytest.raises(TransitionRefused) as caught:
        council_session.advance("closed", "open_session", agenda_items=2)
    assert "Thao tác được phép: «Ký biên bản phiên họp»" in caught.value.message_vi
    assert "Allowed now: 'Sign the minutes'" in caught.value.message_en


def test_unknown_states_and_events_are_refused_with_a_typed_error() -> None:
    with pytest.raises(UnknownState):
        cluster_year.advance("voting", "close_ballot")
    with pytest.raises(TransitionRefused):
        council_session.advance("open", "adjourn")


def test_enabled_events_evaluate_the_guards() -> None:
    assert cluster_year.enabled_events("ballot_closed", undecided=0) == ["file_proposals"]
    assert cluster_year.enabled_events("ballot_closed", undecided=2) == ["open_revote", "file_proposals"]
    assert council_session.enabled_events("scheduled", agenda_items=0) == []


def test_both_machines_are_registered_as_mermaid_diagrams() -> None:
    for name, module in (("cluster_year", cluster_year), ("council_session", council_session)):
        text = MACHINES[name]()
        assert text.startswith("stateDiagram-v2")
        assert all(s in text for s in module.STATES)
        assert f"[*] --> {module.STATES[0]}" in text
