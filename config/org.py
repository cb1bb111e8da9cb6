"""Hanoi's member units and their emulation clusters by year (``config/org/*.yaml``).

Clusters are data, not code: the head and deputy rotate every year and the city council may
move units between clusters, so each (cluster, year) is its own entry and every lookup takes a
year. Loading checks the references between the two files, because a dangling unit code would
otherwise surface weeks later as a cluster ballot nobody can cast.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from config.errors import ConfigError
from config.yamlfiles import NfcText, DATA_DIR, parse, read_yaml

ORG_DIR = DATA_DIR / "org"

M = TypeVar("M", bound=BaseModel)


Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
Year = Annotated[int, Field(ge=1990, le=2100)]
# City-level bodies, and the small collectives inside them ("tập thể nhỏ": a division, team, school,
# ward or commune) that the city's statistics count apart (config/statistics.yaml).
UnitKind = Literal["department", "agency", "district", "board", "division", "team", "school", "ward", "commune"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Strict):
    code: Code
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    kind: UnitKind
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    parent: Code | None = None  # e.g. the Board belongs to the Department of Home Affairs


class ClusterYear(_Strict):
    code: Code
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    year: Year
    members: tuple[Code, ...] = Field(min_length=2)
    head: Code
    # None only where the source names no deputy (seed 002, 2020).
    deputy: Code | None = None
    source: str = Field(min_length=1)
    confirm: bool = False  # True: not taken from a source, confirm with the Board


class Org(_Strict):
    # Shared by every caller through the cache: treat as read-only.
    units: dict[str, Unit]
    clusters: tuple[ClusterYear, ...]

    def clusters_in(self, year: int) -> list[ClusterYear]:
        return [c for c in self.clusters if c.year == year]

    def cluster_of(self, unit_code: str, year: int) -> ClusterYear | None:
        return next((c for c in self.clusters if c.year == year and unit_code in c.members), None)

    def cluster(self, code: str, year: int) -> ClusterYear | None:
        return next((c for c in self.clusters if c.code == code and c.year == year), None)


def entries(data: Any, key: str, file: Path) -> list[Any]:
    """The list under the one top-level ``key`` of a data file (``key:`` with nothing is empty)."""
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(file, "(file)", f"expected a mapping with a top-level '{key}:' list")
    extra = sorted(str(k) for k in data if k != key)
    if extra:
        raise ConfigError(file, extra[0], f"unexpected top-level key; only '{key}:' is allowed")
    items = data[key]
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConfigError(file, key, "expected a list")
    return items


def parse_item(model: type[M], data: Any, *, file: Path, entry: str) -> M:
    """``parse``, with list positions in the entry written ``titles[0].year`` like our own checks.

    pydantic reports ``titles.0.year``; one notation in every message is easier for an admin.
    """
    try:
        return parse(model, data, file=file, entry=entry)
    except ConfigError as exc:
        raise ConfigError(
            exc.file, re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", exc.entry), exc.problem, line=exc.line, column=exc.column
        ) from None


def load_org(dir: Path | None = None) -> Org:  # noqa: A002 - the agreed parameter name
    """Units and clusters from ``dir`` (``units.yaml``, ``clusters.yaml``); default: shipped data."""
    if dir is None:
        return _shipped_org()
    return _read_org(Path(dir))


@lru_cache(maxsize=1)
def _shipped_org() -> Org:
    return _read_org(ORG_DIR)


def _read_org(folder: Path) -> Org:
    units = _read_units(folder / "units.yaml")
    clusters = _read_clusters(folder / "clusters.yaml", units)
    return Org(units=units, clusters=clusters)


def _read_units(file: Path) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    index: dict[str, int] = {}
    for i, raw in enumerate(entries(read_yaml(file), "units", file)):
        unit = parse_item(Unit, raw, file=file, entry=f"units[{i}]")
        if unit.code in units:
            first = index[unit.code]
            raise ConfigError(file, f"units[{i}].code", f"duplicate unit {unit.code} (first at units[{first}])")
        units[unit.code] = unit
        index[unit.code] = i
    for code, unit in units.items():
        if unit.parent == code:
            raise ConfigError(file, f"units[{index[code]}].parent", "a unit cannot be its own parent")
        if unit.parent is not None:
            _require_unit(units, unit.parent, file, f"units[{index[code]}].parent")
    return units


def _read_clusters(file: Path, units: dict[str, Unit]) -> tuple[ClusterYear, ...]:
    clusters: list[ClusterYear] = []
    first_at: dict[tuple[str, int], int] = {}  # (cluster, year) -> entry index
    seat: dict[tuple[str, int], int] = {}  # (unit, year) -> entry index of its cluster
    for i, raw in enumerate(entries(read_yaml(file), "clusters", file)):
        where = f"clusters[{i}]"
        cluster = parse_item(ClusterYear, raw, file=file, entry=where)
        key = (cluster.code, cluster.year)
        if key in first_at:
            first = first_at[key]
            problem = f"duplicate cluster {cluster.code} for {cluster.year} (first at clusters[{first}])"
            raise ConfigError(file, where, problem)
        first_at[key] = i
        for j, member in enumerate(cluster.members):
            _require_unit(units, member, file, f"{where}.members[{j}]")
            if member in cluster.members[:j]:
                raise ConfigError(file, f"{where}.members[{j}]", f"unit {member} is listed twice")
            other = seat.get((member, cluster.year))
            if other is not None:
                raise ConfigError(
                    file,
                    f"{where}.members[{j}]",
                    f"unit {member} is already in {clusters[other].code} for {cluster.year} (clusters[{other}]);"
                    " a unit belongs to one cluster a year",
                )
            seat[(member, cluster.year)] = i
        for role in ("head", "deputy"):
            code = getattr(cluster, role)
            if code is None:
                continue
            _require_unit(units, code, file, f"{where}.{role}")
            if code not in cluster.members:
                problem = f"{role} {code} is not a member of {cluster.code} in {cluster.year}"
                raise ConfigError(file, f"{where}.{role}", problem)
        if cluster.head == cluster.deputy:
            problem = f"head and deputy must be different units (both {cluster.head})"
            raise ConfigError(file, f"{where}.deputy", problem)
        clusters.append(cluster)
    return tuple(clusters)


def _require_unit(units: dict[str, Unit], code: str, file: Path, entry: str) -> None:
    if code not in units:
        raise ConfigError(file, entry, f"unknown unit {code!r} (not defined in units.yaml)")
