"""Council sessions on SQLite and PostgreSQL: agenda, attendance, secret papers in person and in
writing, quorum and thresholds per award from the catalogue, results through the one write path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session, select

from config.catalogue import catalogue
from config.council import council_of
from service import audit, council
from service.actors import Actor
from service.cycle_models import CouncilSession
from service.demo import DemoNomination, drive
from service.errors import AlreadyVoted, Conflict, Forbidden, InvalidInput, NotAVoter
from service.models import Nomination
from workflow.errors import TransitionRefused
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)
MEMBERS = [f"HD{i:02d}" for i in range(1, 16)]
TO_COUNCIL = ["submit", "endorse", "receive", "start_appraisal", "send_to_council"]


def member(code: str) -> Actor:
    """The council member's account (usernames as in config/demo/council.yaml)."""
    usernames = {m.code: m.username for m in council_of(2026).members}  # type: ignore[union-attr]
    return Actor(usernames[code], Role.COUNCIL_MEMBER)


@pytest.fixture
def at_council(session: Session) -> list[Nomination]:
    council.load_council_members(session, 2026)
    return [drive(session, DemoNomination(person=p, award="CSTD_TP", campaign="TK-2026", steps=TO_COUNCIL)) for p in ("P001", "P002", "P003")]


def scheduled(session: Session, nominations: list[Nomination]) -> CouncilSession:
    cs = council.schedule_session(session, actor=BOARD, year=2026, title_vi="Phiên họp xét danh hiệu Chiến sĩ thi đua thành phố",
                                  scheduled_on=date(2026, 12, 10))
    for n in nominations:
        council.add_to_agenda(session, cs.id, n.id, actor=BOARD)  # type: ignore[arg-type]
    return cs


def vote(session: Session, cs: CouncilSession, codes: list[str], choice: str, nominations: list[Nomination]) -> None:
    for code in codes:
        council.cast_council_ballot(session, cs.id, actor=member(code), choices={n.id: choice for n in nominations})  # type: ignore[misc]


@pytest.fixture
def rule(monkeypatch: pytest.MonkeyPatch) -> Iterator:  # type: ignore[type-arg]
    """Change an award's council rule in the loaded catalogue for one test (restored after)."""
    cat = catalogue()

    def change(award_code: str, **fields: object) -> None:
        for rs in list(cat.rulesets):
            award = rs.award(award_code)
            new_award = award.model_copy(update={"council_vote": award.council_vote.model_copy(update=fields)})  # type: ignore[union-attr]
            new_rs = rs.model_copy(update={"awards": [new_award if a.code == award_code else a for a in rs.awards]})
            monkeypatch.setitem(cat._by_version, rs.version, new_rs)
        monkeypatch.setattr(cat, "rulesets", [cat._by_version[r.version] for r in cat.rulesets])

    yield change


def test_absentee_written_ballots_count_for_awards_that_allow_them(session: Session, at_council: list[Nomination]) -> None:
    n = at_council[0]
    cs = scheduled(session, [n])
    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:11])
    vote(session, cs, MEMBERS[:11], "yes", [n])  # 11 in person
    assert council.cast_council_ballot(session, cs.id, actor=member("HD12"), choices={n.id: "yes"}) == "absentee"  # type: ignore[dict-item]
    council.cast_council_ballot(session, cs.id, actor=member("HD13"), choices={n.id: "yes"})  # type: ignore[dict-item]
    council.cast_council_ballot(session, cs.id, actor=member("HD14"), choices={n.id: "yes"})  # type: ignore[dict-item]
    assert council.voters(session, cs.id)[-4:] == [("HD11", "in_person"), ("HD12", "absentee"), ("HD13", "absentee"), ("HD14", "absentee")]
    with pytest.raises(Conflict):  # a member who voted in writing is not then counted present
        council.record_arrival(session, cs.id, actor=BOARD, member_code="HD12")
    council.close_session(session, cs.id, actor=BOARD)
    # CSTD_TP: 90% of all 15 members = 14 yes; 11 in person + 3 in writing.
    passed = session.get(Nomination, n.id)
    assert passed.state == "council_passed"
    tally = audit.payload_of(audit.entries_of(session, f"nomination:{n.id}")[-1])["tally"]
    assert (tally["yes"], tally["absentee"], tally["base"], tally["needed"], tally["denominator"]) == (14, 3, 15, 14, "all")
    minutes = council.minutes(session, cs.id)
    assert minutes["absentee_papers"] == ["HD12", "HD13", "HD14"] and minutes["papers"] == 14


def test_without_the_written_ballots_the_same_votes_fall_short(session: Session, at_council: list[Nomination], rule) -> None:  # type: ignore[no-untyped-def]
    rule("CSTD_TP", absentee_ballots=False)
    n = at_council[0]
    cs = scheduled(session, [n])
    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:11])
    vote(session, cs, MEMBERS[:11], "yes", [n])
    with pytest.raises(InvalidInput) as caught:
        council.cast_council_ballot(session, cs.id, actor=member("HD12"), choices={n.id: "yes"})  # type: ignore[dict-item]
    assert "vắng mặt" in caught.value.message_vi and f"#{n.id}" in caught.value.message_vi
    council.close_session(session, cs.id, actor=BOARD)
    failed = session.get(Nomination, n.id)
    assert failed.state == "not_awarded"
    assert failed.outcome_reason == "Hội đồng không thông qua: 11/15 phiếu đồng ý, cần từ 14 (90% tổng số thành viên Hội đồng)."


@pytest.mark.parametrize("denominator, expected", [("all", "not_awarded"), ("present", "council_passed")])
def test_the_threshold_counted_on_all_members_or_on_those_present(
    session: Session, at_council: list[Nomination], rule, denominator: str, expected: str  # type: ignore[no-untyped-def]
) -> None:
    if denominator == "present":
        rule("CSTD_TP", denominator="present")
    n = at_council[0]
    cs = scheduled(session, [n])
    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:12])
    vote(session, cs, MEMBERS[:11], "yes", [n])
    vote(session, cs, MEMBERS[11:12], "no", [n])
    council.close_session(session, cs.id, actor=BOARD)
    assert session.get(Nomination, n.id).state == expected
    tally = audit.payload_of(audit.entries_of(session, f"nomination:{n.id}")[-1])["tally"]
    # 11 yes of 12 present: 91.7% of those present, 73.3% of all 15; 90% is needed.
    assert (tally["yes"], tally["base"], tally["needed"]) == ((11, 15, 14) if denominator == "all" else (11, 12, 11))


def test_a_failed_quorum_leaves_the_nomination_at_the_council_for_another_session(session: Session, at_council: list[Nomination]) -> None:
    n = at_council[0]
    cs = scheduled(session, [n])
    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:9])  # 9 of 15: two thirds is 10
    vote(session, cs, MEMBERS[:9], "yes", [n])
    vote(session, cs, MEMBERS[9:15], "yes", [n])  # written ballots do not make a quorum
    council.close_session(session, cs.id, actor=BOARD)
    assert session.get(Nomination, n.id).state == "at_council"
    item = council.agenda(session, cs.id)[0]
    assert item.outcome == "no_quorum" and "yes" not in item.tally and item.tally["quorum_needed"] == 10
    council.sign_minutes(session, cs.id, actor=BOARD, signed_by="Chủ tịch Hội đồng")
    # The next session takes it up again.
    again = scheduled(session, [n])
    council.open_session(session, again.id, actor=BOARD, present=MEMBERS)
    vote(session, again, MEMBERS, "yes", [n])
    council.close_session(session, again.id, actor=BOARD)
    assert session.get(Nomination, n.id).state == "council_passed"


def test_refused_papers_and_agenda_changes(session: Session, at_council: list[Nomination]) -> None:
    n, m, _ = at_council
    cs = scheduled(session, [n])
    with pytest.raises(Conflict):  # already on a pending agenda
        council.add_to_agenda(session, cs.id, n.id, actor=BOARD)  # type: ignore[arg-type]
    other = drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))
    with pytest.raises(InvalidInput):  # not at the council
        council.add_to_agenda(session, cs.id, other.id, actor=BOARD)  # type: ignore[arg-type]
    with pytest.raises(Conflict):  # not open yet
        council.cast_council_ballot(session, cs.id, actor=member("HD01"), choices={n.id: "yes"})  # type: ignore[dict-item]
    with pytest.raises(Forbidden):
        council.open_session(session, cs.id, actor=member("HD01"), present=MEMBERS)
    empty = council.schedule_session(session, actor=BOARD, year=2026, title_vi="Phiên họp chưa có nội dung", scheduled_on=date(2026, 12, 20))
    with pytest.raises(TransitionRefused):
        council.open_session(session, empty.id, actor=BOARD, present=MEMBERS)

    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:12])
    with pytest.raises(NotAVoter) as caught:
        council.cast_council_ballot(session, cs.id, actor=Actor("hd.khach", Role.COUNCIL_MEMBER), choices={n.id: "yes"})  # type: ignore[dict-item]
    assert "hd.khach" in caught.value.message_vi and f"#{cs.id}" in caught.value.message_vi
    with pytest.raises(NotAVoter):  # the Board's officer is not a council member
        council.cast_council_ballot(session, cs.id, actor=BOARD, choices={n.id: "yes"})  # type: ignore[dict-item]
    council.cast_council_ballot(session, cs.id, actor=member("HD01"), choices={str(n.id): "yes"})  # type: ignore[dict-item]  (as from JSON)
    with pytest.raises(AlreadyVoted) as caught:
        council.cast_council_ballot(session, cs.id, actor=member("HD01"), choices={n.id: "no"})  # type: ignore[dict-item]
    assert "HD01" in caught.value.message_vi and "một phiếu" in caught.value.message_vi
    with pytest.raises(InvalidInput):  # not on this agenda
        council.cast_council_ballot(session, cs.id, actor=member("HD02"), choices={m.id: "yes"})  # type: ignore[dict-item]
    with pytest.raises(Conflict):  # no early results
        council.minutes(session, cs.id)
    assert council.has_voted(session, cs.id, "HD01") and not council.has_voted(session, cs.id, "HD02")


def test_a_session_from_schedule_to_signed_minutes_is_audited_end_to_end(session: Session, at_council: list[Nomination]) -> None:
    cs = scheduled(session, at_council)
    council.open_session(session, cs.id, actor=BOARD, present=MEMBERS[:13])
    council.record_arrival(session, cs.id, actor=BOARD, member_code="HD14")
    vote(session, cs, MEMBERS[:14], "yes", at_council[:2])  # the third nomination gets blanks from all: abstentions
    council.close_session(session, cs.id, actor=BOARD)
    council.sign_minutes(session, cs.id, actor=BOARD, signed_by="Trần Văn Khải, Chủ tịch Hội đồng")
    session.refresh(cs)
    assert cs.state == "minutes_signed" and cs.minutes_signed_by.startswith("Trần Văn Khải")  # type: ignore[union-attr]
    states = [session.get(Nomination, n.id).state for n in at_council]
    assert states == ["council_passed", "council_passed", "not_awarded"]
    assert [i["outcome"] for i in cs.minutes["items"]] == ["passed", "passed", "not_passed"]
    assert cs.minutes["items"][2]["abstain"] == 14
    entries = audit.entries_of(session, f"council_session:{cs.id}")
    assert [e.action for e in entries][:4] == ["schedule", "add_to_agenda", "add_to_agenda", "add_to_agenda"]
    assert [e.seq for e in entries] == list(range(1, cs.version + 1)) and entries[-1].to_state == "minutes_signed"
    assert all(set(audit.payload_of(e)) == {"voter", "channel"} for e in entries if e.action == "cast_ballot")
    assert audit.verify_all(session) == []
    assert session.exec(select(CouncilSession)).one().id == cs.id
