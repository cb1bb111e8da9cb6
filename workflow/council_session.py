"""A session of the city Emulation–Commendation Council ("phiên họp Hội đồng TĐKT TP").

scheduled → open → closed → minutes signed ("ký biên bản"). The Board puts nominations on the
agenda while the session is scheduled; members vote while it is open; closing applies each
award's quorum and threshold (``service.council``); the minutes are then signed.

Guard fact: ``agenda_items`` (how many nominations are on the agenda) for ``open_session``, so a
session with nothing to vote on cannot open.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from workflow.aggregate_machine import MachineSpec


class CouncilSessionMachine(StateMachine):
    scheduled = State("Scheduled", initial=True)
    open = State("Open")
    closed = State("Closed")
    minutes_signed = State("Minutes signed", final=True)

    open_session = scheduled.to(open, cond="has_agenda")
    close_session = open.to(closed)
    sign_minutes = closed.to(minutes_signed)

    def has_agenda(self, agenda_items: int = 0) -> bool:
        return agenda_items > 0


STATE_LABELS: dict[str, tuple[str, str]] = {
    "scheduled": ("Đã lên lịch họp", "Scheduled"),
    "open": ("Đang họp, bỏ phiếu", "Open (voting)"),
    "closed": ("Đã kết thúc, đã kiểm phiếu", "Closed (counted)"),
    "minutes_signed": ("Đã ký biên bản", "Minutes signed"),
}

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "open_session": ("Khai mạc phiên họp", "Open the session"),
    "close_session": ("Kết thúc bỏ phiếu, kiểm phiếu", "Close the session and count"),
    "sign_minutes": ("Ký biên bản phiên họp", "Sign the minutes"),
}

COUNCIL_SESSION = MachineSpec(
    CouncilSessionMachine, "phiên họp Hội đồng TĐKT", "council session", STATE_LABELS, EVENT_LABELS
)

STATES: tuple[str, ...] = COUNCIL_SESSION.states
EVENTS: tuple[str, ...] = COUNCIL_SESSION.events


def advance(state: str, event: str, **facts: int) -> str:
    return COUNCIL_SESSION.advance(state, event, **facts)


def enabled_events(state: str, **facts: int) -> list[str]:
    return COUNCIL_SESSION.enabled_events(state, **facts)


def mermaid() -> str:
    return COUNCIL_SESSION.mermaid()
