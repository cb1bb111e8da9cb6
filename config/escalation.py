"""Loader of config/escalation.yaml: which role is told when another role's step is overdue."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from config.yamlfiles import DATA_DIR, parse, read_yaml
from workflow.roles import Role

ESCALATION_FILE = DATA_DIR / "escalation.yaml"


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    citation: str = Field(min_length=3)
    confirm: bool = False
    escalate_to: dict[Role, Role]


def load_escalation(path: Path | None = None) -> Escalation:
    path = path or ESCALATION_FILE
    return parse(Escalation, read_yaml(path), file=path, entry="(file)")


@lru_cache(maxsize=1)
def escalation() -> Escalation:
    return load_escalation()
