"""Counting secret ballots ("kiểm phiếu"): the cluster's honouring ballot ("suy tôn"), the
election of next year's cluster head and deputy ("bầu Cụm trưởng, Cụm phó"), and the city
council's vote on each nomination ("Hội đồng TĐKT bỏ phiếu kín").

Pure: the inputs are counts (how many yes / no / abstain for each candidate), never who voted
how, because the service stores nothing else. Every figure (threshold, denominator, quorum,
quota, self-vote rule) is an argument, taken by the service from configuration.

Defined outcomes, the same everywhere in the engine:

* **Shares.** A share written in configuration (``0.6667``) is read as the nearest fraction with
  a denominator up to 100 (two thirds), and a share is reached when ``yes ≥ share × base``,
  compared exactly ("từ … trở lên"). A base of 0 can never be reached.
* **Abstentions.** A blank or abstaining answer is a ballot cast but never a yes: it counts in a
  "present" base and so lowers the share; it never counts against the quorum.
* **Bases.** ``all``: every entitled voter (member units of the cluster; all council members).
  ``present``: those who took part (units that cast a ballot; council members present in person
  plus absentee written ballots the award accepts). A present council member who casts no paper
  counts as abstaining.
* **Self-votes.** Where an award does not allow them, a unit's own ballot says nothing about
  itself: for that candidate the unit is left out of both the count and the base.
* **Quorum.** The cluster ballot needs ``quorum`` of the member units to have voted; a council
  item needs ``quorum`` of all members present in person (written ballots do not make a
  quorum). A ballot without quorum is void: its papers are not counted and nothing is decided.
  The same questions may be put again (a re-vote); on the council, the nomination stays on the
  council's desk for a later session.
* **Honouring, within a quota.** Candidates who reach the threshold are ordered by yes votes,
  then by their score rank (1 = best; unranked last). The first ``slots`` (what is left of the
  award's quota) are honoured. If the last slot is shared by candidates equal on both keys, the
  result is a **tie**: those strictly ahead are honoured, the tied ones stay undecided for a
  re-vote among them, everyone else is not honoured. No slot left: nobody is honoured.
* **Election.** Most votes wins if they reach the threshold; equal leaders are a tie (re-vote
  among them); a leader below the threshold means a re-vote between the two best-placed vote
  counts. A unit elected both head and deputy keeps the head's office and the deputy's
  election is re-run without it.
* **Re-vote.** A re-vote is a new ballot with only the undecided questions and candidates, the
  same rules, and the slots still left; its result is final for what it decides and may itself
  end in a tie or without quorum again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

Denominator = Literal["all", "present"]


class Choice(StrEnum):
    YES = "yes"  # đồng ý
    NO = "no"  # không đồng ý
    ABSTAIN = "abstain"  # không biểu quyết / để trống


def share(value: float | str | Fraction) -> Fraction:
    """A configured share as an exact fraction: the nearest with a denominator up to 100."""
    fraction = value if isinstance(value, Fraction) else Fraction(str(value))
    result = fraction.limit_denominator(100)
    if not 0 < result <= 1:
        raise ValueError(f"a share must be in (0, 1], got {value!r}")
    return result


def votes_needed(threshold: Fraction, base: int) -> int:
    """The smallest yes count that reaches ``threshold`` of ``base`` (more than ``base`` if 0)."""
    if base <= 0:
        return 1
    return max(1, math.ceil(threshold * base))


def quorum_met(present: int, members: int, quorum: Fraction) -> bool:
    return members > 0 and present >= quorum * members


def percent(fraction: Fraction) -> str:
    """``2/3`` → ``"66,67%"``, for minutes and messages (Vietnamese decimal comma)."""
    value = float(fraction * 100)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


@dataclass(frozen=True)
class Count:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.abstain) < 0:
            raise ValueError("a count cannot be negative")

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.abstain

    def __add__(self, other: Count) -> Count:
        return Count(self.yes + other.yes, self.no + other.no, self.abstain + other.abstain)

    @classmethod
    def of(cls, choices: Iterable[str]) -> Count:
        items = list(choices)
        return cls(items.count(Choice.YES), items.count(Choice.NO), items.count(Choice.ABSTAIN))


@dataclass(frozen=True)
class ShareRule:
    threshold: Fraction
    denominator: Denominator


@dataclass(frozen=True)
class Electorate:
    """Who may vote in a cluster ballot and who did: only the fact of voting, never the choice."""

    members: frozenset[str]
    voted: frozenset[str]
    quorum: Fraction

    def __post_init__(self) -> None:
        if not self.voted <= self.members:
            raise ValueError(f"voters who are not members: {sorted(self.voted - self.members)}")

    @property
    def has_quorum(self) -> bool:
        return quorum_met(len(self.voted), len(self.members), self.quorum)


# --- the honouring ballot ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    unit: str
    score_rank: int | None = None  # from the cluster's scoring; 1 = best


@dataclass(frozen=True)
class CandidateTally:
    unit: str
    score_rank: int | None
    count: Count
    base: int
    needed: int
    reached: bool
    outcome: Literal["honoured", "tied", "not_honoured", "void"]

    def as_dict(self, counted: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"unit": self.unit, "score_rank": self.score_rank, "outcome": self.outcome}
        if counted:
            data.update(yes=self.count.yes, no=self.count.no, abstain=self.count.abstain, base=self.base,
                        needed=self.needed, reached=self.reached)
        return data


@dataclass(frozen=True)
class HonourResult:
    status: Literal["decided", "tie", "no_quorum"]
    slots: int
    ballots_cast: int
    members: int
    candidates: tuple[CandidateTally, ...]

    def units(self, outcome: str) -> tuple[str, ...]:
        return tuple(c.unit for c in self.candidates if c.outcome == outcome)

    @property
    def honoured(self) -> tuple[str, ...]:
        return self.units("honoured")

    @property
    def tied(self) -> tuple[str, ...]:
        return self.units("tied")

    @property
    def not_honoured(self) -> tuple[str, ...]:
        return self.units("not_honoured")

    @property
    def undecided(self) -> tuple[str, ...]:
        return self.units("void") if self.status == "no_quorum" else self.tied

    def as_dict(self) -> dict[str, Any]:
        counted = self.status != "no_quorum"
        return {
            "status": self.status,
            "slots": self.slots,
            "ballots_cast": self.ballots_cast,
            "members": self.members,
            "candidates": [c.as_dict(counted) for c in self.candidates],
            "honoured": list(self.honoured),
            "tied": list(self.tied),
        }


def _rank_key(count: Count, score_rank: int | None) -> tuple[int, float]:
    return (-count.yes, score_rank if score_rank is not None else math.inf)


def honour_base(unit: str, rule: ShareRule, electorate: Electorate, self_vote_allowed: bool) -> int:
    """How many ballots can speak for ``unit``: its own is left out when self-votes are not allowed."""
    pool = electorate.members if rule.denominator == "all" else electorate.voted
    return len(pool) - (0 if self_vote_allowed or unit not in pool else 1)


def tally_honours(
    candidates: Sequence[Candidate],
    counts: Mapping[str, Count],
    *,
    slots: int,
    rule: ShareRule,
    self_vote_allowed: bool,
    electorate: Electorate,
) -> HonourResult:
    """Who is honoured for one award in one ballot round (see the module's defined outcomes)."""
    units = [c.unit for c in candidates]
    if len(set(units)) != len(units):
        raise ValueError(f"a candidate is listed twice: {units}")
    members, cast = len(electorate.members), len(electorate.voted)
    if not electorate.has_quorum:
        void = tuple(
            CandidateTally(c.unit, c.score_rank, Count(), 0, 0, False, "void")
            for c in sorted(candidates, key=lambda c: (c.score_rank or math.inf, c.unit))
        )
        return HonourResult("no_quorum", slots, cast, members, void)
    rows: list[tuple[Candidate, Count, int, int, bool]] = []
    for c in candidates:
        count = counts.get(c.unit, Count())
        base = honour_base(c.unit, rule, electorate, self_vote_allowed)
        needed = votes_needed(rule.threshold, base)
        rows.append((c, count, base, needed, base > 0 and count.yes >= needed))
    order = sorted(rows, key=lambda r: (not r[4], _rank_key(r[1], r[0].score_rank), r[0].unit))
    reached = [r for r in order if r[4]]
    honoured: set[str] = set()
    tied: set[str] = set()
    if slots > 0:
        if len(reached) <= slots:
            honoured = {r[0].unit for r in reached}
        else:
            edge = _rank_key(reached[slots - 1][1], reached[slots - 1][0].score_rank)
            if _rank_key(reached[slots][1], reached[slots][0].score_rank) == edge:
                tied = {r[0].unit for r in reached if _rank_key(r[1], r[0].score_rank) == edge}
                honoured = {r[0].unit for r in reached if _rank_key(r[1], r[0].score_rank) < edge}
            else:
                honoured = {r[0].unit for r in reached[:slots]}
    tallies = tuple(
        CandidateTally(
            c.unit, c.score_rank, count, base, needed, ok,
            "honoured" if c.unit in honoured else "tied" if c.unit in tied else "not_honoured",
        )
        for c, count, base, needed, ok in order
    )
    return HonourResult("tie" if tied else "decided", slots, cast, members, tallies)


# --- electing next year's head and deputy -----------------------------------------------------


@dataclass(frozen=True)
class ElectionResult:
    office: str  # "head" | "deputy"
    status: Literal["elected", "tie", "no_majority", "same_as_head", "no_quorum"]
    winner: str | None
    votes: tuple[tuple[str, int], ...]  # candidates, most votes first
    abstain: int
    base: int
    needed: int
    runoff: tuple[str, ...] = field(default=())  # the candidates of a re-vote, if undecided

    @property
    def decided(self) -> bool:
        return self.status == "elected"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"office": self.office, "status": self.status, "winner": self.winner, "runoff": list(self.runoff)}
        if self.status != "no_quorum":
            data.update(votes=[{"unit": u, "votes": n} for u, n in self.votes], abstain=self.abstain, base=self.base,
                        needed=self.needed)
        return data


def tally_election(
    office: str,
    candidates: Sequence[str],
    votes: Mapping[str, int],
    *,
    abstain: int,
    rule: ShareRule,
    electorate: Electorate,
) -> ElectionResult:
    """The winner of one office, or why there is none and who stands in the re-vote."""
    if not electorate.has_quorum:
        return ElectionResult(office, "no_quorum", None, (), 0, 0, 0, tuple(candidates))
    ordered = tuple(sorted(((c, votes.get(c, 0)) for c in candidates), key=lambda cv: (-cv[1], cv[0])))
    base = len(electorate.members) if rule.denominator == "all" else len(electorate.voted)
    needed = votes_needed(rule.threshold, base)
    top = ordered[0][1] if ordered else 0
    leaders = tuple(c for c, n in ordered if n == top)
    if len(leaders) > 1:
        return ElectionResult(office, "tie", None, ordered, abstain, base, needed, leaders)
    if ordered and base > 0 and top >= needed:
        return ElectionResult(office, "elected", leaders[0], ordered, abstain, base, needed)
    counts = sorted({n for _, n in ordered}, reverse=True)[:2]
    runoff = tuple(c for c, n in ordered if n in counts)
    return ElectionResult(office, "no_majority", None, ordered, abstain, base, needed, runoff)


def resolve_leadership(head: ElectionResult, deputy: ElectionResult) -> tuple[ElectionResult, ElectionResult]:
    """One unit cannot hold both offices: it keeps the head's, the deputy's vote is re-run without it."""
    if head.decided and deputy.decided and head.winner == deputy.winner:
        others = tuple(c for c, _ in deputy.votes if c != head.winner)
        deputy = ElectionResult(deputy.office, "same_as_head", None, deputy.votes, deputy.abstain, deputy.base,
                                deputy.needed, others)
    return head, deputy


# --- the council ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilRule:
    quorum: Fraction
    threshold: Fraction
    denominator: Denominator
    absentee_ballots: bool


@dataclass(frozen=True)
class CouncilTally:
    outcome: Literal["passed", "not_passed", "no_quorum"]
    members: int
    present: int
    quorum_needed: int
    count: Count  # in person + counted absentee papers
    absentee: int  # absentee papers counted
    not_voted: int  # present in person without a paper on this item: abstaining
    base: int
    needed: int
    rule: CouncilRule

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "outcome": self.outcome,
            "members": self.members,
            "present": self.present,
            "quorum_needed": self.quorum_needed,
            "quorum": percent(self.rule.quorum),
            "threshold": percent(self.rule.threshold),
            "denominator": self.rule.denominator,
        }
        if self.outcome != "no_quorum":
            data.update(yes=self.count.yes, no=self.count.no, abstain=self.count.abstain + self.not_voted,
                        absentee=self.absentee, base=self.base, needed=self.needed)
        return data


def tally_council_item(rule: CouncilRule, *, members: int, present: int, in_person: Count, absentee: Count) -> CouncilTally:
    """The council's result on one nomination (see the module's defined outcomes)."""
    if not 0 <= present <= members:
        raise ValueError(f"present ({present}) must be between 0 and members ({members})")
    if in_person.ballots > present:
        raise ValueError(f"{in_person.ballots} papers in person but only {present} members present")
    if absentee.ballots > members - present:
        raise ValueError(f"{absentee.ballots} absentee papers but only {members - present} members absent")
    quorum_needed = votes_needed(rule.quorum, members) if members else 1
    counted_absentee = absentee if rule.absentee_ballots else Count()
    count = in_person + counted_absentee
    participating = present + counted_absentee.ballots
    base = members if rule.denominator == "all" else participating
    needed = votes_needed(rule.threshold, base)
    not_voted = present - in_person.ballots
    if not quorum_met(present, members, rule.quorum):
        return CouncilTally("no_quorum", members, present, quorum_needed, Count(), 0, 0, base, needed, rule)
    outcome: Literal["passed", "not_passed"] = "passed" if base > 0 and count.yes >= needed else "not_passed"
    return CouncilTally(outcome, members, present, quorum_needed, count, counted_absentee.ballots, not_voted, base, needed, rule)
