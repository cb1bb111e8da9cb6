"""Loading ``config/calendar/vn-holidays.yaml`` into a ``workflow.calendar.WorkingCalendar``.

Every working-day deadline depends on this file, so loading checks more than shape: dates sit
in their year, appear once, make-up days are weekend days that are not also holidays, and the
years run without gaps (a gap would silently count a Tết week as working days).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from config.errors import ConfigError
from config.yamlfiles import DATA_DIR, error_at, parse, read_yaml
from workflow.calendar import WorkingCalendar

DEFAULT_PATH = DATA_DIR / "calendar" / "vn-holidays.yaml"

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)  # index == date.weekday()

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> dt.date:
    # Only YYYY-MM-DD: pydantic alone would also take integers as timestamps and YAML
    # datetimes, which in a holiday list can only be typos.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:  # e.g. 2023-02-30
            raise ValueError(f"{value} is not a real date ({exc})") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # extra="forbid" so a misspelt key (e.g. "make_up_days") is an error, not ignored data.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayEntry(_Strict):
    date: IsoDate
    name_vi: Text
    name_en: Text


class _YearShape(_Strict):
    year: int = Field(ge=1900, le=2200)
    citation: Text
    confirm: bool = False
    note: str | None = None
    # Items are parsed one by one below so errors can name "years[i].holidays[j]".
    holidays: list[Any] = Field(min_length=1)
    make_up_working_days: list[Any] = []


class YearEntry(_Strict):
    year: int
    citation: str
    confirm: bool
    note: str | None
    holidays: tuple[DayEntry, ...]
    make_up_working_days: tuple[DayEntry, ...]


class _FileShape(_Strict):
    timezone: Text
    weekend: list[Weekday] = Field(min_length=1, max_length=6)
    years: list[Any] = Field(min_length=1)


class CalendarFile(_Strict):
    """The validated content of the YAML file, names included (WorkingCalendar drops them)."""

    timezone: str
    weekend: tuple[str, ...]
    years: tuple[YearEntry, ...]


def _parse_days(items: list[Any], year: int, where: str, path: Path) -> dict[dt.date, DayEntry]:
    """Parse one list of days, keyed by date in file order; entries are named ``where[j]``."""
    days: dict[dt.date, DayEntry] = {}
    first_at: dict[dt.date, str] = {}
    for j, item in enumerate(items):
        entry = f"{where}[{j}]"
        day = parse(DayEntry, item, file=path, entry=entry)
        if day.date.year != year:
            raise error_at(path, entry, f"date {day.date} is not in year {year}", item, "date")
        if day.date in days:
            already = first_at[day.date]
            raise error_at(path, entry, f"duplicate date {day.date}, already at {already}", item, "date")
        days[day.date] = day
        first_at[day.date] = entry
    return days


def read_calendar_file(path: Path) -> CalendarFile:
    """Read and validate the calendar YAML; raise ConfigError naming the file and entry."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, "(file)", "expected a mapping with keys timezone, weekend, years")
    shape = parse(_FileShape, data, file=path, entry="(top level)")
    try:
        ZoneInfo(shape.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(path, "timezone", f"unknown time zone {shape.timezone!r}") from None
    weekend = {WEEKDAYS.index(name) for name in shape.weekend}

    years = []
    for i, raw in enumerate(shape.years):
        at = f"years[{i}]"
        y = parse(_YearShape, raw, file=path, entry=at)
        if years and y.year != years[-1].year + 1:
            expected = years[-1].year + 1
            raise ConfigError(
                path, f"{at}.year", f"expected {expected} (years must be consecutive), got {y.year}"
            )
        holidays = _parse_days(y.holidays, y.year, f"{at}.holidays", path)
        make_up = _parse_days(y.make_up_working_days, y.year, f"{at}.make_up_working_days", path)
        for j, day in enumerate(make_up):
            entry = f"{at}.make_up_working_days[{j}]"
            if day in holidays:
                h = list(holidays).index(day)
                raise ConfigError(
                    path, entry, f"make-up working day {day} is also a holiday ({at}.holidays[{h}])"
                )
            if day.weekday() not in weekend:
                raise ConfigError(
                    path,
                    entry,
                    f"make-up working day {day} is a {WEEKDAYS[day.weekday()]}, "
                    f"not a weekend day ({', '.join(shape.weekend)})",
                )
        years.append(
            YearEntry(
                year=y.year,
                citation=y.citation,
                confirm=y.confirm,
                note=y.note,
                holidays=tuple(holidays.values()),
                make_up_working_days=tuple(make_up.values()),
            )
        )
    return CalendarFile(timezone=shape.timezone, weekend=tuple(shape.weekend), years=tuple(years))


def to_working_calendar(data: CalendarFile) -> WorkingCalendar:
    return WorkingCalendar(
        holidays=frozenset(d.date for y in data.years for d in y.holidays),
        make_up_days=frozenset(d.date for y in data.years for d in y.make_up_working_days),
        weekend=frozenset(WEEKDAYS.index(name) for name in data.weekend),
        timezone=data.timezone,
        first_year=data.years[0].year,
        last_year=data.years[-1].year,
    )


@lru_cache(maxsize=1)
def _load_default() -> WorkingCalendar:
    return to_working_calendar(read_calendar_file(DEFAULT_PATH))


def load_calendar(path: Path | None = None) -> WorkingCalendar:
    """The working-day calendar from ``path`` (default: the shipped vn-holidays.yaml).

    The default file is read once per process; an explicit path is always re-read.
    """
    if path is None:
        return _load_default()
    return to_working_calendar(read_calendar_file(path))
