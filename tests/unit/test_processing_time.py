"""Processing time per step, from audit instants to working days, and its summaries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from config.calendar import load_calendar
from workflow.nomination import CLOCK_OF
from workflow.processing_time import days_per_clock, p90, summarise

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)  # 10:00 in Hà Nội


def test_stays_under_one_clock_add_up_and_the_open_stay_is_not_counted() -> None:
    calendar = load_calendar()
    trail = [(at("2026-11-02"), "draft"), (at("2026-11-02"), "awaiting_unit_head"), (at("2026-11-03"), "submitted"),
             (at("2026-11-04"), "received"),  # Wednesday
             (at("2026-11-06"), "in_appraisal"),  # +2 working days, same clock
             (at("2026-11-09"), "returned"),  # Friday → Monday: +1 working day (the weekend does not count)
             (at("2026-11-12"), "in_appraisal"),  # 3 days returned: the completion clock, not appraisal
             (at("2026-11-13"), "awaiting_signature"),  # +1
             (at("2026-11-20"), None)]  # an entry with no state (a document produced) ends nothing
    spent = days_per_clock(trail, CLOCK_OF, calendar, HANOI)
    assert spent == {"filing": 1, "appraisal": 4, "completion": 3}


@pytest.mark.parametrize(("values", "median", "ninetieth"), [
    ([5], 5.0, 5.0),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9.1),
    ([0, 0, 0, 30], 0.0, 21.0),
])
def test_median_and_p90(values: list[int], median: float, ninetieth: float) -> None:
    s = summarise("appraisal", [(v, 20) for v in values])
    assert (s.count, s.median) == (len(values), median)
    assert p90(values) == pytest.approx(ninetieth)


def test_over_sla_compares_each_step_with_its_own_sla() -> None:
    s = summarise("appraisal", [(21, 20), (25, 30), (20, 20), (31, 30)])
    assert (s.over_sla, s.share_over_sla) == (2, 0.5)
