"""Working-day calendar: arithmetic (workflow.calendar) and the YAML loader (config.calendar)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.calendar import DEFAULT_PATH, load_calendar, read_calendar_file
from config.errors import ConfigError
from workflow.calendar import CalendarRangeError, WorkingCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_calendar()


# --- the shipped data -------------------------------------------------------------------


def test_shipped_yaml_loads_and_covers_2023_to_2027(cal: WorkingCalendar) -> None:
    assert (cal.first_year, cal.last_year) == (2023, 2027)
    assert cal.timezone == "Asia/Ho_Chi_Minh"
    assert cal.weekend == frozenset({5, 6})


def test_default_load_is_cached() -> None:
    assert load_calendar() is load_calendar()


def test_shipped_names_are_nfc_normalised() -> None:
    data = read_calendar_file(DEFAULT_PATH)
    texts = []
    for year in data.years:
        texts += [year.citation, year.note or ""]
        for day in year.holidays + year.make_up_working_days:
            texts += [day.name_vi, day.name_en]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert any("Tết Nguyên đán" in t for t in texts)  # diacritics really there


def test_every_year_has_the_statutory_fixed_holidays() -> None:
    data = read_calendar_file(DEFAULT_PATH)
    for year in data.years:
        dates = {d.date for d in year.holidays}
        for month, day in [(1, 1), (4, 30), (5, 1), (9, 2)]:
            assert date(year.year, month, day) in dates, (year.year, month, day)


# --- is_working_day ------------------------------------------------------------------------


def test_weekends_are_not_working_days(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2025, 3, 14))  # Friday
    assert not cal.is_working_day(date(2025, 3, 15))  # Saturday
    assert not cal.is_working_day(date(2025, 3, 16))  # Sunday
    assert cal.is_working_day(date(2025, 3, 17))  # Monday


def test_tet_2025_week_is_off(cal: WorkingCalendar) -> None:
    # Tết Ất Tỵ: off Saturday 25/1 to Sunday 2/2/2025, back to work Monday 3/2.
    assert cal.is_working_day(date(2025, 1, 24))
    for offset in range(9):
        assert not cal.is_working_day(date(2025, 1, 25) + timedelta(days=offset))
    assert cal.is_working_day(date(2025, 2, 3))


def test_make_up_saturday_is_a_working_day(cal: WorkingCalendar) -> None:
    # 2025: Friday 2/5 swapped off, Saturday 26/4 worked instead.
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))
    assert not cal.is_working_day(date(2025, 4, 27))  # the Sunday stays a rest day


def test_holiday_on_a_weekday_and_compensatory_day(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2024, 4, 18))  # Giỗ Tổ Hùng Vương, Thursday
    assert not cal.is_working_day(date(2023, 1, 2))  # nghỉ bù for Sunday 1/1/2023


# --- add_working_days / working_days_between ----------------------------------------


def test_add_working_days_across_tet(cal: WorkingCalendar) -> None:
    # Friday 24/1/2025 + 1 working day jumps the whole Tết break to Monday 3/2.
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    # 10 working days from Monday 20/1/2025: 21-24/1 (4), then 3-7/2 (5), then 10/2.
    assert cal.add_working_days(date(2025, 1, 20), 10) == date(2025, 2, 10)


def test_add_working_days_counts_make_up_saturday(cal: WorkingCalendar) -> None:
    # Friday 25/4/2025 + 1: Saturday 26/4 is a make-up working day.
    assert cal.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # ... + 2: Monday 28/4 (27/4 is Sunday); + 4 skips 30/4, 1/5, 2/5 and the weekend.
    assert cal.add_working_days(date(2025, 4, 25), 2) == date(2025, 4, 28)
    assert cal.add_working_days(date(2025, 4, 25), 4) == date(2025, 5, 5)


def test_add_zero_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2025, 3, 14), 0) == date(2025, 3, 14)
    assert cal.add_working_days(date(2025, 3, 15), 0) == date(2025, 3, 17)


def test_add_negative_working_days_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        cal.add_working_days(date(2025, 3, 14), -1)


def test_working_days_between_basics(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2025, 3, 14), date(2025, 3, 14)) == 0
    assert cal.working_days_between(date(2025, 3, 17), date(2025, 3, 14)) == 0
    assert cal.working_days_between(date(2025, 3, 14), date(2025, 3, 17)) == 1  # Monday only
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 2)) == 0  # all Tết


_IN_RANGE = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 9, 30))


@settings(max_examples=300, deadline=None)
@given(start=_IN_RANGE, n=st.integers(min_value=1, max_value=60))
def test_between_inverts_add(cal: WorkingCalendar, start: date, n: int) -> None:
    end = cal.add_working_days(start, n)
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == n
    # ... and end is the first day reaching n: the day before it is one short.
    assert cal.working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(start=_IN_RANGE)
def test_add_zero_is_start_or_next_working_day(cal: WorkingCalendar, start: date) -> None:
    end = cal.add_working_days(start, 0)
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == (0 if cal.is_working_day(start) else 1)


def _counted_day_by_day(cal: WorkingCalendar, start: date, end: date) -> int:
    """The definition, one day at a time (what working_days_between did before its table)."""
    return sum(cal.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
       days=st.integers(min_value=-30, max_value=400))
def test_between_equals_the_day_by_day_count(cal: WorkingCalendar, start: date, days: int) -> None:
    end = start + timedelta(days=days)
    if end.year > cal.last_year:
        with pytest.raises(CalendarRangeError):
            cal.working_days_between(start, end)
        return
    assert cal.working_days_between(start, end) == _counted_day_by_day(cal, start, end)


def test_between_at_the_edges_of_the_covered_years(cal: WorkingCalendar) -> None:
    first, last = date(cal.first_year, 1, 1), date(cal.last_year, 12, 31)
    before_first = first - timedelta(days=1)  # not counted itself, so it may lie outside
    assert cal.working_days_between(before_first, first + timedelta(days=10)) == _counted_day_by_day(cal, before_first, first + timedelta(days=10))
    assert cal.working_days_between(last - timedelta(days=10), last) == _counted_day_by_day(cal, last - timedelta(days=10), last)
    with pytest.raises(CalendarRangeError):
        cal.working_days_between(before_first - timedelta(days=1), first)
    with pytest.raises(CalendarRangeError):
        cal.working_days_between(last, last + timedelta(days=1))
    assert cal.working_days_between(last + timedelta(days=5), last) == 0  # nothing counted, nothing refused


# --- due_at --------------------------------------------------------------------------------


def test_due_at_is_end_of_nth_working_day_in_hanoi_time(cal: WorkingCalendar) -> None:
    start = datetime(2025, 3, 14, 9, 30, tzinfo=HCM)  # Friday morning
    due = cal.due_at(start, 1)
    assert due == datetime.combine(date(2025, 3, 17), time.max, tzinfo=HCM)
    assert due.tzinfo == HCM
    assert due.utcoffset() == timedelta(hours=7)


def test_due_at_uses_the_local_date_of_a_utc_start(cal: WorkingCalendar) -> None:
    # 18:00 UTC on Thursday 13/3 is already 01:00 Friday 14/3 in Hà Nội, so the step
    # starts on Friday and one working day later is Monday 17/3.
    start = datetime(2025, 3, 13, 18, 0, tzinfo=timezone.utc)
    assert cal.due_at(start, 1).date() == date(2025, 3, 17)
    assert cal.due_at(start.replace(hour=16), 1).date() == date(2025, 3, 14)


def test_due_at_rejects_naive_datetimes(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        cal.due_at(datetime(2025, 3, 14, 9, 30), 1)


# --- out of range ---------------------------------------------------------------------------


def test_leaving_the_covered_years_names_the_year_and_the_file(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError) as info:
        cal.add_working_days(date(2027, 12, 20), 30)
    message = str(info.value)
    assert "2028" in message
    assert "config/calendar/vn-holidays.yaml" in message
    assert info.value.year == 2028
    assert isinstance(info.value, ValueError)


def test_dates_before_the_covered_years_raise(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="2022"):
        cal.is_working_day(date(2022, 12, 30))


# --- loader errors ----------------------------------------------------------------------------

_GOOD = """\
timezone: Asia/Ho_Chi_Minh
weekend: [saturday, sunday]
years:
  - year: 2024
    citation: "Bộ luật Lao động 2019, Điều 112"
    holidays:
      - {date: 2024-01-01, name_vi: "Tết Dương lịch", name_en: "New Year's Day"}
      - {date: 2024-04-29, name_vi: "Ngày nghỉ hoán đổi", name_en: "Swapped day off"}
    make_up_working_days:
      - {date: 2024-05-04, name_vi: "Ngày làm việc bù", name_en: "Make-up working day"}
  - year: 2025
    citation: "Bộ luật Lao động 2019, Điều 112"
    holidays:
      - {date: 2025-01-01, name_vi: "Tết Dương lịch", name_en: "New Year's Day"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(tmp_path: Path, text: str) -> ConfigError:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_calendar(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_small_good_file_loads(tmp_path: Path) -> None:
    cal = load_calendar(_write(tmp_path, _GOOD))
    assert (cal.first_year, cal.last_year) == (2024, 2025)
    assert cal.is_working_day(date(2024, 5, 4))
    assert not cal.is_working_day(date(2024, 4, 29))


def test_impossible_unquoted_date(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2025-01-01", "date: 2025-02-30"))
    assert err.entry == "years[1].holidays[0].date"
    assert "2025-02-30 is not a real date" in err.problem


def test_malformed_quoted_date(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2024-04-29", 'date: "29/04/2024"'))
    assert err.entry == "years[0].holidays[1].date"
    assert "YYYY-MM-DD" in err.problem


def test_date_in_the_wrong_year(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2025-01-01", "date: 2026-01-01"))
    assert err.entry == "years[1].holidays[0]"
    assert "not in year 2025" in err.problem


def test_duplicate_holiday(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2024-04-29", "date: 2024-01-01"))
    assert err.entry == "years[0].holidays[1]"
    assert "duplicate" in err.problem and "years[0].holidays[0]" in err.problem


def test_make_up_day_that_is_also_a_holiday(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2024-04-29", "date: 2024-05-04"))
    assert err.entry == "years[0].make_up_working_days[0]"
    assert "also a holiday" in err.problem


def test_make_up_day_not_on_a_weekend(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("date: 2024-05-04", "date: 2024-05-06"))
    assert err.entry == "years[0].make_up_working_days[0]"
    assert "monday" in err.problem and "not a weekend day" in err.problem


def test_missing_year_in_the_sequence(tmp_path: Path) -> None:
    text = _GOOD.replace("year: 2025", "year: 2026").replace("2025-01-01", "2026-01-01")
    err = _load_error(tmp_path, text)
    assert err.entry == "years[1].year"
    assert "2025" in err.problem


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("make_up_working_days:", "make_up_days:"))
    assert err.entry.startswith("years[0]")


def test_unknown_timezone(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("Asia/Ho_Chi_Minh", "Asia/Hanoi_Nowhere"))
    assert err.entry == "timezone"


def test_bad_weekend_name(tmp_path: Path) -> None:
    err = _load_error(tmp_path, _GOOD.replace("[saturday, sunday]", "[saturday, sundae]"))
    assert "weekend" in err.entry


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_calendar(tmp_path / "nope.yaml")
