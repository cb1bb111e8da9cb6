"""What a page shows of a nomination, composed from the service's read side (no rules here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from config.catalogue import catalogue
from service.actors import Actor
from service.models import Nomination, Unit
from service.queries import StepClock, next_actions, step_clock

# Actions that stay possible in almost every state; they do not make a nomination "waiting for you".
NOT_A_TURN = frozenset({"withdraw", "expire"})


@dataclass(frozen=True)
class Row:
    nomination: Nomination
    award_vi: str
    award_en: str
    unit_vi: str
    clock: StepClock | None
    actions: list[str]

    @property
    def due_at(self) -> datetime | None:
        return self.clock.due_at if self.clock else None


def row(session: Session, nomination: Nomination, actor: Actor) -> Row:
    award = catalogue().version(nomination.ruleset_version).award(nomination.award_code)
    unit = session.get(Unit, nomination.proposing_unit_code)
    return Row(nomination, award.name_vi, award.name_en, unit.name_vi if unit else nomination.proposing_unit_code,
               step_clock(session, nomination), next_actions(nomination, actor))
