"""Every flow, by deployment name, with its schedule from config/schedules.yaml."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from prefect import Flow
from prefect.schedules import Cron, Interval, Schedule

from config.yamlfiles import DATA_DIR, parse, read_yaml
from flows.campaign_summary import campaign_summary
from flows.deadline_sweep import deadline_sweep
from flows.dossier_assembly import dossier_assembly
from flows.outbox_drain import outbox_drain
from flows.reminders import deadline_reminders

FLOWS: dict[str, Flow[Any, Any]] = {
    "deadline-sweep": deadline_sweep,
    "deadline-reminders": deadline_reminders,
    "outbox-drain": outbox_drain,
    "dossier-assembly": dossier_assembly,
    "campaign-summary": campaign_summary,
}
SCHEDULES_FILE = DATA_DIR / "schedules.yaml"


class FlowSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cron: str | None = None
    every_minutes: int | None = Field(default=None, gt=0)
    description: str

    @model_validator(mode="after")
    def _one(self) -> "FlowSchedule":
        if (self.cron is None) == (self.every_minutes is None):
            raise ValueError("give exactly one of cron or every_minutes")
        return self


class Schedules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str
    flows: dict[str, FlowSchedule]

    @model_validator(mode="after")
    def _known(self) -> "Schedules":
        unknown = set(self.flows) ^ set(FLOWS)
        if unknown:
            raise ValueError(f"schedules and flows differ: {sorted(unknown)}")
        return self


def load_schedules(path: Path | None = None) -> Schedules:
    path = path or SCHEDULES_FILE
    return parse(Schedules, read_yaml(path), file=path, entry="(file)")


def schedule_of(spec: FlowSchedule, timezone: str) -> Schedule:
    if spec.cron:
        return Cron(spec.cron, timezone=timezone)
    return Interval(timedelta(minutes=spec.every_minutes or 1), timezone=timezone)


def deployments() -> list[Any]:
    schedules = load_schedules()
    return [
        FLOWS[name].to_deployment(name=name, schedules=[schedule_of(spec, schedules.timezone)], description=spec.description,
                                  tags=["tdkt"])
        for name, spec in schedules.flows.items()
    ]
