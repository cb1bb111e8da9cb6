"""Sessions of the city Emulation–Commendation Council ("phiên họp Hội đồng TĐKT TP").

The Board schedules a session and puts nominations that are *at the council* on its agenda;
opening the session records who is present in person. Each member casts one secret paper
(:mod:`service.ballot_box`) with yes / no / abstain per nomination; a member not present votes
in writing ("phiếu gửi bằng văn bản"), counted only for nominations whose award allows absentee
ballots. Closing applies each award's quorum, threshold and base from the catalogue
(``council_vote`` of the rule set the nomination started under, counted by
:func:`workflow.votes.tally_council_item`) and moves each nomination to *council-passed* or *not
awarded* through :func:`service.nominations.record_council_result`, with the tally in its audit
entry, in the same transaction. A nomination whose vote lacked quorum stays at the council for
a later session. The minutes are then signed.

Every step locks the session row and appends to the audit chain ``council_session:<id>``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from config.catalogue import CouncilVote, catalogue
from config.council import council_of
from service import ballot_box
from service import nominations as verbs
from service.actors import Actor
from service.cycle_models import (
    BallotCount,
    CouncilAgendaItem,
    CouncilMember,
    CouncilSession,
)
from service.cycle_writes import check_version, load_locked, record
from service.db import write_transaction
from service.errors import (
    AlreadyVoted,
    Conflict,
    Forbidden,
    InvalidInput,
    NotAVoter,
    NotFound,
)
from service.models import Nomination, utcnow
from workflow import council_session as machine
from workflow.nomination import STATE_LABELS
from workflow.roles import Role
from workflow.votes import (
    Choice,
    CouncilRule,
    Count,
    percent,
    share,
    tally_council_item,
)

KIND = "council_session"
WHAT_VI, WHAT_EN = "phiên họp Hội đồng TĐKT", "council session"
MANAGERS = frozenset({Role.BOARD_OFFICER, Role.ADMIN})
# Who runs the meeting (opens it, records arrivals, closes and counts): the Board's officer, the
# council's secretary ("thư ký Hội đồng", domain.md §2: "prepare council sessions"). Closing records
# each nomination's council result, a step of the Board's officer only (EVENT_ROLES); the system
# administrator (catalogue, clusters, calendar, users) records no council result and so does not
# run a session either.
RUNNERS = frozenset({Role.BOARD_OFFICER})
_BASE_LABEL = {"all": ("tổng số thành viên Hội đồng", "all council members"), "present": ("số thành viên tham gia biểu quyết", "members taking part")}


def box_of(cs: CouncilSession) -> str:
    return f"council_session:{cs.id}"


def question_of(nomination_id: int) -> str:
    return f"nomination:{nomination_id}"


# --- members ----------------------------------------------------------------------------------


def load_council_members(session: Session, year: int) -> int:
    """The council of ``year`` from ``config/demo/council.yaml`` (reference data, no audit)."""
    council = council_of(year)
    if council is None:
        raise InvalidInput(f"Chưa có danh sách Hội đồng TĐKT năm {year}.", f"There is no council list for {year}.")
    with write_transaction(session):
        known = set(session.exec(select(CouncilMember.code).where(CouncilMember.year == year)))
        for m in council.members:
            if m.code not in known:
                session.add(CouncilMember(year=year, code=m.code, full_name=m.full_name, position_vi=m.position_vi,
                                          unit_code=m.unit, username=m.username))
    return len(council.members)


def members_of(session: Session, year: int) -> list[CouncilMember]:
    return list(session.exec(select(CouncilMember).where(CouncilMember.year == year).order_by(CouncilMember.code)))


def rule_of(nomination: Nomination) -> CouncilVote:
    vote = catalogue().version(nomination.ruleset_version).award(nomination.award_code).council_vote
    if vote is None:  # the catalogue guarantees a council rule for every route with a council step
        raise InvalidInput(f"Hồ sơ #{nomination.id} không qua Hội đồng.", f"Nomination #{nomination.id} has no council step.")
    return vote


def _require_manager(actor: Actor) -> None:
    if actor.role not in MANAGERS:
        raise Forbidden("Chỉ chuyên viên Ban TĐKT chuẩn bị và điều hành phiên họp Hội đồng.",
                        "Only the Board's officers prepare and run council sessions.")


def _require_runner(actor: Actor) -> None:
    if actor.role not in RUNNERS:
        raise Forbidden("Chỉ chuyên viên Ban Thi đua – Khen thưởng (thư ký Hội đồng) điều hành phiên họp: khai mạc, ghi nhận "
                        "thành viên đến họp, kết thúc và kiểm phiếu.",
                        "Only the Emulation–Commendation Board's officer (the council's secretary) runs a session: opening it, "
                        "recording arrivals, closing and counting.")


# --- reading ------------------------------------------------------------------------------------


def _get(session: Session, session_id: int) -> CouncilSession:
    cs = session.get(CouncilSession, session_id, populate_existing=True)
    if cs is None:
        raise NotFound(f"Không tìm thấy phiên họp Hội đồng #{session_id}.", f"Council session #{session_id} was not found.")
    return cs


def agenda(session: Session, session_id: int) -> list[CouncilAgendaItem]:
    return list(session.exec(select(CouncilAgendaItem).where(CouncilAgendaItem.session_id == session_id).order_by(CouncilAgendaItem.position)))


def has_voted(session: Session, session_id: int, member_code: str) -> bool:
    return ballot_box.has_voted(session, box_of(_get(session, session_id)), member_code)


def voters(session: Session, session_id: int) -> list[tuple[str, str]]:
    """(member code, in_person | absentee) of every paper received: never what it said."""
    return ballot_box.voters(session, box_of(_get(session, session_id)))


def minutes(session: Session, session_id: int) -> dict[str, Any]:
    cs = _get(session, session_id)
    if cs.state not in ("closed", "minutes_signed"):
        raise Conflict(f"Phiên họp #{session_id} chưa kiểm phiếu; kết quả chỉ công bố sau khi kết thúc.",
                       f"Council session #{session_id} has not been counted yet; results come after it closes.")
    return dict(cs.minutes)


# --- preparing ----------------------------------------------------------------------------------


def schedule_session(session: Session, *, actor: Actor, year: int, title_vi: str, scheduled_on: date) -> CouncilSession:
    """Schedule a session ("lên lịch phiên họp") of the council of ``year``."""
    _require_manager(actor)
    if not title_vi.strip():
        raise InvalidInput("Hãy đặt tên phiên họp.", "Give the session a title.")
    with write_transaction(session):
        if not members_of(session, year):
            raise InvalidInput(f"Chưa có danh sách thành viên Hội đồng TĐKT năm {year}.", f"No council members are recorded for {year}.")
        cs = CouncilSession(year=year, title_vi=title_vi.strip(), scheduled_on=scheduled_on, state=machine.COUNCIL_SESSION.initial,
                            created_by=actor.name)
        record(session, cs, kind=KIND, actor=actor, action="schedule", from_state=None,
               payload={"year": year, "scheduled_on": scheduled_on.isoformat(), "title": cs.title_vi})
    return cs


def add_to_agenda(session: Session, session_id: int, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> CouncilAgendaItem:
    """Put a nomination that is at the council on the session's agenda ("đưa vào chương trình họp")."""
    _require_manager(actor)
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        check_version(cs, expected_version, what_vi=WHAT_VI, what_en=WHAT_EN)
        _require_state(cs, "scheduled", "bổ sung chương trình họp", "change the agenda")
        nomination = session.get(Nomination, nomination_id, populate_existing=True)
        if nomination is None:
            raise NotFound(f"Không tìm thấy hồ sơ #{nomination_id}.", f"Nomination #{nomination_id} was not found.")
        if nomination.state != "at_council":
            vi, en = STATE_LABELS[nomination.state]
            raise InvalidInput(f"Hồ sơ #{nomination_id} đang «{vi}», chưa trình Hội đồng.", f"Nomination #{nomination_id} is '{en}', not at the council.")
        pending = session.exec(
            select(CouncilAgendaItem.session_id)
            .join(CouncilSession, CouncilSession.id == CouncilAgendaItem.session_id)
            .where(CouncilAgendaItem.nomination_id == nomination_id, CouncilAgendaItem.outcome.is_(None),  # type: ignore[union-attr]
                   CouncilSession.state.in_(["scheduled", "open"]))  # type: ignore[attr-defined]
        ).first()
        if pending is not None:
            raise Conflict(f"Hồ sơ #{nomination_id} đã có trong chương trình phiên họp #{pending}.",
                           f"Nomination #{nomination_id} is already on the agenda of session #{pending}.")
        position = 1 + len(agenda(session, session_id))
        item = CouncilAgendaItem(session_id=session_id, nomination_id=nomination_id, position=position)
        session.add(item)
        record(session, cs, kind=KIND, actor=actor, action="add_to_agenda", from_state=cs.state,
               payload={"nomination_id": nomination_id, "award": nomination.award_code, "nominee": nomination.nominee_name, "position": position})
    return item


def remove_from_agenda(session: Session, session_id: int, nomination_id: int, *, actor: Actor, reason: str) -> None:
    """Take a nomination off a scheduled session's agenda, with the reason."""
    _require_manager(actor)
    if not reason.strip():
        raise InvalidInput("Hãy ghi lý do rút khỏi chương trình họp.", "Give the reason for removing it from the agenda.")
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        _require_state(cs, "scheduled", "sửa chương trình họp", "change the agenda")
        item = session.exec(select(CouncilAgendaItem).where(CouncilAgendaItem.session_id == session_id,
                                                            CouncilAgendaItem.nomination_id == nomination_id)).first()
        if item is None:
            raise NotFound(f"Hồ sơ #{nomination_id} không có trong chương trình phiên họp #{session_id}.",
                           f"Nomination #{nomination_id} is not on session #{session_id}'s agenda.")
        session.delete(item)
        record(session, cs, kind=KIND, actor=actor, action="remove_from_agenda", from_state=cs.state, reason=reason.strip(),
               payload={"nomination_id": nomination_id})


def _require_state(cs: CouncilSession, state: str, doing_vi: str, doing_en: str) -> None:
    if cs.state != state:
        here_vi, here_en = machine.STATE_LABELS[cs.state]
        need_vi, need_en = machine.STATE_LABELS[state]
        raise Conflict(f"Chỉ {doing_vi} khi phiên họp «{need_vi}»; phiên họp #{cs.id} đang «{here_vi}».",
                       f"You can only {doing_en} while the session is '{need_en}'; session #{cs.id} is '{here_en}'.")


# --- the meeting --------------------------------------------------------------------------------


def open_session(session: Session, session_id: int, *, actor: Actor, present: list[str], expected_version: int | None = None) -> CouncilSession:
    """Open the session ("khai mạc"), recording the members present in person."""
    _require_runner(actor)
    now = utcnow()
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        check_version(cs, expected_version, what_vi=WHAT_VI, what_en=WHAT_EN)
        items = agenda(session, session_id)
        old = cs.state
        new = machine.advance(old, "open_session", agenda_items=len(items))
        codes = {m.code for m in members_of(session, cs.year)}
        strangers = sorted(set(present) - codes)
        if strangers:
            raise InvalidInput(f"Không phải thành viên Hội đồng năm {cs.year}: {', '.join(strangers)}.",
                               f"Not council members in {cs.year}: {', '.join(strangers)}.")
        layout = []
        for item in items:
            nomination = session.get(Nomination, item.nomination_id, populate_existing=True)
            channels = [ballot_box.IN_PERSON] + ([ballot_box.ABSENTEE] if rule_of(nomination).absentee_ballots else [])  # type: ignore[arg-type]
            layout += [(question_of(item.nomination_id), "", c.value, ch) for c in Choice for ch in channels]
        ballot_box.open_box(session, box_of(cs), layout)
        cs.attendance = {"members": sorted(set(present))}
        cs.state, cs.state_entered_at = new, now
        record(session, cs, kind=KIND, actor=actor, action="open_session", from_state=old, now=now,
               payload={"present": cs.attendance["members"], "members": len(codes), "agenda": [i.nomination_id for i in items]})
    return cs


def record_arrival(session: Session, session_id: int, *, actor: Actor, member_code: str) -> CouncilSession:
    """A member arrives after the opening and is counted present (unless already voted in writing)."""
    _require_runner(actor)
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        _require_state(cs, "open", "ghi nhận thành viên đến họp", "record an arrival")
        if member_code not in {m.code for m in members_of(session, cs.year)}:
            raise InvalidInput(f"«{member_code}» không phải thành viên Hội đồng năm {cs.year}.", f"{member_code} is not a council member in {cs.year}.")
        if ballot_box.has_voted(session, box_of(cs), member_code):
            raise Conflict(f"Thành viên {member_code} đã gửi phiếu bằng văn bản; không ghi nhận có mặt để bỏ phiếu lần nữa.",
                           f"Member {member_code} has already voted in writing and cannot be counted present to vote again.")
        present = sorted(set(cs.attendance.get("members", [])) | {member_code})
        cs.attendance = {"members": present}
        record(session, cs, kind=KIND, actor=actor, action="record_arrival", from_state=cs.state, payload={"member": member_code})
    return cs


def cast_council_ballot(session: Session, session_id: int, *, actor: Actor, choices: dict[int, str]) -> str:
    """A council member casts its secret paper: nomination id → yes / no / abstain (blank =
    abstain). A member present in person votes on every item; an absent member's paper is a
    written ballot, accepted only for items whose award allows one. Returns the channel."""
    try:
        choices = {int(k): v for k, v in choices.items()}  # JSON bodies carry the ids as strings
    except ValueError:
        raise InvalidInput("Phiếu phải ghi theo số hồ sơ.", "A paper lists nominations by their number.") from None
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        member = session.exec(select(CouncilMember).where(CouncilMember.year == cs.year, CouncilMember.username == actor.name)).first()
        if actor.role is not Role.COUNCIL_MEMBER or member is None:
            raise NotAVoter(
                f"«{actor.name}» không phải thành viên Hội đồng TĐKT Thành phố năm {cs.year} nên không được bỏ phiếu tại phiên họp #{cs.id}.",
                f"{actor.name} is not a member of the city council in {cs.year}, so may not vote in session #{cs.id}.",
            )
        _require_state(cs, "open", "bỏ phiếu", "vote")
        box = box_of(cs)
        if ballot_box.has_voted(session, box, member.code):
            raise AlreadyVoted(
                f"Thành viên {member.full_name} ({member.code}) đã bỏ phiếu tại phiên họp #{cs.id}; mỗi thành viên chỉ có một phiếu.",
                f"Member {member.full_name} ({member.code}) has already voted in session #{cs.id}; each member has one paper.",
            )
        items = agenda(session, session_id)
        by_id = {i.nomination_id: i for i in items}
        stray = sorted(set(choices) - set(by_id))
        if stray:
            raise InvalidInput(f"Hồ sơ #{stray[0]} không có trong chương trình phiên họp #{cs.id}.", f"Nomination #{stray[0]} is not on session #{cs.id}'s agenda.")
        absentee = member.code not in cs.attendance.get("members", [])
        channel = ballot_box.ABSENTEE if absentee else ballot_box.IN_PERSON
        marks, refused = [], []
        for item in items:
            nomination = session.get(Nomination, item.nomination_id, populate_existing=True)
            choice = choices.get(item.nomination_id, Choice.ABSTAIN.value)
            if choice not in {c.value for c in Choice}:
                raise InvalidInput(f"Lựa chọn «{choice}» không hợp lệ (đồng ý / không đồng ý / không biểu quyết).",
                                   f"Choice {choice!r} is not valid (yes / no / abstain).")
            if absentee and not rule_of(nomination).absentee_ballots:  # type: ignore[arg-type]
                if item.nomination_id in choices:
                    refused.append(item.nomination_id)
                continue
            marks.append((question_of(item.nomination_id), "", choice))
        if refused or (absentee and not marks):
            listed = ", ".join(f"#{i}" for i in refused) or ", ".join(f"#{i}" for i in by_id)
            raise InvalidInput(
                f"Thành viên {member.code} vắng mặt: phiếu bằng văn bản không được nhận cho hồ sơ {listed} (hình thức khen thưởng không cho phép bỏ phiếu vắng mặt).",
                f"Member {member.code} is absent: a written ballot is not accepted for nomination(s) {listed} (their award does not allow absentee ballots).",
            )
        ballot_box.cast(session, box, member.code, channel, marks)
        record(session, cs, kind=KIND, actor=actor, action="cast_ballot", from_state=cs.state, payload={"voter": member.code, "channel": channel})
    return channel


def close_session(session: Session, session_id: int, *, actor: Actor, expected_version: int | None = None) -> CouncilSession:
    """Close the vote and count ("kiểm phiếu"): each nomination's result goes through the one
    write path in this transaction; see the module docstring for the outcomes."""
    _require_runner(actor)
    now = utcnow()
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        check_version(cs, expected_version, what_vi=WHAT_VI, what_en=WHAT_EN)
        old = cs.state
        new = machine.advance(old, "close_session")
        box = box_of(cs)
        counts = ballot_box.counts(session, box)
        members = len(members_of(session, cs.year))
        present = list(cs.attendance.get("members", []))
        papers = ballot_box.voters(session, box)
        results = []
        for item in agenda(session, session_id):
            nomination = session.get(Nomination, item.nomination_id, populate_existing=True)
            entry: dict[str, Any] = {"position": item.position, "nomination_id": item.nomination_id, "award": nomination.award_code,  # type: ignore[union-attr]
                                     "nominee": nomination.nominee_name}  # type: ignore[union-attr]
            if nomination.state != "at_council":  # type: ignore[union-attr]
                item.outcome, item.tally = "skipped", {"state": nomination.state}  # type: ignore[union-attr]
                results.append({**entry, "outcome": "skipped", "state": nomination.state})  # type: ignore[union-attr]
                session.add(item)
                continue
            vote = rule_of(nomination)  # type: ignore[arg-type]
            rule = CouncilRule(share(vote.quorum), share(vote.threshold), vote.denominator, vote.absentee_ballots)
            q = question_of(item.nomination_id)

            tally = tally_council_item(rule, members=members, present=len(present), in_person=_count(counts, q, ballot_box.IN_PERSON),
                                       absentee=_count(counts, q, ballot_box.ABSENTEE))
            data = {**tally.as_dict(), "session": cs.id, "citation": vote.citation}
            if tally.outcome == "no_quorum":
                session.execute(
                    BallotCount.__table__.delete().where(BallotCount.box == box, BallotCount.question == q)  # type: ignore[attr-defined]
                )
            elif tally.outcome == "passed":
                verbs.record_council_result(session, item.nomination_id, actor=actor, passed=True, tally=data)
            else:
                base_vi, _ = _BASE_LABEL[rule.denominator]
                verbs.record_council_result(
                    session, item.nomination_id, actor=actor, passed=False, tally=data,
                    reason=(f"Hội đồng không thông qua: {tally.count.yes}/{tally.base} phiếu đồng ý, cần từ {tally.needed} "
                            f"({percent(rule.threshold)} {base_vi})."),
                )
            item.outcome, item.tally = tally.outcome, data
            session.add(item)
            results.append({**entry, **data})
        cs.minutes = {"members": members, "present": present, "papers": len(papers),
                      "absentee_papers": sorted(v for v, ch in papers if ch == ballot_box.ABSENTEE), "items": results,
                      "closed_at": now.isoformat()}
        cs.state, cs.state_entered_at = new, now
        record(session, cs, kind=KIND, actor=actor, action="close_session", from_state=old, now=now,
               payload={"outcomes": {str(r["nomination_id"]): r["outcome"] for r in results}, "present": len(present), "papers": len(papers)})
    return cs


def _count(counts: dict[tuple[str, str, str, str], int], question: str, channel: str) -> Count:
    return Count(*(counts.get((question, "", c.value, channel), 0) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN)))


def sign_minutes(session: Session, session_id: int, *, actor: Actor, signed_by: str, expected_version: int | None = None) -> CouncilSession:
    """The minutes of the count are signed ("ký biên bản kiểm phiếu")."""
    _require_manager(actor)
    if not signed_by.strip():
        raise InvalidInput("Hãy ghi người ký biên bản.", "Name who signs the minutes.")
    with write_transaction(session):
        cs = load_locked(session, CouncilSession, session_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        check_version(cs, expected_version, what_vi=WHAT_VI, what_en=WHAT_EN)
        old = cs.state
        cs.state = machine.advance(old, "sign_minutes")
        cs.minutes_signed_by = signed_by.strip()
        record(session, cs, kind=KIND, actor=actor, action="sign_minutes", from_state=old, payload={"signed_by": cs.minutes_signed_by})
    return cs
