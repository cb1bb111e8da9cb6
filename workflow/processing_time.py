"""Processing time per step ("thời gian xử lý từng bước"), pure: from a nomination's audit trail
(the instants it entered each state) to working days spent per step clock, and summaries of
many such durations (median, 90th percentile, share over the SLA)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from workflow.calendar import WorkingCalendar


def days_per_clock(
    entries: Iterable[tuple[datetime, str | None]], clock_of: Mapping[str, str], calendar: WorkingCalendar, tz: object
) -> dict[str, int]:
    """Working days spent under each clock, for the steps that ended (the state was left).

    ``entries`` are (instant, state entered) in order; a stay in a state runs from its entry to the
    next entry that changes the state; stays in states of the same clock add up (received, then
    in appraisal: one appraisal step). The current, unfinished stay is not counted."""
    spent: dict[str, int] = {}
    current: tuple[datetime, str] | None = None
    for at, state in entries:
        if state is None:
            continue
        if current is not None and state != current[1]:
            start, old = current
            clock = clock_of.get(old)
            if clock is not None:
                days = calendar.working_days_between(start.astimezone(tz).date(), at.astimezone(tz).date())  # type: ignore[arg-type]
                spent[clock] = spent.get(clock, 0) + days
        if current is None or state != current[1]:
            current = (at, state)
    return spent


@dataclass(frozen=True)
class StepSummary:
    clock: str
    count: int
    median: float
    p90: float
    over_sla: int  # how many took longer than their SLA

    @property
    def share_over_sla(self) -> float:
        return round(self.over_sla / self.count, 4) if self.count else 0.0


def p90(values: list[int]) -> float:
    """The 90th percentile (inclusive method: within the observed range)."""
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


def summarise(clock: str, samples: list[tuple[int, int]]) -> StepSummary:
    """``samples``: (working days spent, SLA in working days) per nomination that finished the step."""
    days = sorted(d for d, _ in samples)
    return StepSummary(clock, len(days), float(statistics.median(days)), p90(days), sum(d > sla for d, sla in samples))
