"""What the small machines of the cluster year and the council session share: a strict
python-statemachine class bound to a plain holder, and bilingual refusals that say what is
allowed instead.

Each machine is a ``StateMachine`` (not ``StateChart``): an event with no transition, or whose
guard refuses, raises; an exception in a callback propagates without moving the state. The
service never binds a machine to an ORM row; it asks :meth:`MachineSpec.advance` for the next
state and writes it itself, inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from workflow.errors import TransitionRefused, UnknownState


class _Holder:
    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True)
class MachineSpec:
    """A machine class with the labels of its states and events, in Vietnamese and English."""

    machine: type[StateMachine]
    noun_vi: str  # what the machine is the life of, e.g. "năm thi đua của Cụm"
    noun_en: str
    state_labels: dict[str, tuple[str, str]]
    event_labels: dict[str, tuple[str, str]]

    def __post_init__(self) -> None:
        states = {s.id for s in self.machine.states}
        events = {e.id for e in self.machine.events}
        if states != set(self.state_labels) or events != set(self.event_labels):
            raise ValueError(f"{self.machine.__name__}: every state and event needs a label, and only those")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.machine.states)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.machine.events)

    @property
    def initial(self) -> str:
        return next(s.id for s in self.machine.states if s.initial)

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.id for s in self.machine.states if s.final)

    def _bind(self, state: str) -> StateMachine:
        if state not in self.state_labels:
            raise UnknownState(
                f"Trạng thái «{state}» của {self.noun_vi} không hợp lệ; quản trị viên cần kiểm tra dữ liệu.",
                f"Unknown {self.noun_en} state {state!r}; an administrator must check the record.",
            )
        return self.machine(model=_Holder(state), state_field="state")

    def advance(self, state: str, event: str, **facts: Any) -> str:
        """The state reached by ``event`` from ``state``; :class:`TransitionRefused` if none.

        ``facts`` are the named inputs of the guards (e.g. ``unscored=2``)."""
        machine = self._bind(state)
        if event not in self.event_labels:
            raise TransitionRefused(state, event, f"Thao tác «{event}» không tồn tại.", f"There is no action called {event!r}.")
        try:
            machine.send(event, **facts)
        except TransitionNotAllowed:
            raise self.refusal(state, event, **facts) from None
        return machine.model.state

    def enabled_events(self, state: str, **facts: Any) -> list[str]:
        return [e.id for e in self._bind(state).enabled_events(**facts)]

    def refusal(self, state: str, event: str, **facts: Any) -> TransitionRefused:
        ev_vi, ev_en = self.event_labels[event]
        st_vi, st_en = self.state_labels[state]
        if event in (e.id for e in self._bind(state).allowed_events):
            # The step exists from here, but a guard said no: the fact it needs is missing.
            return TransitionRefused(
                state,
                event,
                f"Chưa đủ điều kiện để «{ev_vi}» ({self.noun_vi} đang ở bước «{st_vi}»).",
                f"The {self.noun_en} is '{st_en}' but not ready to '{ev_en}' yet.",
            )
        allowed = self.enabled_events(state, **facts)
        next_vi = ", ".join(f"«{self.event_labels[e][0]}»" for e in allowed) or "không có"
        next_en = ", ".join(f"'{self.event_labels[e][1]}'" for e in allowed) or "none"
        return TransitionRefused(
            state,
            event,
            f"Không thể «{ev_vi}» khi {self.noun_vi} đang ở bước «{st_vi}». Thao tác được phép: {next_vi}.",
            f"Cannot '{ev_en}' while the {self.noun_en} is '{st_en}'. Allowed now: {next_en}.",
        )

    def mermaid(self) -> str:
        return f"{self.machine:mermaid}"
