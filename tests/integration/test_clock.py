"""A return for completion pauses the step's clock; resubmission resumes it with what was left."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session

from config.calendar import load_calendar
from service import audit
from service.actors import Actor
from service.demo import DemoNomination, drive
from service.queries import timeline
from service.transitions import apply_event
from workflow.roles import Role

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)
CAL = load_calendar()


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=HANOI).astimezone(timezone.utc)


def test_return_pauses_and_resubmission_resumes_the_appraisal_clock(session: Session) -> None:
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    received = apply_event(session, n.id, "receive", actor=BOARD, now=at(2026, 11, 23))  # Monday
    due = received.due_at.astimezone(HANOI).date()
    assert due == CAL.add_working_days(received.state_entered_at.astimezone(HANOI).date(), 20)
    apply_event(session, n.id, "start_appraisal", actor=BOARD, now=at(2026, 11, 24))
    returned = apply_event(session, n.id, "return_for_completion", actor=BOARD, reason="Thiếu biên bản.", now=at(2026, 11, 30))
    left = CAL.working_days_between(at(2026, 11, 30).astimezone(HANOI).date(), due)
    assert left == 15  # 5 of 20 working days used: 24, 25, 26, 27 and 30 November
    assert timeline(session, returned)[-1].payload["clock"] == {"paused": "appraisal", "remaining_working_days": 15}
    # The unit takes two weeks; those days do not count against the Board.
    submitter = Actor("cb", Role.SUBMITTER, returned.proposing_unit_code)
    back = apply_event(session, n.id, "resubmit", actor=submitter, now=at(2026, 12, 14))
    assert back.state == "received"
    assert back.due_at.astimezone(HANOI).date() == CAL.add_working_days(back.state_entered_at.astimezone(HANOI).date(), 15)
    assert timeline(session, back)[-1].payload["clock"] == {"resumed": "appraisal", "remaining_working_days": 15}
    assert audit.verify_all(session) == []


def test_step_clock_reports_days_used_left_and_held(session: Session) -> None:
    from service.queries import step_clock

    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    apply_event(session, n.id, "receive", actor=BOARD, now=at(2026, 11, 23))
    apply_event(session, n.id, "start_appraisal", actor=BOARD, now=at(2026, 11, 24))
    appraising = session.get(type(n), n.id)
    clock = step_clock(session, appraising, now=at(2026, 11, 30))
    # The appraisal clock started at receipt (23/11), not at the start of appraisal.
    assert (clock.clock, clock.working_days_used, clock.working_days_left) == ("appraisal", 5, 15)
    returned = apply_event(session, n.id, "return_for_completion", actor=BOARD, reason="Thiếu biên bản.", now=at(2026, 11, 30))
    held = step_clock(session, returned, now=at(2026, 12, 2))
    assert held.clock == "completion" and held.held_working_days == 15 and held.working_days_used == 2


def test_a_campaign_date_caps_the_step_deadline(session: Session) -> None:
    from datetime import date

    from service.models import Campaign

    session.add(Campaign(code="DX-CAP", name_vi="Đợt có hạn chót thẩm định", kind="ad_hoc", year=2026,
                         opens_on=date(2026, 11, 1), filing_deadline=date(2026, 12, 31),
                         calendar={"appraisal": "2026-11-25"}))
    session.commit()
    n = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="DX-CAP", steps=["submit", "endorse"]))
    received = apply_event(session, n.id, "receive", actor=BOARD, now=at(2026, 11, 23))
    # 20 working days would run to late December; the campaign's final date for appraisal wins.
    assert received.due_at.astimezone(HANOI).date() == date(2026, 11, 25)
    other = drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse"]))
    uncapped = apply_event(session, other.id, "receive", actor=BOARD, now=at(2026, 11, 23))
    assert uncapped.due_at.astimezone(HANOI).date() == CAL.add_working_days(date(2026, 11, 23), 20)
