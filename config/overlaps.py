"""Loader of config/overlaps.yaml: when two nominations of one nominee are flagged as overlapping."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from config.yamlfiles import DATA_DIR, parse, read_yaml

OVERLAPS_FILE = DATA_DIR / "overlaps.yaml"


class OverlapRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    citation: str = Field(min_length=3)
    confirm: bool = False
    same_level_same_year: bool = True
    achievement_similarity: float = Field(gt=0, le=1)


def load_overlaps(path: Path | None = None) -> OverlapRules:
    path = path or OVERLAPS_FILE
    return parse(OverlapRules, read_yaml(path), file=path, entry="(file)")


@lru_cache(maxsize=1)
def overlap_rules() -> OverlapRules:
    return load_overlaps()
