"""Working-day arithmetic for deadlines in the emulation and commendation workflow.

Legal time limits for dossiers are counted in working days (ngày làm việc): not Saturdays or
Sundays, not public holidays and Tết, but including the weekend days the government declares
make-up working days when it swaps a weekday off to make a long break.

This module is pure standard library so that domain code and tests can use it without a
database, the web stack or the YAML files; ``config.calendar.load_calendar`` builds the
calendar from ``config/calendar/vn-holidays.yaml``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DATA_FILE_HINT = "config/calendar/vn-holidays.yaml"

_ONE_DAY = timedelta(days=1)


class CalendarRangeError(ValueError):
    """A computation needed a date in a year the calendar data does not cover.

    Guessing would be wrong in exactly the cases that matter (an unlisted Tết week would count
    as working days), so we refuse and say where to add the data.
    """

    def __init__(self, day: date, first_year: int, last_year: int) -> None:
        self.day = day
        self.year = day.year
        super().__init__(
            f"date {day.isoformat()} is in year {day.year}, outside the working-day calendar "
            f"({first_year}-{last_year}); the calendar data must be extended in "
            f"{DATA_FILE_HINT} to cover year {day.year}"
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days, for whole years ``first_year`` to ``last_year``.

    ``weekend`` holds ``date.weekday()`` numbers (Monday 0 ... Sunday 6). ``holidays`` are days
    off (they may fall on a weekend); ``make_up_days`` are weekend days that are working days.
    """

    holidays: frozenset[date]
    make_up_days: frozenset[date]
    weekend: frozenset[int]
    timezone: str
    first_year: int
    last_year: int

    def __post_init__(self) -> None:
        if self.first_year > self.last_year:
            raise ValueError(f"first_year {self.first_year} is after last_year {self.last_year}")
        if not self.weekend <= set(range(7)):
            raise ValueError(f"weekend must hold weekday numbers 0-6, got {sorted(self.weekend)}")
        both = self.holidays & self.make_up_days
        if both:
            raise ValueError(f"dates both holiday and make-up day: {sorted(both)}")
        for d in self.holidays | self.make_up_days:
            self._check_covered(d)
        ZoneInfo(self.timezone)  # fail at construction, not at the first deadline

    def _check_covered(self, d: date) -> None:
        if not self.first_year <= d.year <= self.last_year:
            raise CalendarRangeError(d, self.first_year, self.last_year)

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day; raises CalendarRangeError outside the covered years."""
        self._check_covered(d)
        if d in self.make_up_days:
            return True
        if d in self.holidays:
            return False
        return d.weekday() not in self.weekend

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` gives ``start`` if it is a working day, else the next working day, so the
        result is always a working day. Raises CalendarRangeError if the count runs past the
        covered years.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = start
        if n == 0:
            while not self.is_working_day(d):
                d += _ONE_DAY
            return d
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with ``start < d <= end``; 0 if ``end <= start``.

        The inverse of add_working_days for n >= 1:
        ``working_days_between(s, add_working_days(s, n)) == n``.
        """
        if end <= start:
            return 0
        self._check_covered(start + _ONE_DAY)  # the days counted are start+1 .. end, all covered or refused
        self._check_covered(end)
        counts = self._working_days_to
        return counts[end.toordinal() - self._origin] - counts[start.toordinal() - self._origin]

    @functools.cached_property
    def _origin(self) -> int:
        """The ordinal of the day before the first covered day (index 0 of the counts)."""
        return date(self.first_year, 1, 1).toordinal() - 1

    @functools.cached_property
    def _working_days_to(self) -> list[int]:
        """``[i]``: working days from the first covered day to day ``origin + i`` (built once: the
        lists' clocks count days between dates for every row of a page)."""
        counts = [0]
        d = date(self.first_year, 1, 1)
        while d.year <= self.last_year:
            counts.append(counts[-1] + self.is_working_day(d))
            d += _ONE_DAY
        return counts

    def due_at(self, start: datetime, n: int) -> datetime:
        """Deadline of a step of ``n`` working days started at the aware datetime ``start``.

        Convention (as in Bộ luật Dân sự 2015, Điều 147-148 for time limits in days): the day
        the step starts is not counted, whatever the hour; the limit ends at the very end of the
        n-th working day after it, 23:59:59.999999 local time in the calendar's timezone. The
        start is first converted to that timezone, so a start late in the evening UTC can
        already be the next local day. ``n == 0`` means the end of the start day if it is a
        working day, else the end of the next working day. The result is an aware datetime in
        the calendar's timezone.
        """
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("due_at needs an aware datetime (with tzinfo), got a naive one")
        tz = ZoneInfo(self.timezone)
        local_day = start.astimezone(tz).date()
        return datetime.combine(self.add_working_days(local_day, n), time.max, tzinfo=tz)
