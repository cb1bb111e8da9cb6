"""The what-if calendar as a table: planned start, SLAs and final dates → ends, slack, misses."""

from __future__ import annotations

from datetime import date

import pytest

from config.calendar import load_calendar
from workflow.what_if import PlannedRoute, simulate

CAL = load_calendar()
BK_TP_UNIT = (("appraisal", 20), ("signature", 10))


def test_steps_run_end_to_end_in_working_days() -> None:
    [f] = simulate(CAL, [PlannedRoute("BK_TP", "unit", None, date(2026, 11, 2), BK_TP_UNIT)], {})
    appraisal, signature = f.steps
    assert appraisal.starts == date(2026, 11, 2) and appraisal.ends == CAL.add_working_days(date(2026, 11, 2), 20)
    assert signature.starts == appraisal.ends and f.decided_on == signature.ends
    assert not f.misses and appraisal.slack_working_days is None


@pytest.mark.parametrize(("final_offset", "misses", "slack"), [(25, False, 5), (20, False, 0), (18, True, -2)])
def test_a_step_misses_when_it_ends_after_the_plan_s_date(final_offset: int, misses: bool, slack: int) -> None:
    start = date(2026, 11, 2)
    finals = {"appraisal": CAL.add_working_days(start, final_offset)}
    [f] = simulate(CAL, [PlannedRoute("BK_TP", "unit", None, start, BK_TP_UNIT)], finals)
    assert (f.steps[0].misses, f.steps[0].slack_working_days, f.misses) == (misses, slack, misses)


def test_tet_pushes_a_cluster_past_its_ballot_date_and_decide_by_is_checked() -> None:
    # A ballot of 20 working days started mid-January 2027 runs across the Tết holiday.
    early = PlannedRoute("CO_TD_TP", "cluster", "CUM_6", date(2026, 12, 1), (("cluster_ballot", 20), ("appraisal", 20), ("signature", 10)))
    late = PlannedRoute("CO_TD_TP", "cluster", "CUM_7", date(2027, 1, 20), early.steps)
    finals = {"cluster_ballot": date(2027, 1, 10)}
    a, b = simulate(CAL, [early, late], finals, decide_by=date(2027, 3, 31))
    assert not a.misses and b.steps[0].misses and b.misses
    assert b.steps[0].ends > CAL.add_working_days(date(2027, 1, 20), 0)
    tight = simulate(CAL, [early], finals, decide_by=date(2027, 1, 15))[0]
    assert tight.misses and not any(s.misses for s in tight.steps)
