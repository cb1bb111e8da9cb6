"""The cluster's scoring table ("bảng chấm điểm thi đua") and the ranking it gives.

A unit's total is its criteria points (each capped at the criterion's maximum) plus its bonus
points ("điểm thưởng", capped overall) minus its penalty points ("điểm trừ", capped overall).
Units are ranked by total; equal totals are separated by the cluster's tie-break keys, in the
order its regulation lists them:

``base``     more criteria points (before bonus and penalty) ranks higher;
``penalty``  fewer penalty points ranks higher;
``bonus``    more bonus points ranks higher.

Units still equal after every key share the rank (competition ranking: 1, 2, 2, 4); nothing
arbitrary such as the unit's code ever breaks a tie. A unit that fails a gate (discipline, tasks
not completed, …) is ranked like the others but cannot be honoured; the gates it failed are
carried with its rank so the reason can be shown.

Points are :class:`~decimal.Decimal` so 0.5-point steps add up exactly. Pure: stdlib only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

TIE_BREAK_KEYS: tuple[str, ...] = ("base", "penalty", "bonus")


def show(value: Decimal) -> str:
    """``Decimal("95.50")`` → ``"95.5"``, ``Decimal("100.0")`` → ``"100"``: points as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def points(value: Any) -> Decimal:
    """A number from JSON or YAML as an exact Decimal (``0.1`` stays 0.1, not its float)."""
    if isinstance(value, bool):
        raise TypeError("points must be a number, not yes/no")
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Criterion:
    code: str
    max_points: Decimal
    group: str = ""


@dataclass(frozen=True)
class Item:
    """A bonus or penalty item, with the most it may add or take away on its own."""

    code: str
    max_points: Decimal


@dataclass(frozen=True)
class ScoringTable:
    criteria: tuple[Criterion, ...]
    bonus_items: tuple[Item, ...] = ()
    bonus_cap: Decimal = Decimal(0)
    penalty_items: tuple[Item, ...] = ()
    penalty_cap: Decimal = Decimal(0)
    tie_break: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.tie_break) - set(TIE_BREAK_KEYS)
        if unknown:
            raise ValueError(f"unknown tie-break keys {sorted(unknown)}; known: {list(TIE_BREAK_KEYS)}")
        codes = [c.code for c in self.criteria] + [i.code for i in self.bonus_items + self.penalty_items]
        if len(set(codes)) != len(codes):
            raise ValueError("a criterion or item code is used twice")

    @property
    def max_base(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal(0))

    def maxima(self, part: str) -> dict[str, Decimal]:
        items = {"criteria": self.criteria, "bonus": self.bonus_items, "penalty": self.penalty_items}[part]
        return {i.code: i.max_points for i in items}


@dataclass(frozen=True)
class ScoreSheet:
    """One unit's points: criteria, bonus and penalty items by code; the gates it failed."""

    unit: str
    criteria: Mapping[str, Decimal]
    bonus: Mapping[str, Decimal] = field(default_factory=dict)
    penalty: Mapping[str, Decimal] = field(default_factory=dict)
    failed_gates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    part: str  # criteria | bonus | penalty
    code: str
    message_vi: str
    message_en: str


def sheet_problems(table: ScoringTable, sheet: ScoreSheet) -> list[Problem]:
    """Everything wrong with a sheet: unknown codes, negative points, points above a maximum."""
    problems: list[Problem] = []
    for part, given in (("criteria", sheet.criteria), ("bonus", sheet.bonus), ("penalty", sheet.penalty)):
        maxima = table.maxima(part)
        for code, value in given.items():
            if code not in maxima:
                problems.append(Problem(part, code, f"mục «{code}» không có trong bảng chấm điểm",
                                        f"item {code!r} is not in the scoring table"))
            elif value < 0:
                problems.append(Problem(part, code, f"mục «{code}» không được âm ({value})", f"item {code!r} cannot be negative ({value})"))
            elif value > maxima[code]:
                problems.append(Problem(part, code, f"mục «{code}» tối đa {maxima[code]} điểm, đã chấm {value}",
                                        f"item {code!r} is worth at most {maxima[code]}, scored {value}"))
    return problems


@dataclass(frozen=True)
class Breakdown:
    base: Decimal
    bonus: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.bonus - self.penalty

    def as_dict(self) -> dict[str, str]:
        return {"base": show(self.base), "bonus": show(self.bonus), "penalty": show(self.penalty), "total": show(self.total)}


def breakdown(table: ScoringTable, sheet: ScoreSheet) -> Breakdown:
    """Criteria + bonus − penalty, each item and each cap applied (out-of-range points are clipped)."""
    def capped(part: str, given: Mapping[str, Decimal]) -> Decimal:
        maxima = table.maxima(part)
        return sum((min(max(v, Decimal(0)), maxima[c]) for c, v in given.items() if c in maxima), Decimal(0))

    return Breakdown(
        base=capped("criteria", sheet.criteria),
        bonus=min(capped("bonus", sheet.bonus), table.bonus_cap),
        penalty=min(capped("penalty", sheet.penalty), table.penalty_cap),
    )


@dataclass(frozen=True)
class Ranked:
    unit: str
    rank: int
    shared: bool  # another unit holds the same rank
    breakdown: Breakdown
    failed_gates: tuple[str, ...]

    @property
    def may_be_honoured(self) -> bool:
        return not self.failed_gates

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "rank": self.rank, "shared": self.shared, **self.breakdown.as_dict(),
                "failed_gates": list(self.failed_gates)}


def _key(table: ScoringTable, b: Breakdown) -> tuple[Decimal, ...]:
    extra = {"base": -b.base, "penalty": b.penalty, "bonus": -b.bonus}
    return (-b.total, *(extra[k] for k in table.tie_break))


def rank(table: ScoringTable, sheets: Sequence[ScoreSheet]) -> list[Ranked]:
    """The ranking, best first; see the module docstring for the tie-break."""
    units = [s.unit for s in sheets]
    if len(set(units)) != len(units):
        raise ValueError(f"a unit has two sheets: {units}")
    scored = [(s, breakdown(table, s)) for s in sheets]
    keys = {s.unit: _key(table, b) for s, b in scored}
    ranked = [
        Ranked(
            unit=s.unit,
            rank=1 + sum(1 for k in keys.values() if k < keys[s.unit]),
            shared=sum(1 for k in keys.values() if k == keys[s.unit]) > 1,
            breakdown=b,
            failed_gates=tuple(s.failed_gates),
        )
        for s, b in scored
    ]
    return sorted(ranked, key=lambda r: (r.rank, r.unit))
