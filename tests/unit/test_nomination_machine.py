"""Every (state, event) pair of the nomination machine, for routes of both tracks.

The expected table below is written from the procedure (domain.md §1, §3), independently of the
machine's definition: allowed pairs must reach the listed state, every other pair must raise
TransitionRefused.
"""

from __future__ import annotations

import pytest

from workflow.errors import ReasonRequired, TransitionRefused, UnknownState
from workflow.nomination import EVENTS, OUTCOME_EVENTS, STATES, advance, enabled_events, replay
from workflow.route import Route

ROUTES = {
    "unit-basic": ["appraisal", "signature"],
    "unit-council": ["appraisal", "council", "signature"],
    "unit-consult": ["appraisal", "consultation", "signature"],
    "unit-notice": ["appraisal", "public_notice", "signature"],
    "unit-central-direct": ["appraisal", "signature", "central"],
    "unit-central-full": ["appraisal", "consultation", "public_notice", "council", "signature", "central"],
    "cluster-basic": ["cluster_ballot", "appraisal", "signature"],
    "cluster-full": ["cluster_ballot", "appraisal", "consultation", "public_notice", "council", "signature", "central"],
}

STEP_STATE = {
    "consultation": "in_consultation",
    "public_notice": "in_public_notice",
    "council": "at_council",
    "signature": "awaiting_signature",
}
STEP_EVENT = {
    "consultation": "request_consultation",
    "public_notice": "publish_notice",
    "council": "send_to_council",
    "signature": "submit_for_signature",
}
WITHDRAWABLE = [
    "draft", "awaiting_unit_head", "submitted", "in_cluster_review", "cluster_endorsed", "received", "returned",
    "in_appraisal", "in_consultation", "in_public_notice", "at_council", "council_passed", "awaiting_signature",
]


def after(steps: list[str], step: str) -> str:
    return steps[steps.index(step) + 1]


def expected_table(steps: list[str]) -> dict[tuple[str, str, bool | None], str]:
    t: dict[tuple[str, str, bool | None], str] = {}

    def allow(state: str, event: str, target: str, passed: bool | None = None) -> None:
        t[(state, event, passed)] = target

    allow("draft", "submit", "awaiting_unit_head")
    allow("awaiting_unit_head", "send_back", "draft")
    allow("awaiting_unit_head", "endorse", "submitted")
    for state in ("draft", "awaiting_unit_head", "returned"):
        allow(state, "expire", "expired")
    for state in WITHDRAWABLE:
        allow(state, "withdraw", "withdrawn")
    if "cluster_ballot" in steps:
        allow("submitted", "open_cluster_review", "in_cluster_review")
        allow("draft", "open_cluster_review", "in_cluster_review")
    else:
        allow("submitted", "receive", "received")
    allow("in_cluster_review", "record_cluster_result", "cluster_endorsed", True)
    allow("in_cluster_review", "record_cluster_result", "not_awarded", False)
    allow("cluster_endorsed", "receive", "received")
    allow("received", "start_appraisal", "in_appraisal")
    for state in ("received", "in_appraisal"):
        allow(state, "return_for_completion", "returned")
        allow(state, "reject", "not_awarded")
    allow("returned", "resubmit", "received")
    first = after(steps, "appraisal")
    allow("in_appraisal", STEP_EVENT[first], STEP_STATE[first])
    allow("in_consultation", "record_consultation", "not_awarded", False)
    allow("in_public_notice", "close_notice", "not_awarded", False)
    if "consultation" in steps:
        allow("in_consultation", "record_consultation", STEP_STATE[after(steps, "consultation")], True)
    if "public_notice" in steps:
        allow("in_public_notice", "close_notice", STEP_STATE[after(steps, "public_notice")], True)
    allow("at_council", "record_council_result", "council_passed", True)
    allow("at_council", "record_council_result", "not_awarded", False)
    for state in ("council_passed", "awaiting_signature"):
        allow(state, "decline", "not_awarded")
        if "central" in steps:
            allow(state, "forward", "forwarded_central")
        else:
            allow(state, "decide", "awarded")
    allow("forwarded_central", "record_central_result", "centrally_decided", True)
    allow("forwarded_central", "record_central_result", "centrally_rejected", False)
    allow("awarded", "revoke", "revoked")
    allow("centrally_decided", "revoke", "revoked")
    return t


def all_pairs():
    for name, steps in ROUTES.items():
        for state in STATES:
            for event in EVENTS:
                for passed in (True, False) if event in OUTCOME_EVENTS else (None,):
                    yield name, steps, state, event, passed


@pytest.mark.parametrize("route_name", sorted(ROUTES))
def test_every_state_and_event_pair(route_name: str) -> None:
    steps = ROUTES[route_name]
    route = Route.from_steps(steps)
    table = expected_table(steps)
    checked = 0
    for state in STATES:
        for event in EVENTS:
            for passed in (True, False) if event in OUTCOME_EVENTS else (None,):
                expected = table.get((state, event, passed))
                if expected is None:
                    with pytest.raises(TransitionRefused):
                        advance(state, route, event, reason="lý do", passed=passed)
                else:
                    assert advance(state, route, event, reason="lý do", passed=passed) == expected, (state, event, passed)
                checked += 1
    assert checked == sum(1 for r, *_ in all_pairs() if r == route_name)
    assert checked > len(STATES) * len(EVENTS)  # outcome events counted twice


def test_table_covers_every_state_and_event() -> None:
    seen_states = set()
    seen_events = set()
    for steps in ROUTES.values():
        for (state, event, _), target in expected_table(steps).items():
            seen_states |= {state, target}
            seen_events.add(event)
    assert seen_states == set(STATES)
    assert seen_events == set(EVENTS)


REASON_EVENTS = [
    ("awaiting_unit_head", "send_back", None),
    ("received", "return_for_completion", None),
    ("in_appraisal", "reject", None),
    ("awaiting_signature", "decline", None),
    ("draft", "withdraw", None),
    ("awarded", "revoke", None),
    ("at_council", "record_council_result", False),
]


@pytest.mark.parametrize("state,event,passed", REASON_EVENTS)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_steps_that_need_a_reason_refuse_without_one(state: str, event: str, passed: bool | None, reason: str | None) -> None:
    route = Route.from_steps(ROUTES["unit-council"])
    with pytest.raises(ReasonRequired) as err:
        advance(state, route, event, reason=reason, passed=passed)
    assert "lý do" in err.value.message_vi and "reason" in err.value.message_en


def test_outcome_events_need_an_outcome() -> None:
    route = Route.from_steps(ROUTES["unit-council"])
    with pytest.raises(TransitionRefused) as err:
        advance("at_council", route, "record_council_result")
    assert "kết quả" in err.value.message_vi


def test_refusal_explains_what_is_allowed_in_vietnamese_and_english() -> None:
    route = Route.from_steps(ROUTES["unit-basic"])
    with pytest.raises(TransitionRefused) as err:
        advance("in_appraisal", route, "send_to_council")
    assert "Đang thẩm định" in err.value.message_vi
    assert "Trình Chủ tịch ký" in err.value.message_vi  # the step this route allows instead
    assert "Submit for signature" in err.value.message_en


def test_unknown_stored_state_is_a_typed_error() -> None:
    with pytest.raises(UnknownState):
        advance("approved_by_magic", Route.from_steps(ROUTES["unit-basic"]), "decide")


def test_unknown_event_is_refused() -> None:
    with pytest.raises(TransitionRefused):
        advance("draft", Route.from_steps(ROUTES["unit-basic"]), "teleport")


def test_enabled_events_follow_the_route() -> None:
    assert "send_to_council" in enabled_events("in_appraisal", Route.from_steps(ROUTES["unit-council"]))
    assert "send_to_council" not in enabled_events("in_appraisal", Route.from_steps(ROUTES["unit-basic"]))
    assert enabled_events("revoked", Route.from_steps(ROUTES["unit-basic"])) == []


def test_an_exception_in_a_callback_does_not_advance_the_state() -> None:
    from workflow.nomination import NominationMachine, _Holder

    class Exploding:
        def after_transition(self) -> None:
            raise RuntimeError("mail server down")

        def on_enter_awaiting_unit_head(self) -> None:
            raise RuntimeError("callback failed")

    holder = _Holder("draft", Route.from_steps(ROUTES["unit-basic"]))
    machine = NominationMachine(model=holder, state_field="state", listeners=[Exploding()])
    with pytest.raises(RuntimeError):
        machine.send("submit")
    assert holder.state == "draft"


def test_replay_folds_events_and_rejects_an_illegal_history() -> None:
    route = Route.from_steps(ROUTES["unit-basic"])
    events = [("submit", None, None), ("endorse", None, None), ("receive", None, None), ("start_appraisal", None, None)]
    assert replay(route, events) == "in_appraisal"
    with pytest.raises(TransitionRefused):
        replay(route, [("submit", None, None), ("decide", None, None)])
