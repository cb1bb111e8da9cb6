"""The cluster's year end to end on SQLite and PostgreSQL: Cluster 6's 2023 year from seed 000,
scoring rules, refused votes, a tie, a failed quorum, re-votes, and the secrecy of the ballot."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from service import audit, ballots
from service import cluster_cycle as cycle
from service.actors import Actor
from service.cycle_models import BallotCount, BallotReceipt, ClusterScore, ClusterYear
from service.db import write_transaction
from service.errors import AlreadyVoted, Conflict, Forbidden, InvalidInput, NotAVoter
from service.models import Cluster, ClusterMember, Nomination
from service.nominations import create_nomination, endorse, submit
from tests.integration.cycle_helpers import (
    CLUSTER_6,
    DEPUTY,
    HEAD,
    MEETING,
    OK_GATES,
    criteria_points,
    member,
    paper,
    score_all,
    vote_all,
    year_at_ballot,
    year_in_scoring,
)
from workflow.errors import TransitionRefused
from workflow.roles import Role

SEED_000 = {"CO_TD_CP": ["SO_NV"], "CO_TD_TP": ["VP_UBND"], "BK_TP": ["BAN_DT", "SO_NGV", "SO_TP", "THANH_TRA"]}


def assert_chain_matches(session: Session, cy: ClusterYear) -> None:
    session.refresh(cy)
    entries = audit.entries_of(session, f"cluster_year:{cy.id}")
    assert [e.seq for e in entries] == list(range(1, cy.version + 1))
    assert entries[-1].to_state == cy.state
    assert audit.verify_all(session) == []


# --- acceptance: seed 000 -------------------------------------------------------------------------


def test_cluster_6_replays_its_2023_year_from_seed_000(session: Session) -> None:
    cy = year_in_scoring(session)
    assert cy.pledge["file"] == "pledge-2023.yaml" and cy.pledge_signed_on == date(2023, 3, 15)
    score_all(session, cy)
    # The head cross-checks one self-score, with a reason.
    cycle.review_score(session, cy.id, actor=HEAD, unit_code="TT_XTDT", adjustments={"II.2": 8},
                       reason="Vắng hai hoạt động chung của Cụm trong năm.")
    cy = cycle.close_scoring(session, cy.id, actor=HEAD)
    ranking = [(r["unit"], r["rank"]) for r in cy.ranking["units"]]
    assert ranking == [("SO_NV", 1), ("VP_UBND", 2), ("BAN_DT", 3), ("SO_NGV", 4), ("SO_TP", 5), ("THANH_TRA", 6), ("TT_XTDT", 7)]

    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates=SEED_000,
                                 election={"head": ["THANH_TRA"], "deputy": ["SO_NV"]}, today=MEETING)
    # "các đơn vị ... đã nhất trí suy tôn": every unit votes yes for every other candidate.
    vote_all(session, ballot, head="THANH_TRA", deputy="SO_NV")
    assert ballots.voters(session, ballot.id) == sorted(CLUSTER_6)
    ballot = ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)

    minutes = ballots.minutes(session, ballot.id)
    assert minutes["quorum_met"] and minutes["ballots_cast"] == 7
    honoured = {code: set(a["honoured"]) for code, a in minutes["awards"].items()}
    assert honoured == {"CO_TD_CP": {"SO_NV"}, "CO_TD_TP": {"VP_UBND"}, "BK_TP": {"BAN_DT", "SO_NGV", "SO_TP", "THANH_TRA"}}
    assert all(a["status"] == "decided" for a in minutes["awards"].values())
    assert minutes["undecided"] == {"awards": {}, "election": {}}

    nominations = session.exec(select(Nomination).order_by(Nomination.id)).all()
    assert {(n.award_code, n.nominee_unit_code) for n in nominations} == {
        ("CO_TD_CP", "SO_NV"), ("CO_TD_TP", "VP_UBND"),
        ("BK_TP", "BAN_DT"), ("BK_TP", "SO_NGV"), ("BK_TP", "SO_TP"), ("BK_TP", "THANH_TRA"),
    }
    cluster_2023 = session.exec(select(Cluster).where(Cluster.code == "CUM_6", Cluster.year == 2023)).one()
    for n in nominations:
        assert (n.state, n.track, n.year, n.cluster_id, n.ruleset_version) == ("cluster_endorsed", "cluster", 2023, cluster_2023.id, "2024.1")
        last = audit.entries_of(session, f"nomination:{n.id}")[-1]
        assert (last.action, last.actor, last.to_state) == ("record_cluster_result", HEAD.name, "cluster_endorsed")
        tally = audit.payload_of(last)["tally"]
        assert (tally["unit"], tally["award"], tally["ballot"], tally["yes"], tally["base"], tally["outcome"]) == (
            n.nominee_unit_code, n.award_code, ballot.id, 6, 6, "honoured")
        assert [e.action for e in audit.entries_of(session, f"nomination:{n.id}")] == ["create", "open_cluster_review", "record_cluster_result"]

    # Rotation: the Inspectorate heads the cluster in 2024 and Home Affairs is its deputy; the
    # 2024 record already exists (config/org/clusters.yaml) and matches.
    election = minutes["election"]
    assert (election["head"]["winner"], election["deputy"]["winner"]) == ("THANH_TRA", "SO_NV")
    assert election["rotation"]["status"] == "confirmed"
    cluster_2024 = session.exec(select(Cluster).where(Cluster.code == "CUM_6", Cluster.year == 2024)).one()
    assert (cluster_2024.head_unit, cluster_2024.deputy_unit) == ("THANH_TRA", "SO_NV")
    session.refresh(cy)
    assert (cy.state, cy.next_head_unit, cy.next_deputy_unit) == ("ballot_closed", "THANH_TRA", "SO_NV")

    cy = cycle.file_proposals(session, cy.id, actor=HEAD)
    assert cy.state == "proposals_filed"
    filed = audit.payload_of(audit.entries_of(session, f"cluster_year:{cy.id}")[-1])
    assert len(filed["proposed"]) == 6 and filed["closed_unhonoured"] == []
    assert_chain_matches(session, cy)


def test_the_election_creates_next_years_record_when_it_is_missing(session: Session) -> None:
    cy = year_at_ballot(session)
    with write_transaction(session):  # as if config/org had no 2024 entry for Cluster 6
        row = session.exec(select(Cluster).where(Cluster.code == "CUM_6", Cluster.year == 2024)).one()
        for m in session.exec(select(ClusterMember).where(ClusterMember.cluster_id == row.id)):
            session.delete(m)
        session.flush()
        session.delete(row)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={}, election={"head": ["THANH_TRA", "SO_TP"], "deputy": ["SO_NV"]},
                                 today=MEETING)
    vote_all(session, ballot, head="THANH_TRA", deputy="SO_NV")
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    rotation = ballots.minutes(session, ballot.id)["election"]["rotation"]
    assert rotation["status"] == "created"
    created = session.get(Cluster, rotation["cluster_id"])
    assert (created.code, created.year, created.head_unit, created.deputy_unit) == ("CUM_6", 2024, "THANH_TRA", "SO_NV")
    assert cycle.members_of(session, created.id) == sorted(CLUSTER_6)


def test_an_election_that_contradicts_the_configured_record_is_reported_not_applied(session: Session) -> None:
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={}, election={"head": ["SO_TP"], "deputy": ["SO_NGV"]}, today=MEETING)
    vote_all(session, ballot, head="SO_TP", deputy="SO_NGV")
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    rotation = ballots.minutes(session, ballot.id)["election"]["rotation"]
    assert rotation["status"] == "conflict" and rotation["recorded"] == {"head": "THANH_TRA", "deputy": "SO_NV"}
    row = session.exec(select(Cluster).where(Cluster.code == "CUM_6", Cluster.year == 2024)).one()
    assert (row.head_unit, row.deputy_unit) == ("THANH_TRA", "SO_NV")


# --- scoring -------------------------------------------------------------------------------------


def test_scoring_needs_evidence_every_gate_answered_and_points_within_the_table(session: Session) -> None:
    cy = year_in_scoring(session)
    points, evidence = criteria_points(cy, 0)
    with pytest.raises(InvalidInput) as caught:
        cycle.submit_self_score(session, cy.id, actor=member("SO_TP"), criteria=points, evidence={}, gates=OK_GATES)
    assert "tài liệu kiểm chứng" in caught.value.message_vi and "I.1" in caught.value.message_vi
    with pytest.raises(InvalidInput) as caught:
        cycle.submit_self_score(session, cy.id, actor=member("SO_TP"), criteria=points, evidence=evidence, gates={"no_discipline": True})
    assert "tasks_excellent" in caught.value.message_vi
    with pytest.raises(InvalidInput) as caught:
        cycle.submit_self_score(session, cy.id, actor=member("SO_TP"), criteria={**points, "I.1": 36}, evidence=evidence, gates=OK_GATES)
    assert "tối đa 35 điểm" in caught.value.message_vi
    with pytest.raises(NotAVoter) as caught:
        cycle.submit_self_score(session, cy.id, actor=member("SO_YT"), criteria=points, evidence=evidence, gates=OK_GATES)
    assert "SO_YT" in caught.value.message_vi and "Cụm thi đua số 6" in caught.value.message_vi
    assert session.exec(select(ClusterScore)).all() == []

    for unit in CLUSTER_6[:-1]:
        cycle.submit_self_score(session, cy.id, actor=member(unit), criteria=points, evidence=evidence, gates=OK_GATES)
    with pytest.raises(InvalidInput) as caught:
        cycle.close_scoring(session, cy.id, actor=HEAD)
    assert "BAN_DT" in caught.value.message_vi
    # Cross-checking follows the regulation of 2023: the head or deputy, never the unit itself.
    with pytest.raises(Forbidden):
        cycle.review_score(session, cy.id, actor=member("SO_NV"), unit_code="SO_TP", adjustments={"I.1": 30}, reason="chấm chéo")
    with pytest.raises(InvalidInput):
        cycle.review_score(session, cy.id, actor=HEAD, unit_code="SO_TP", adjustments={"I.1": 30}, reason=" ")
    score = cycle.review_score(session, cy.id, actor=DEPUTY, unit_code="SO_TP", adjustments={"I.1": 30}, gates={"no_discipline": False},
                               reason="Có cán bộ bị kỷ luật khiển trách tháng 10/2023.")
    sheet = cycle.effective_sheet(score)
    assert sheet.criteria["I.1"] == 30 and sheet.failed_gates == ("no_discipline",)
    assert score.adjustments["criteria"]["I.1"]["by"] == "TT_XTDT"
    review = audit.entries_of(session, f"cluster_year:{cy.id}")[-1]
    assert review.action == "review_score" and audit.payload_of(review)["changes"]["I.1"] == {"from": "35", "to": "30"}


def test_a_unit_failing_a_gate_cannot_stand_in_the_ballot(session: Session) -> None:
    cy = year_at_ballot(session, gates={"SO_TP": {"no_discipline": False, "tasks_excellent": True}})
    assert next(r for r in cy.ranking["units"] if r["unit"] == "SO_TP")["failed_gates"] == ["no_discipline"]
    with pytest.raises(InvalidInput) as caught:
        ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"BK_TP": ["SO_TP", "SO_NGV"]}, today=MEETING)
    assert "bị kỷ luật" in caught.value.message_vi and "Sở Tư pháp" in caught.value.message_vi
    assert session.get(ClusterYear, cy.id).state == "scoring_closed"


def test_only_the_head_or_deputy_drives_the_year(session: Session) -> None:
    cy = year_in_scoring(session)
    with pytest.raises(Forbidden):
        cycle.close_scoring(session, cy.id, actor=Actor("cum6.thanh_tra", Role.CLUSTER_HEAD, "THANH_TRA"))  # heads only from 2024
    with pytest.raises(TransitionRefused):
        cycle.sign_pledge(session, cy.id, actor=HEAD, signed_on=date(2023, 3, 15))


# --- ballots: refusals ----------------------------------------------------------------------------


def test_a_vote_by_a_non_member_and_a_second_vote_by_a_unit_are_refused(session: Session) -> None:
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates=SEED_000, today=MEETING)
    ballots.cast_ballot(session, ballot.id, actor=member("SO_TP"), choices=paper(ballot, "SO_TP"))
    version = session.get(ClusterYear, cy.id).version
    receipts = len(session.exec(select(BallotReceipt)).all())

    with pytest.raises(NotAVoter) as caught:  # a unit of Cluster 7
        ballots.cast_ballot(session, ballot.id, actor=member("SO_YT"), choices={})
    assert "SO_YT" in caught.value.message_vi and f"#{ballot.id}" in caught.value.message_vi
    assert "Cụm thi đua số 6" in caught.value.message_vi and "not a member" in caught.value.message_en
    assert caught.value.http_status == 403

    with pytest.raises(AlreadyVoted) as caught:
        ballots.cast_ballot(session, ballot.id, actor=member("SO_TP"), choices=paper(ballot, "SO_TP", no=["SO_NV"]))
    assert "Sở Tư pháp" in caught.value.message_vi and f"#{ballot.id}" in caught.value.message_vi
    assert "one paper" in caught.value.message_en and caught.value.http_status == 409

    with pytest.raises(InvalidInput) as caught:  # SO_NV may not vote for itself under the 2024.1 rule
        ballots.cast_ballot(session, ballot.id, actor=member("SO_NV"), choices={"CO_TD_CP": {"SO_NV": "yes"}})
    assert "tự bỏ phiếu" in caught.value.message_vi
    with pytest.raises(InvalidInput):
        ballots.cast_ballot(session, ballot.id, actor=member("SO_NV"), choices={"CO_TD_CP": {"BAN_DT": "yes"}})
    with pytest.raises(NotAVoter):  # the Board does not vote in a cluster
        ballots.cast_ballot(session, ballot.id, actor=Actor("ban", Role.BOARD_OFFICER), choices={})

    session.expire_all()
    assert session.get(ClusterYear, cy.id).version == version
    assert len(session.exec(select(BallotReceipt)).all()) == receipts
    assert ballots.has_voted(session, ballot.id, "SO_TP") and not ballots.has_voted(session, ballot.id, "SO_NV")

    vote_all(session, ballot, [u for u in CLUSTER_6 if u != "SO_TP"])
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    with pytest.raises(Conflict):
        ballots.cast_ballot(session, ballot.id, actor=member("SO_TP"), choices={})


def test_no_tally_is_shown_before_the_count_and_no_row_links_a_voter_to_a_choice(session: Session) -> None:
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND", "SO_NV"]}, today=MEETING)
    ballots.cast_ballot(session, ballot.id, actor=member("SO_TP"), choices={"CO_TD_TP": {"VP_UBND": "yes", "SO_NV": "no"}})
    ballots.cast_ballot(session, ballot.id, actor=member("BAN_DT"), choices={"CO_TD_TP": {"VP_UBND": "no", "SO_NV": "yes"}})
    with pytest.raises(Conflict) as caught:
        ballots.minutes(session, ballot.id)
    assert "kiểm phiếu" in caught.value.message_vi
    # The schema holds receipts (who voted) and counters (how many chose what), nothing joining them.
    columns = {t: {c["name"] for c in inspect(session.connection()).get_columns(t)} for t in ("ballot_receipts", "ballot_counts")}
    assert columns["ballot_receipts"] == {"box", "voter", "channel"}
    assert "voter" not in columns["ballot_counts"] and not {"id", "at", "created_at"} & columns["ballot_counts"]
    # Every counter was rewritten by the last paper, whatever it said.
    if session.get_bind().dialect.name == "postgresql":
        box = f"cluster_ballot:{ballot.id}"
        writers = session.execute(text("SELECT DISTINCT xmin::text FROM ballot_counts WHERE box = :b"), {"b": box}).all()
        last_receipt = session.execute(text("SELECT xmin::text FROM ballot_receipts WHERE box = :b AND voter = 'BAN_DT'"), {"b": box}).one()
        assert writers == [last_receipt]
    # The audit trail says who voted, never the choice.
    casts = [e for e in audit.entries_of(session, f"cluster_year:{cy.id}") if e.action == "cast_ballot"]
    assert [audit.payload_of(e) for e in casts] == [
        {"ballot": ballot.id, "round": 1, "voter": "SO_TP"}, {"ballot": ballot.id, "round": 1, "voter": "BAN_DT"}
    ]


# --- ties, quorum, re-votes ---------------------------------------------------------------------


def test_a_tie_at_the_quota_edge_is_re_voted_among_the_tied(session: Session) -> None:
    # VP_UBND and THANH_TRA hand in the same sheet: they share a score rank.
    cy = year_at_ballot(session, same=["VP_UBND", "THANH_TRA"])
    ranks = {r["unit"]: r["rank"] for r in cy.ranking["units"]}
    assert ranks["VP_UBND"] == ranks["THANH_TRA"]
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": ["VP_UBND", "THANH_TRA"]},
                                 election={"head": ["THANH_TRA", "SO_TP"], "deputy": ["SO_NV"]}, today=MEETING)
    # 4 yes each (their own lines left out): a tie for the one City flag. Head: 3–3, one abstains.
    split = {
        "VP_UBND": ({"THANH_TRA": "yes"}, "SO_TP"), "THANH_TRA": ({"VP_UBND": "yes"}, "THANH_TRA"),
        "SO_NV": ({"VP_UBND": "yes", "THANH_TRA": "no"}, "THANH_TRA"), "SO_TP": ({"VP_UBND": "yes", "THANH_TRA": "no"}, "SO_TP"),
        "SO_NGV": ({"VP_UBND": "no", "THANH_TRA": "yes"}, "THANH_TRA"), "BAN_DT": ({"VP_UBND": "no", "THANH_TRA": "yes"}, "SO_TP"),
        "TT_XTDT": ({"VP_UBND": "yes", "THANH_TRA": "yes"}, None),
    }
    for unit, (marks, head) in split.items():
        ballots.cast_ballot(session, ballot.id, actor=member(unit), choices={"CO_TD_TP": marks}, head=head, deputy="SO_NV")
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    minutes = ballots.minutes(session, ballot.id)
    award = minutes["awards"]["CO_TD_TP"]
    assert award["status"] == "tie" and set(award["tied"]) == {"VP_UBND", "THANH_TRA"} and award["honoured"] == []
    assert [c["yes"] for c in award["candidates"]] == [4, 4]
    assert minutes["election"]["head"]["status"] == "tie" and minutes["election"]["deputy"]["winner"] == "SO_NV"
    assert {k: {o: set(u) for o, u in v.items()} for k, v in minutes["undecided"].items()} == {
        "awards": {"CO_TD_TP": {"VP_UBND", "THANH_TRA"}}, "election": {"head": {"SO_TP", "THANH_TRA"}}}
    assert session.exec(select(Nomination)).all() == []  # nothing decided, nothing created
    with pytest.raises(TransitionRefused):
        ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"BK_TP": ["SO_NGV"]}, today=MEETING)

    revote = ballots.open_revote(session, cy.id, actor=HEAD)
    assert revote.round == 2
    assert set(revote.questions["awards"]) == {"CO_TD_TP"} and revote.questions["awards"]["CO_TD_TP"]["slots"] == 1
    assert revote.questions["election"]["offices"] == {"head": ["SO_TP", "THANH_TRA"]}
    for unit in CLUSTER_6:
        marks = {"VP_UBND": "yes", "THANH_TRA": "no"}
        marks.pop(unit, None)
        ballots.cast_ballot(session, revote.id, actor=member(unit), choices={"CO_TD_TP": marks}, head="THANH_TRA")
    ballots.close_ballot(session, revote.id, actor=HEAD, today=MEETING)
    minutes = ballots.minutes(session, revote.id)
    assert minutes["awards"]["CO_TD_TP"]["honoured"] == ["VP_UBND"] and minutes["undecided"] == {"awards": {}, "election": {}}
    assert minutes["election"]["head"]["winner"] == "THANH_TRA" and minutes["election"]["rotation"]["status"] == "confirmed"
    flag = session.exec(select(Nomination)).one()
    assert (flag.nominee_unit_code, flag.state) == ("VP_UBND", "cluster_endorsed")
    assert audit.payload_of(audit.entries_of(session, f"nomination:{flag.id}")[-1])["tally"]["round"] == 2
    cy = session.get(ClusterYear, cy.id)
    assert (cy.next_head_unit, cy.next_deputy_unit) == ("THANH_TRA", "SO_NV")
    with pytest.raises(TransitionRefused):  # everything is decided: no further re-vote
        ballots.open_revote(session, cy.id, actor=HEAD)
    assert_chain_matches(session, cy)


def test_a_failed_quorum_voids_the_round_and_a_re_vote_decides(session: Session) -> None:
    cy = year_at_ballot(session)
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_CP": ["SO_NV"]}, today=MEETING)
    vote_all(session, ballot, ["SO_NV", "SO_TP", "BAN_DT", "VP_UBND"])  # 4 of 7: under two thirds (5)
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    minutes = ballots.minutes(session, ballot.id)
    assert minutes["quorum_met"] is False and minutes["quorum"] == "66,67%" and minutes["ballots_cast"] == 4
    award = minutes["awards"]["CO_TD_CP"]
    assert award["status"] == "no_quorum" and award["honoured"] == []
    assert "yes" not in award["candidates"][0]  # void: the papers were never counted
    assert session.exec(select(BallotCount).where(BallotCount.box == f"cluster_ballot:{ballot.id}")).all() == []
    assert minutes["undecided"]["awards"] == {"CO_TD_CP": ["SO_NV"]}
    assert session.exec(select(Nomination)).all() == []

    revote = ballots.open_revote(session, cy.id, actor=DEPUTY)
    vote_all(session, revote)
    ballots.close_ballot(session, revote.id, actor=DEPUTY, today=MEETING)
    assert ballots.minutes(session, revote.id)["awards"]["CO_TD_CP"]["honoured"] == ["SO_NV"]
    assert session.exec(select(Nomination.state)).one() == "cluster_endorsed"


def test_a_ballot_with_no_and_abstentions_records_the_loser_not_honoured(session: Session) -> None:
    """A unit's own candidacy (submitted by the unit) enters review at the ballot; losing ends it with the count."""
    cy = year_at_ballot(session)
    n = create_nomination(session, actor=Actor("cb.sotp", Role.SUBMITTER, "SO_TP"), award_code="BK_TP", campaign_code="TK-2023",
                          year=2023, nominee_unit_code="SO_TP", track="cluster", today=MEETING)
    submit(session, n.id, actor=Actor("cb.sotp", Role.SUBMITTER, "SO_TP"))
    endorse(session, n.id, actor=Actor("tt.sotp", Role.UNIT_HEAD, "SO_TP"))
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"BK_TP": ["SO_TP", "SO_NGV"]}, today=MEETING)
    assert session.get(Nomination, n.id).state == "in_cluster_review"
    for unit in CLUSTER_6:
        no = ["SO_TP"] if unit in ("SO_NV", "VP_UBND", "BAN_DT") else []
        abstain = ["SO_TP"] if unit in ("SO_NGV", "TT_XTDT") else []
        ballots.cast_ballot(session, ballot.id, actor=member(unit), choices=paper(ballot, unit, no=no, abstain=abstain))
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    lost = session.get(Nomination, n.id)
    assert lost.state == "not_awarded"
    assert lost.outcome_reason == "Không được suy tôn «Bằng khen của Chủ tịch UBND Thành phố»: 1/6 phiếu đồng ý, cần từ 3 (50% tổng số đơn vị thành viên)."
    tally = audit.payload_of(audit.entries_of(session, f"nomination:{n.id}")[-1])["tally"]
    assert (tally["yes"], tally["no"], tally["abstain"], tally["outcome"]) == (1, 3, 2, "not_honoured")


def test_filing_closes_what_a_tie_left_undecided(session: Session) -> None:
    cy = year_at_ballot(session, same=["SO_NGV", "SO_TP"])
    units = ("SO_NGV", "SO_TP")
    for unit in units:
        n = create_nomination(session, actor=Actor(f"cb.{unit}", Role.SUBMITTER, unit), award_code="CO_TD_TP", campaign_code="TK-2023",
                              year=2023, nominee_unit_code=unit, track="cluster", today=MEETING)
        submit(session, n.id, actor=Actor(f"cb.{unit}", Role.SUBMITTER, unit))
        endorse(session, n.id, actor=Actor(f"tt.{unit}", Role.UNIT_HEAD, unit))
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates={"CO_TD_TP": list(units)}, today=MEETING)
    vote_all(session, ballot)  # 6 yes each: a tie for one flag
    ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)
    assert ballots.minutes(session, ballot.id)["awards"]["CO_TD_TP"]["status"] == "tie"
    cycle.file_proposals(session, cy.id, actor=HEAD)  # no re-vote
    for n in session.exec(select(Nomination)).all():
        assert n.state == "not_awarded" and "chưa có kết quả bỏ phiếu suy tôn" in n.outcome_reason  # type: ignore[operator]
