"""The statutory clock on the working-day calendar: progress, remaining days, Tết, year ends."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from config.calendar import load_calendar
from workflow.clock import progress, remaining_days

CAL = load_calendar()
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_progress_counts_working_days_used_and_left() -> None:
    p = progress(CAL, started=date(2026, 11, 23), due=date(2026, 12, 4), today=date(2026, 11, 30))
    assert (p.used, p.left, p.overdue) == (5, 4, False)


def test_progress_overdue_is_negative() -> None:
    p = progress(CAL, started=date(2026, 11, 2), due=date(2026, 11, 20), today=date(2026, 11, 25))
    assert p.left == -3 and p.overdue


def test_remaining_is_never_negative() -> None:
    assert remaining_days(CAL, date(2026, 12, 10), date(2026, 12, 1)) == 0
    assert remaining_days(CAL, date(2026, 12, 1), date(2026, 12, 4)) == 3


def test_deadline_across_the_year_boundary_skips_new_year_day() -> None:
    # 2026-12-30 (Wed) + 3 working days: 31/12, then 1/1 and 2/1/2027 are off (New Year; 2/1 is
    # a Saturday) → Mon 4/1, Tue 5/1.
    due = CAL.due_at(datetime(2026, 12, 30, 10, 0, tzinfo=HANOI), 3)
    assert due.date() == date(2027, 1, 5)
    assert CAL.working_days_between(date(2026, 12, 30), due.date()) == 3


def test_a_step_spanning_tet_2026_does_not_count_the_holiday() -> None:
    # Tết Bính Ngọ 2026: days off 14–22/02 (config/calendar/vn-holidays.yaml).
    due = CAL.due_at(datetime(2026, 2, 12, 9, 0, tzinfo=HANOI), 2)
    assert due.date() == date(2026, 2, 23)  # 13/02 (Fri), then Monday 23/02 after Tết
