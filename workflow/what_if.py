"""What-if calendar ("mô phỏng lịch"), pure: given a campaign's planned dates and the steps' SLAs,
lay each route's steps end to end on the working-day calendar and say which steps (and, on the
cluster track, which clusters) would finish after the date the plan sets for them.

Each route starts on the day its work can start at the latest (the filing deadline for the unit
track, the cluster's planned ballot start for the cluster track) and every step takes its whole
SLA: the forecast is the worst case the plan must absorb, the same rule the statutory clock uses
(:meth:`WorkingCalendar.add_working_days`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from workflow.calendar import WorkingCalendar

# The step whose end is the city's decision (or its forwarding to the central level).
DECISION_STEP = "signature"


@dataclass(frozen=True)
class PlannedRoute:
    award_code: str
    track: str  # unit | cluster
    cluster: str | None  # the cluster's code on the cluster track
    start: date
    steps: tuple[tuple[str, int], ...]  # (step, SLA in working days), in route order


@dataclass(frozen=True)
class StepForecast:
    step: str
    starts: date
    ends: date
    final: date | None  # the plan's date for this step, if it sets one
    slack_working_days: int | None  # working days to spare (negative: late by)

    @property
    def misses(self) -> bool:
        return self.final is not None and self.ends > self.final


@dataclass(frozen=True)
class RouteForecast:
    award_code: str
    track: str
    cluster: str | None
    steps: tuple[StepForecast, ...]
    decided_on: date | None
    decide_by: date | None

    @property
    def misses(self) -> bool:
        return any(s.misses for s in self.steps) or (
            self.decide_by is not None and self.decided_on is not None and self.decided_on > self.decide_by)


def slack(calendar: WorkingCalendar, ends: date, final: date) -> int:
    if ends <= final:
        return calendar.working_days_between(ends, final)
    return -calendar.working_days_between(final, ends)


def simulate(calendar: WorkingCalendar, routes: list[PlannedRoute], finals: Mapping[str, date],
             decide_by: date | None = None) -> list[RouteForecast]:
    """The forecast of every route; raises CalendarRangeError if a date falls outside the calendar."""
    out = []
    for route in routes:
        day, steps, decided = route.start, [], None
        for step, sla in route.steps:
            ends = calendar.add_working_days(day, sla)
            final = finals.get(step)
            steps.append(StepForecast(step, day, ends, final, slack(calendar, ends, final) if final else None))
            if step == DECISION_STEP:
                decided = ends
            day = ends
        out.append(RouteForecast(route.award_code, route.track, route.cluster, tuple(steps), decided, decide_by))
    return out
