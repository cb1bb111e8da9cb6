"""Route: a subsequence of the legal step order, with the mandatory steps, and what comes next."""

from __future__ import annotations

from itertools import combinations

import pytest

from workflow.route import CANONICAL_ORDER, MANDATORY, Route, RouteError, Step

ALL = [s.value for s in CANONICAL_ORDER]


def _canonical_subsequences() -> list[list[str]]:
    """Every subsequence of the legal order that contains the mandatory steps."""
    out = []
    for n in range(len(ALL) + 1):
        for combo in combinations(ALL, n):
            if {m.value for m in MANDATORY} <= set(combo):
                out.append(list(combo))
    return out


def test_canonical_order_and_mandatory_steps():
    assert ALL == ["cluster_ballot", "appraisal", "consultation", "public_notice", "council", "signature", "central"]
    assert MANDATORY == {Step.APPRAISAL, Step.SIGNATURE}


def test_every_canonical_subsequence_with_mandatory_steps_is_accepted():
    subsequences = _canonical_subsequences()
    assert len(subsequences) == 2 ** (len(ALL) - len(MANDATORY))  # 32
    for steps in subsequences:
        route = Route.from_steps(steps)
        assert [s.value for s in route.steps] == steps
        assert all(isinstance(s, Step) for s in route.steps)


@pytest.mark.parametrize(
    "steps",
    [
        ["appraisal", "signature"],
        ("appraisal", "signature"),
        ["cluster_ballot", "appraisal", "consultation", "public_notice", "council", "signature", "central"],
        [Step.APPRAISAL, Step.COUNCIL, Step.SIGNATURE],
    ],
)
def test_accepts_lists_tuples_and_enum_members(steps):
    route = Route.from_steps(steps)
    assert route.steps == tuple(Step(s) for s in steps)


def test_route_is_frozen_and_compares_by_value():
    a = Route.from_steps(["appraisal", "signature"])
    b = Route.from_steps(("appraisal", "signature"))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.steps = ()  # type: ignore[misc]


def test_contains():
    route = Route.from_steps(["appraisal", "council", "signature"])
    assert Step.COUNCIL in route
    assert "council" in route  # StrEnum compares equal to its value
    assert Step.CONSULTATION not in route
    assert "central" not in route


def test_rejects_duplicate_step():
    with pytest.raises(RouteError, match="listed twice") as info:
        Route.from_steps(["appraisal", "council", "council", "signature"])
    assert "council" in str(info.value)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["council", "appraisal", "signature"], ["appraisal", "council", "signature"]),
        (["appraisal", "signature", "council"], ["appraisal", "council", "signature"]),
        (["appraisal", "central", "signature"], ["appraisal", "signature", "central"]),
        (["appraisal", "cluster_ballot", "signature"], ["cluster_ballot", "appraisal", "signature"]),
        (["appraisal", "public_notice", "consultation", "signature"],
         ["appraisal", "consultation", "public_notice", "signature"]),
    ],
)
def test_rejects_out_of_order_and_says_the_legal_order(steps, expected):
    with pytest.raises(RouteError, match="out of legal order") as info:
        Route.from_steps(steps)
    message = str(info.value)
    assert str(steps) in message
    assert f"expected {expected}" in message


def test_rejects_unknown_step_and_lists_known_steps():
    with pytest.raises(RouteError, match="unknown step") as info:
        Route.from_steps(["appraisal", "vote", "signature"])
    message = str(info.value)
    assert "'vote'" in message
    assert str(ALL) in message


@pytest.mark.parametrize(
    ("steps", "missing"),
    [
        (["appraisal", "council"], {"signature"}),
        (["council", "signature"], {"appraisal"}),
        (["cluster_ballot"], {"appraisal", "signature"}),
        ([], {"appraisal", "signature"}),
    ],
)
def test_rejects_missing_mandatory_steps_naming_them(steps, missing):
    with pytest.raises(RouteError, match="every award needs") as info:
        Route.from_steps(steps)
    message = str(info.value)
    for step in missing:
        assert step in message
    for step in {"appraisal", "signature"} - missing:
        assert step not in message


def test_missing_mandatory_message_lists_plain_step_names():
    # Regression: the message once listed enum reprs ([<Step.SIGNATURE: 'signature'>]).
    with pytest.raises(RouteError) as info:
        Route.from_steps(["appraisal", "council"])
    assert "['signature']" in str(info.value)
    assert "Step." not in str(info.value)


def test_route_error_is_a_value_error():
    assert issubclass(RouteError, ValueError)


def test_next_after_none_is_the_first_step():
    assert Route.from_steps(["appraisal", "signature"]).next_after(None) is Step.APPRAISAL
    assert Route.from_steps(["cluster_ballot", "appraisal", "signature"]).next_after(None) is Step.CLUSTER_BALLOT


def test_next_after_last_step_is_none():
    assert Route.from_steps(["appraisal", "signature"]).next_after(Step.SIGNATURE) is None
    assert Route.from_steps(["appraisal", "signature", "central"]).next_after(Step.CENTRAL) is None


def test_next_after_walks_the_route_skipping_absent_steps():
    steps = ["cluster_ballot", "appraisal", "council", "signature", "central"]
    route = Route.from_steps(steps)
    walked = []
    step = route.next_after(None)
    while step is not None:
        walked.append(step.value)
        step = route.next_after(step)
    assert walked == steps
    # Consultation and public notice are not on this route: appraisal goes straight to council.
    assert route.next_after(Step.APPRAISAL) is Step.COUNCIL


def test_next_after_a_step_not_on_the_route_raises():
    route = Route.from_steps(["appraisal", "signature"])
    with pytest.raises(ValueError):
        route.next_after(Step.COUNCIL)
