"""Counting ballots (workflow.votes), without a database: the defined outcomes by example, and
the tally invariants as properties (hypothesis)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.votes import (
    Candidate,
    CouncilRule,
    Count,
    Electorate,
    ShareRule,
    percent,
    quorum_met,
    resolve_leadership,
    share,
    tally_council_item,
    tally_election,
    tally_honours,
    votes_needed,
)

SEVEN = frozenset({"VP_UBND", "TT_XTDT", "THANH_TRA", "SO_NV", "SO_TP", "SO_NGV", "BAN_DT"})
HALF_ALL = ShareRule(Fraction(1, 2), "all")
TWO_THIRDS = Fraction(2, 3)


def everyone_voted(members: frozenset[str] = SEVEN) -> Electorate:
    return Electorate(members, members, TWO_THIRDS)


# --- shares -------------------------------------------------------------------------------------


def test_configured_shares_are_read_as_simple_fractions() -> None:
    assert share(0.6667) == Fraction(2, 3)
    assert share(0.9) == Fraction(9, 10)
    assert share(0.5) == Fraction(1, 2)
    assert share("0.51") == Fraction(51, 100)
    with pytest.raises(ValueError):
        share(0)
    assert percent(Fraction(2, 3)) == "66,67%" and percent(Fraction(1, 2)) == "50%"


def test_two_thirds_of_fifteen_is_ten_not_eleven() -> None:
    # 0.6667 × 15 = 10.0005 would demand 11 members; read as 2/3 it is exactly 10.
    assert votes_needed(share(0.6667), 15) == 10
    assert quorum_met(10, 15, share(0.6667)) and not quorum_met(9, 15, share(0.6667))


def test_a_share_is_reached_at_least_and_a_zero_base_never() -> None:
    assert votes_needed(Fraction(1, 2), 6) == 3  # "từ 50% trở lên": 3 of 6 is enough
    assert votes_needed(Fraction(1, 2), 7) == 4
    assert votes_needed(Fraction(9, 10), 15) == 14
    assert votes_needed(Fraction(1, 2), 0) == 1


# --- the honouring ballot -----------------------------------------------------------------------


def test_seed_000_unanimous_ballot_honours_every_candidate_within_quota() -> None:
    counts = {u: Count(yes=6) for u in ("BAN_DT", "SO_NGV", "SO_TP", "THANH_TRA")}
    result = tally_honours([Candidate(u, i + 1) for i, u in enumerate(counts)], counts, slots=4, rule=HALF_ALL,
                           self_vote_allowed=False, electorate=everyone_voted())
    assert result.status == "decided"
    assert set(result.honoured) == set(counts)
    assert all(c.base == 6 and c.needed == 3 for c in result.candidates)  # its own ballot is left out


def test_more_winners_than_slots_go_by_votes_then_score_rank() -> None:
    counts = {"A": Count(yes=5, no=1), "B": Count(yes=5, no=1), "C": Count(yes=6)}
    ranks = {"A": 2, "B": 1, "C": 5}
    result = tally_honours([Candidate(u, ranks[u]) for u in counts], counts, slots=2, rule=HALF_ALL,
                           self_vote_allowed=True, electorate=everyone_voted(frozenset("ABCDEFG")))
    assert result.honoured == ("C", "B") and result.not_honoured == ("A",)


def test_a_tie_at_the_quota_edge_leaves_the_tied_undecided_and_honours_those_ahead() -> None:
    counts = {"A": Count(yes=6), "B": Count(yes=4, no=2), "C": Count(yes=4, no=2), "D": Count(yes=1, no=5)}
    candidates = [Candidate("A", 1), Candidate("B", 2), Candidate("C", 2), Candidate("D", 4)]
    result = tally_honours(candidates, counts, slots=2, rule=HALF_ALL, self_vote_allowed=True,
                           electorate=everyone_voted(frozenset("ABCDEFG")))
    assert result.status == "tie"
    assert result.honoured == ("A",)
    assert set(result.tied) == {"B", "C"} and result.undecided == result.tied
    assert result.not_honoured == ("D",)


def test_a_tie_below_the_edge_is_no_tie() -> None:
    counts = {"A": Count(yes=4), "B": Count(yes=4)}
    result = tally_honours([Candidate("A", 1), Candidate("B", 1)], counts, slots=2, rule=HALF_ALL, self_vote_allowed=True,
                           electorate=everyone_voted(frozenset("ABCDEFG")))
    assert result.status == "decided" and set(result.honoured) == {"A", "B"}


def test_abstentions_count_as_cast_but_never_as_yes() -> None:
    members = frozenset("ABCDEF")
    voted = frozenset("ABCDE")
    present = ShareRule(Fraction(1, 2), "present")
    # 5 ballots, A's own left out (no self-votes): base 4; 2 yes + 2 abstain reaches exactly half.
    result = tally_honours([Candidate("A", 1)], {"A": Count(yes=2, abstain=2)}, slots=1, rule=present, self_vote_allowed=False,
                           electorate=Electorate(members, voted, TWO_THIRDS))
    assert result.candidates[0].base == 4 and result.honoured == ("A",)
    # One more abstention instead of a yes: 1 of 4 is not half.
    result = tally_honours([Candidate("A", 1)], {"A": Count(yes=1, abstain=3)}, slots=1, rule=present, self_vote_allowed=False,
                           electorate=Electorate(members, voted, TWO_THIRDS))
    assert result.not_honoured == ("A",)


def test_a_ballot_without_quorum_is_void_and_uncounted() -> None:
    electorate = Electorate(SEVEN, frozenset({"SO_NV", "SO_TP", "BAN_DT", "VP_UBND"}), TWO_THIRDS)  # 4 of 7 < 2/3
    result = tally_honours([Candidate("SO_NV", 1)], {"SO_NV": Count(yes=3)}, slots=1, rule=HALF_ALL, self_vote_allowed=False,
                           electorate=electorate)
    assert result.status == "no_quorum" and result.honoured == ()
    assert result.undecided == ("SO_NV",)
    assert "yes" not in result.as_dict()["candidates"][0]


def test_no_slot_left_means_nobody_is_honoured() -> None:
    result = tally_honours([Candidate("A", 1)], {"A": Count(yes=7)}, slots=0, rule=HALF_ALL, self_vote_allowed=True,
                           electorate=everyone_voted(frozenset("ABCDEFG")))
    assert result.status == "decided" and result.honoured == () and result.not_honoured == ("A",)


def test_all_and_present_bases_differ_when_units_stay_away() -> None:
    electorate = Electorate(SEVEN, frozenset({"VP_UBND", "TT_XTDT", "THANH_TRA", "SO_TP", "BAN_DT"}), TWO_THIRDS)
    counts = {"SO_NV": Count(yes=3, no=2)}
    on_all = tally_honours([Candidate("SO_NV")], counts, slots=1, rule=HALF_ALL, self_vote_allowed=False, electorate=electorate)
    on_present = tally_honours([Candidate("SO_NV")], counts, slots=1, rule=ShareRule(Fraction(1, 2), "present"),
                               self_vote_allowed=False, electorate=electorate)
    assert on_all.candidates[0].base == 6 and on_present.candidates[0].base == 5  # SO_NV did not vote: nothing to leave out
    assert on_all.honoured == ("SO_NV",) and on_present.honoured == ("SO_NV",)


# --- the election -------------------------------------------------------------------------------


def test_election_winner_tie_and_runoff() -> None:
    rule = ShareRule(Fraction(1, 2), "present")
    elected = tally_election("head", ["THANH_TRA", "SO_TP"], {"THANH_TRA": 5, "SO_TP": 2}, abstain=0, rule=rule, electorate=everyone_voted())
    assert elected.status == "elected" and elected.winner == "THANH_TRA"
    tie = tally_election("head", ["THANH_TRA", "SO_TP"], {"THANH_TRA": 3, "SO_TP": 3}, abstain=1, rule=rule, electorate=everyone_voted())
    assert tie.status == "tie" and set(tie.runoff) == {"THANH_TRA", "SO_TP"} and tie.winner is None
    split = tally_election("head", ["A", "B", "C"], {"A": 3, "B": 2, "C": 1}, abstain=1, rule=rule,
                           electorate=everyone_voted(frozenset("ABCDEFG")))
    assert split.status == "no_majority" and split.runoff == ("A", "B")


def test_one_unit_cannot_be_head_and_deputy() -> None:
    rule = ShareRule(Fraction(1, 2), "present")
    head = tally_election("head", ["SO_NV"], {"SO_NV": 7}, abstain=0, rule=rule, electorate=everyone_voted())
    deputy = tally_election("deputy", ["SO_NV", "SO_TP"], {"SO_NV": 4, "SO_TP": 3}, abstain=0, rule=rule, electorate=everyone_voted())
    head, deputy = resolve_leadership(head, deputy)
    assert head.winner == "SO_NV" and deputy.status == "same_as_head" and deputy.runoff == ("SO_TP",)


# --- the council --------------------------------------------------------------------------------

CSTD_TP = CouncilRule(share(0.6667), share(0.9), "all", True)


def test_council_threshold_on_all_members_vs_present_members() -> None:
    counts = Count(yes=11, no=1)
    on_all = tally_council_item(CSTD_TP, members=15, present=12, in_person=counts, absentee=Count())
    on_present = tally_council_item(CouncilRule(CSTD_TP.quorum, CSTD_TP.threshold, "present", True), members=15, present=12,
                                    in_person=counts, absentee=Count())
    assert (on_all.outcome, on_all.base, on_all.needed) == ("not_passed", 15, 14)
    assert (on_present.outcome, on_present.base, on_present.needed) == ("passed", 12, 11)


def test_absentee_papers_count_only_where_the_award_allows_them() -> None:
    papers = {"members": 15, "present": 11, "in_person": Count(yes=11), "absentee": Count(yes=3, no=1)}
    allowed = tally_council_item(CSTD_TP, **papers)
    refused = tally_council_item(CouncilRule(CSTD_TP.quorum, CSTD_TP.threshold, "all", False), **papers)
    assert (allowed.outcome, allowed.count.yes, allowed.absentee) == ("passed", 14, 4)
    assert (refused.outcome, refused.count.yes, refused.absentee) == ("not_passed", 11, 0)


def test_written_ballots_do_not_make_a_quorum() -> None:
    result = tally_council_item(CSTD_TP, members=15, present=9, in_person=Count(yes=9), absentee=Count(yes=6))
    assert result.outcome == "no_quorum" and result.quorum_needed == 10
    assert "yes" not in result.as_dict()


def test_present_members_without_a_paper_abstain() -> None:
    rule = CouncilRule(TWO_THIRDS, Fraction(1, 2), "present", True)
    result = tally_council_item(rule, members=15, present=12, in_person=Count(yes=6, no=2), absentee=Count())
    assert result.not_voted == 4 and result.base == 12 and result.outcome == "passed"  # 6 of 12: at least half
    assert result.as_dict()["abstain"] == 4


def test_impossible_counts_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        tally_council_item(CSTD_TP, members=15, present=10, in_person=Count(yes=11), absentee=Count())
    with pytest.raises(ValueError):
        tally_council_item(CSTD_TP, members=15, present=14, in_person=Count(), absentee=Count(yes=2))
    with pytest.raises(ValueError):
        Electorate(frozenset("AB"), frozenset("ABC"), TWO_THIRDS)


# --- properties -----------------------------------------------------------------------------------

shares = st.fractions(min_value=Fraction(1, 100), max_value=1, max_denominator=100)


@st.composite
def honour_ballots(draw):  # type: ignore[no-untyped-def]
    """Members, who voted, candidates with ranks, and papers (each a dict candidate → choice)."""
    n = draw(st.integers(min_value=2, max_value=9))
    members = [f"U{i}" for i in range(n)]
    voted = draw(st.lists(st.sampled_from(members), unique=True, max_size=n))
    candidates = draw(st.lists(st.sampled_from(members), unique=True, min_size=1, max_size=n))
    ranks = {c: draw(st.one_of(st.none(), st.integers(min_value=1, max_value=4))) for c in candidates}
    self_ok = draw(st.booleans())
    papers = {v: {c: draw(st.sampled_from(["yes", "no", "abstain"])) for c in candidates if self_ok or c != v} for v in voted}
    rule = ShareRule(draw(shares), draw(st.sampled_from(["all", "present"])))
    quorum = draw(shares)
    slots = draw(st.integers(min_value=0, max_value=n))
    return members, voted, candidates, ranks, self_ok, papers, rule, quorum, slots


def _count(papers: dict, candidates: list[str]) -> dict[str, Count]:
    return {c: Count.of(p[c] for p in papers.values() if c in p) for c in candidates}


def _tally(members, voted, candidates, ranks, self_ok, papers, rule, quorum, slots):  # type: ignore[no-untyped-def]
    return tally_honours([Candidate(c, ranks[c]) for c in candidates], _count(papers, candidates), slots=slots, rule=rule,
                         self_vote_allowed=self_ok, electorate=Electorate(frozenset(members), frozenset(voted), quorum))


@settings(max_examples=200, deadline=None)
@given(honour_ballots())
def test_honours_partition_the_candidates_and_respect_quota_and_threshold(ballot) -> None:  # type: ignore[no-untyped-def]
    members, voted, candidates, _ranks, self_ok, _papers, rule, quorum, slots = ballot
    result = _tally(*ballot)
    outcomes = [c.outcome for c in result.candidates]
    assert sorted(c.unit for c in result.candidates) == sorted(candidates)  # every candidate once
    assert len(result.honoured) <= slots
    if result.status == "no_quorum":
        assert set(outcomes) == {"void"} and not quorum_met(len(voted), len(members), quorum)
        return
    assert "void" not in outcomes
    for c in result.candidates:
        # Papers that can speak for a candidate: every ballot cast, less its own without self-votes.
        speaking = len(voted) - (0 if self_ok or c.unit not in voted else 1)
        assert c.count.ballots == speaking
        assert c.count.yes <= c.base
        if c.outcome in ("honoured", "tied"):
            assert c.reached and c.count.yes >= rule.threshold * c.base and c.base > 0
    assert (result.status == "tie") == bool(result.tied)
    if result.tied:
        assert len(result.honoured) < slots < len(result.honoured) + len(result.tied)
    # Anyone honoured beats anyone not honoured who reached the threshold (votes, then rank).
    key = {c.unit: (-c.count.yes, c.score_rank or 99) for c in result.candidates}
    for h in result.honoured:
        for other in result.candidates:
            if other.reached and other.outcome == "not_honoured":
                assert key[h] <= key[other.unit]


@settings(max_examples=200, deadline=None)
@given(honour_ballots(), st.randoms(use_true_random=False))
def test_honours_do_not_depend_on_the_order_of_papers_or_candidates(ballot, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    members, voted, candidates, ranks, self_ok, papers, rule, quorum, slots = ballot
    shuffled_candidates = candidates[:]
    rnd.shuffle(shuffled_candidates)
    shuffled_papers = dict(rnd.sample(list(papers.items()), len(papers)))
    a = _tally(*ballot)
    b = _tally(members, voted, shuffled_candidates, ranks, self_ok, shuffled_papers, rule, quorum, slots)
    assert (a.status, set(a.honoured), set(a.tied), set(a.not_honoured)) == (b.status, set(b.honoured), set(b.tied), set(b.not_honoured))


@settings(max_examples=200, deadline=None)
@given(honour_ballots(), st.data())
def test_turning_an_abstention_into_yes_never_costs_a_winner_its_place(ballot, data) -> None:  # type: ignore[no-untyped-def]
    members, voted, candidates, ranks, self_ok, papers, rule, quorum, slots = ballot
    before = _tally(*ballot)
    winner = data.draw(st.sampled_from(before.honoured)) if before.honoured else None
    abstaining = [v for v, p in papers.items() if winner is not None and p.get(winner) == "abstain"]
    if not abstaining:
        return  # nothing to turn: the property is about the other cases
    voter = data.draw(st.sampled_from(abstaining))
    papers = {**papers, voter: {**papers[voter], winner: "yes"}}
    after = _tally(members, voted, candidates, ranks, self_ok, papers, rule, quorum, slots)
    assert winner in after.honoured


@st.composite
def council_votes(draw):  # type: ignore[no-untyped-def]
    members = draw(st.integers(min_value=1, max_value=25))
    present = draw(st.integers(min_value=0, max_value=members))
    cast = draw(st.integers(min_value=0, max_value=present))
    yes = draw(st.integers(min_value=0, max_value=cast))
    no = draw(st.integers(min_value=0, max_value=cast - yes))
    absent_cast = draw(st.integers(min_value=0, max_value=members - present))
    a_yes = draw(st.integers(min_value=0, max_value=absent_cast))
    a_no = draw(st.integers(min_value=0, max_value=absent_cast - a_yes))
    rule = CouncilRule(draw(shares), draw(shares), draw(st.sampled_from(["all", "present"])), draw(st.booleans()))
    return rule, members, present, Count(yes, no, cast - yes - no), Count(a_yes, a_no, absent_cast - a_yes - a_no)


@settings(max_examples=200, deadline=None)
@given(council_votes())
def test_council_outcome_invariants(votes) -> None:  # type: ignore[no-untyped-def]
    rule, members, present, in_person, absentee = votes
    result = tally_council_item(rule, members=members, present=present, in_person=in_person, absentee=absentee)
    has_quorum = quorum_met(present, members, rule.quorum)
    assert (result.outcome == "no_quorum") == (not has_quorum)
    if not has_quorum:
        return
    counted = in_person + (absentee if rule.absentee_ballots else Count())
    assert result.count == counted
    assert result.count.yes <= result.base <= members
    assert (result.outcome == "passed") == (result.count.yes >= rule.threshold * result.base and result.base > 0)
    # The 'present' base is never larger than 'all': passing on all members passes on those present.
    other = CouncilRule(rule.quorum, rule.threshold, "present", rule.absentee_ballots)
    if rule.denominator == "all" and result.outcome == "passed":
        assert tally_council_item(other, members=members, present=present, in_person=in_person, absentee=absentee).outcome == "passed"


@settings(max_examples=200, deadline=None)
@given(council_votes())
def test_one_more_yes_never_turns_a_pass_into_a_fail(votes) -> None:  # type: ignore[no-untyped-def]
    rule, members, present, in_person, absentee = votes
    before = tally_council_item(rule, members=members, present=present, in_person=in_person, absentee=absentee)
    if in_person.abstain == 0:
        return
    after = tally_council_item(rule, members=members, present=present, in_person=Count(in_person.yes + 1, in_person.no, in_person.abstain - 1),
                               absentee=absentee)
    assert after.outcome == "passed" or before.outcome != "passed"
    assert after.count.yes == before.count.yes + (0 if before.outcome == "no_quorum" else 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=6), shares, st.integers(min_value=0, max_value=3))
def test_election_has_at_most_one_winner_with_the_most_votes(votes: list[int], threshold: Fraction, abstain: int) -> None:
    names = [f"U{i}" for i in range(len(votes))]
    members = frozenset(names) | {f"X{i}" for i in range(3)}
    voted = frozenset(list(members)[: min(len(members), sum(votes) + abstain)])
    result = tally_election("head", names, dict(zip(names, votes)), abstain=abstain, rule=ShareRule(threshold, "all"),
                            electorate=Electorate(members, voted, Fraction(1, 100)))
    if result.status == "elected":
        assert votes[names.index(result.winner)] == max(votes) and votes.count(max(votes)) == 1  # type: ignore[arg-type]
        assert max(votes) >= threshold * len(members)
    else:
        assert result.winner is None and result.runoff
        assert all(votes[names.index(u)] >= sorted(set(votes), reverse=True)[:2][-1] for u in result.runoff)
