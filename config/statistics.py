"""Loader of config/statistics.yaml: the target shares the city's statistics are measured against."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from config.org import UnitKind
from config.yamlfiles import DATA_DIR, parse, read_yaml

STATISTICS_FILE = DATA_DIR / "statistics.yaml"


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    front_line_individuals: float = Field(ge=0, le=1)
    small_collectives: float = Field(ge=0, le=1)


class StatisticsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    citation: str = Field(min_length=3)
    confirm: bool = False
    targets: Targets
    small_collective_kinds: tuple[UnitKind, ...]  # a kind config/org does not know is an error, not a silent 0


def load_statistics(path: Path | None = None) -> StatisticsConfig:
    path = path or STATISTICS_FILE
    return parse(StatisticsConfig, read_yaml(path), file=path, entry="(file)")


@lru_cache(maxsize=1)
def statistics_config() -> StatisticsConfig:
    return load_statistics()
