"""The scoring table and ranking (workflow.scoring): totals with caps, the tie-break, shared
ranks; properties of the ranking (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.pledges import pledge_for
from workflow.scoring import (
    Criterion,
    Item,
    ScoreSheet,
    ScoringTable,
    breakdown,
    rank,
    sheet_problems,
    show,
)

D = Decimal
TABLE = ScoringTable(
    criteria=(Criterion("I.1", D(30), "I"), Criterion("I.2", D(10), "I"), Criterion("II.1", D(10), "II")),
    bonus_items=(Item("B1", D(2)), Item("B2", D(2))),
    bonus_cap=D(3),
    penalty_items=(Item("P1", D(3)), Item("P2", D(5))),
    penalty_cap=D(6),
    tie_break=("base", "penalty"),
)


def sheet(unit: str, i1: float, i2: float = 10, ii1: float = 10, bonus: dict | None = None, penalty: dict | None = None, gates=()) -> ScoreSheet:
    return ScoreSheet(unit, {"I.1": D(str(i1)), "I.2": D(str(i2)), "II.1": D(str(ii1))},
                      {k: D(str(v)) for k, v in (bonus or {}).items()}, {k: D(str(v)) for k, v in (penalty or {}).items()}, tuple(gates))


def test_total_is_criteria_plus_capped_bonus_minus_capped_penalty() -> None:
    b = breakdown(TABLE, sheet("A", 28.5, bonus={"B1": 2, "B2": 2}, penalty={"P1": 3, "P2": 5}))
    assert (b.base, b.bonus, b.penalty, b.total) == (D("48.5"), D(3), D(6), D("45.5"))
    assert b.as_dict() == {"base": "48.5", "bonus": "3", "penalty": "6", "total": "45.5"}


def test_sheet_problems_name_the_item() -> None:
    problems = sheet_problems(TABLE, ScoreSheet("A", {"I.1": D(31), "X.9": D(1)}, {"B1": D(-1)}))
    assert {(p.code, p.part) for p in problems} == {("I.1", "criteria"), ("X.9", "criteria"), ("B1", "bonus")}
    assert any("tối đa 30 điểm" in p.message_vi for p in problems)


def test_ties_are_broken_by_base_then_penalty_and_otherwise_shared() -> None:
    ranked = rank(TABLE, [
        sheet("A", 28, bonus={"B1": 2}),          # 48 + 2 = 50
        sheet("B", 30),                           # 50, more base points: ahead of A
        sheet("C", 30, bonus={"B1": 1}, penalty={"P1": 1}),  # 50, same base as B, more penalty
        sheet("D", 30),                           # same as B in every key: shares B's rank
        sheet("E", 20),
    ])
    assert [(r.unit, r.rank, r.shared) for r in ranked] == [
        ("B", 1, True), ("D", 1, True), ("C", 3, False), ("A", 4, False), ("E", 5, False)
    ]


def test_a_unit_failing_a_gate_is_ranked_but_flagged() -> None:
    ranked = rank(TABLE, [sheet("A", 30, gates=("no_discipline",)), sheet("B", 20)])
    assert ranked[0].unit == "A" and not ranked[0].may_be_honoured and ranked[0].failed_gates == ("no_discipline",)


def test_unknown_tie_break_keys_and_duplicate_units_are_refused() -> None:
    with pytest.raises(ValueError):
        ScoringTable(criteria=TABLE.criteria, tie_break=("seniority",))
    with pytest.raises(ValueError):
        rank(TABLE, [sheet("A", 1), sheet("A", 2)])


def test_show_writes_points_as_people_do() -> None:
    assert [show(D(x)) for x in ("100.0", "95.50", "0", "7")] == ["100", "95.5", "0", "7"]


def test_the_shipped_tables_have_100_points() -> None:
    for cluster, year in (("CUM_6", 2023), ("CUM_7", 2026)):
        table = pledge_for(cluster, year).pledge.scoring_table()
        assert table.max_base == 100 and table.bonus_cap > 0 and table.penalty_cap > 0


points = st.decimals(min_value=0, max_value=12, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def sheets(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(min_value=1, max_value=8))
    return [
        ScoreSheet(f"U{i}", {"I.1": draw(points), "I.2": draw(points), "II.1": draw(points)},
                   {"B1": draw(points), "B2": draw(points)}, {"P1": draw(points), "P2": draw(points)})
        for i in range(n)
    ]


@settings(max_examples=200, deadline=None)
@given(sheets(), st.randoms(use_true_random=False))
def test_ranking_is_a_competition_ranking_independent_of_input_order(given_sheets, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    ranked = rank(TABLE, given_sheets)
    assert sorted(r.unit for r in ranked) == sorted(s.unit for s in given_sheets)
    totals = [r.breakdown.total for r in ranked]
    assert totals == sorted(totals, reverse=True)
    for r in ranked:
        assert r.rank == 1 + sum(1 for o in ranked if (o.breakdown.total, o.breakdown.base, -o.breakdown.penalty)
                                 > (r.breakdown.total, r.breakdown.base, -r.breakdown.penalty))
        assert -TABLE.penalty_cap <= r.breakdown.total <= TABLE.max_base + TABLE.bonus_cap
        assert r.shared == any(o.rank == r.rank and o.unit != r.unit for o in ranked)
    shuffled = given_sheets[:]
    rnd.shuffle(shuffled)
    assert {(r.unit, r.rank) for r in rank(TABLE, shuffled)} == {(r.unit, r.rank) for r in ranked}
