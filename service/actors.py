"""Who is acting: every write records an actor and the role they acted in."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.roles import Role


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    unit_code: str | None = None  # the unit the person belongs to (for unit and cluster roles)


SYSTEM = Actor(name="system", role=Role.SYSTEM)
