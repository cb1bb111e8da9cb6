"""Demo people and the title history of people and units (``config/demo/*.yaml``).

Higher awards require streaks of lower titles (e.g. three consecutive "grassroots emulation
fighter" years), so eligibility needs a per-person and per-unit history by year. The demo files
hold that history; loading checks every unit code against ``config/org`` and every title code
against the known history titles, so a typo fails here and not inside an eligibility check.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from config.errors import ConfigError
from config.org import Code, NfcText, Org, Year, entries, load_org, parse_item
from config.yamlfiles import DATA_DIR, read_yaml

DEMO_DIR = DATA_DIR / "demo"

# Title codes the history may hold. To move to the award catalogue (config/rulesets:
# history_titles + award codes by nominee kind) once the loaders take a RuleSet.
PERSON_HISTORY_TITLES: tuple[str, ...] = ("LDTT", "CSTD_CS", "HTXSNV", "HTTNV", "GIAY_KHEN", "BK_TP", "CSTD_TP")
COLLECTIVE_HISTORY_TITLES: tuple[str, ...] = ("TTLDTT", "TTLDXS", "CO_TD_TP", "CO_TD_CP", "BK_TP")
KNOWN_HISTORY_TITLES: tuple[str, ...] = tuple(dict.fromkeys(PERSON_HISTORY_TITLES + COLLECTIVE_HISTORY_TITLES))

# The level at which an initiative's effect was recognised, narrowest first.
Scope = Literal["grassroots", "city", "national"]
SCOPES: tuple[str, ...] = ("grassroots", "city", "national")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TitleRecord(_Strict):
    year: Year
    title: Code


class Initiative(_Strict):
    year: Year
    title_vi: NfcText
    scope: Scope
    # False while the certification of its effect and reach is missing from the dossier.
    certified: bool = True


class Person(_Strict):
    code: str = Field(pattern=r"^P[0-9]{3,}$")
    full_name: NfcText
    gender: Literal["male", "female"]
    birth_year: int = Field(ge=1930, le=2020)
    unit: Code
    position_vi: NfcText
    front_line: bool  # "người lao động trực tiếp": the city reports the share of awards they get
    titles: tuple[TitleRecord, ...] = ()
    initiatives: tuple[Initiative, ...] = ()

    def years_with(self, title: str) -> set[int]:
        return {t.year for t in self.titles if t.title == title}


class CollectiveTitle(_Strict):
    unit: Code
    year: Year
    title: Code
    source: str | None = None  # set where the row comes from a seed article


def load_demo_people(
    dir: Path | None = None,  # noqa: A002 - the agreed parameter name
    *,
    known_titles: Collection[str] | None = None,
    org: Org | None = None,
) -> tuple[Person, ...]:
    """People from ``dir/people.yaml``, in file order; default: the shipped demo people."""
    if dir is None and known_titles is None and org is None:
        return _shipped_people()
    file = Path(dir or DEMO_DIR) / "people.yaml"
    titles = PERSON_HISTORY_TITLES if known_titles is None else known_titles
    return _read_people(file, titles, org or load_org())


def load_collective_titles(
    dir: Path | None = None,  # noqa: A002 - the agreed parameter name
    *,
    known_titles: Collection[str] | None = None,
    org: Org | None = None,
) -> tuple[CollectiveTitle, ...]:
    """Unit title history from ``dir/collective_titles.yaml``; default: shipped demo."""
    if dir is None and known_titles is None and org is None:
        return _shipped_collective_titles()
    file = Path(dir or DEMO_DIR) / "collective_titles.yaml"
    titles = COLLECTIVE_HISTORY_TITLES if known_titles is None else known_titles
    return _read_collective_titles(file, titles, org or load_org())


@lru_cache(maxsize=1)
def _shipped_people() -> tuple[Person, ...]:
    return _read_people(DEMO_DIR / "people.yaml", PERSON_HISTORY_TITLES, load_org())


@lru_cache(maxsize=1)
def _shipped_collective_titles() -> tuple[CollectiveTitle, ...]:
    return _read_collective_titles(DEMO_DIR / "collective_titles.yaml", COLLECTIVE_HISTORY_TITLES, load_org())


def _read_people(file: Path, known_titles: Collection[str], org: Org) -> tuple[Person, ...]:
    people: list[Person] = []
    first_at: dict[str, int] = {}
    for i, raw in enumerate(entries(read_yaml(file), "people", file)):
        where = f"people[{i}]"
        person = parse_item(Person, raw, file=file, entry=where)
        if person.code in first_at:
            first = first_at[person.code]
            raise ConfigError(file, f"{where}.code", f"duplicate person {person.code} (first at people[{first}])")
        first_at[person.code] = i
        _require_unit(org, person.unit, file, f"{where}.unit")
        held: set[tuple[int, str]] = set()
        for j, record in enumerate(person.titles):
            _require_title(known_titles, record.title, file, f"{where}.titles[{j}].title")
            if (record.year, record.title) in held:
                raise ConfigError(file, f"{where}.titles[{j}]", f"{record.title} is listed twice for {record.year}")
            held.add((record.year, record.title))
        people.append(person)
    return tuple(people)


def _read_collective_titles(file: Path, known_titles: Collection[str], org: Org) -> tuple[CollectiveTitle, ...]:
    rows: list[CollectiveTitle] = []
    first_at: dict[tuple[str, int, str], int] = {}
    for i, raw in enumerate(entries(read_yaml(file), "collective_titles", file)):
        where = f"collective_titles[{i}]"
        row = parse_item(CollectiveTitle, raw, file=file, entry=where)
        _require_unit(org, row.unit, file, f"{where}.unit")
        _require_title(known_titles, row.title, file, f"{where}.title")
        key = (row.unit, row.year, row.title)
        if key in first_at:
            first = first_at[key]
            problem = f"{row.unit} holds {row.title} for {row.year} twice (first at collective_titles[{first}])"
            raise ConfigError(file, where, problem)
        first_at[key] = i
        rows.append(row)
    return tuple(rows)


def _require_unit(org: Org, code: str, file: Path, entry: str) -> None:
    if code not in org.units:
        raise ConfigError(file, entry, f"unknown unit {code!r} (not a unit in config/org/units.yaml)")


def _require_title(known: Collection[str], code: str, file: Path, entry: str) -> None:
    if code not in known:
        raise ConfigError(file, entry, f"unknown title {code!r}; known: {', '.join(sorted(known))}")
