"""Members of the city Emulation–Commendation Council by year ("thành viên Hội đồng TĐKT TP"),
from ``config/demo/council.yaml``.

The council's quorum and thresholds are counted on its members of the session's year, so the
list is data by year like the clusters. Loading checks codes and usernames are unique within a
year and that every unit exists, failing with :class:`~config.errors.ConfigError` naming the
file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from config.errors import ConfigError
from config.org import Code, Org, Year, entries, load_org, parse_item
from config.yamlfiles import DATA_DIR, NfcText, read_yaml

COUNCIL_FILE = DATA_DIR / "demo" / "council.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CouncilMemberSpec(_Strict):
    code: str = Field(pattern=r"^HD[0-9]{2,}$")
    full_name: NfcText
    position_vi: NfcText
    unit: Code | None = None
    username: str = Field(pattern=r"^[a-z0-9._-]{3,80}$")


class CouncilYear(_Strict):
    year: Year
    source: str = Field(min_length=1)
    members: tuple[CouncilMemberSpec, ...] = Field(min_length=3)


def load_council(file: Path | None = None, *, org: Org | None = None) -> tuple[CouncilYear, ...]:
    """The council of each year; default: the shipped demo council (cached)."""
    if file is None and org is None:
        return _shipped()
    return _read(Path(file or COUNCIL_FILE), org or load_org())


def council_of(year: int) -> CouncilYear | None:
    return next((c for c in load_council() if c.year == year), None)


@lru_cache(maxsize=1)
def _shipped() -> tuple[CouncilYear, ...]:
    return _read(COUNCIL_FILE, load_org())


def _read(file: Path, org: Org) -> tuple[CouncilYear, ...]:
    years: list[CouncilYear] = []
    for i, raw in enumerate(entries(read_yaml(file), "council", file)):
        where = f"council[{i}]"
        council = parse_item(CouncilYear, raw, file=file, entry=where)
        if any(c.year == council.year for c in years):
            raise ConfigError(file, f"{where}.year", f"the council of {council.year} is listed twice")
        for field in ("code", "username"):
            seen: dict[str, int] = {}
            for j, member in enumerate(council.members):
                value = getattr(member, field)
                if value in seen:
                    raise ConfigError(file, f"{where}.members[{j}].{field}", f"{value!r} already used by members[{seen[value]}]")
                seen[value] = j
        for j, member in enumerate(council.members):
            if member.unit is not None and member.unit not in org.units:
                raise ConfigError(file, f"{where}.members[{j}].unit", f"unknown unit {member.unit!r} (not in config/org/units.yaml)")
        years.append(council)
    return tuple(years)
