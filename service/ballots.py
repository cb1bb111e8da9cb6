"""The cluster's honouring ballot ("bỏ phiếu suy tôn"), its re-votes, and the election of next
year's head and deputy held on the same paper.

* :func:`open_ballot` — the head puts candidates for each award the cluster may give (those
  whose catalogue entry has a cluster route and a ``cluster_ballot`` rule), checked against the
  scoring gates, the award's eligibility rules and what is left of its quota; an existing
  candidacy of the unit enters the cluster's review now.
* :func:`cast_ballot` — one secret paper per member unit (:mod:`service.ballot_box`): yes / no
  / abstain for each candidate (blank = abstain), a unit's own line left out where the award
  does not allow self-votes, one unit for head and one for deputy.
* :func:`close_ballot` — counts with :mod:`workflow.votes` under the catalogue's threshold and
  base, the cluster regulation's quorum and the quota left (locked), then, in the same
  transaction, creates and honours the winners' nominations through
  :mod:`service.nominations` (tally in each audit entry), records the others not honoured,
  applies the rotation, and keeps the minutes ("biên bản kiểm phiếu").
* :func:`open_revote` — a new round with only what the last one left undecided.

Who voted how is never stored; the service answers only whether a unit has voted and, once a
round is closed, its minutes.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlmodel import Session, select

from config.catalogue import Award, catalogue
from config.pledges import Pledge
from service import ballot_box, quotas
from service import nominations as verbs
from service.actors import Actor
from service.cluster_cycle import (
    advance_year,
    KIND,
    WHAT_EN,
    WHAT_VI,
    apply_rotation,
    cluster_of,
    gate_labels,
    local_today,
    members_of,
    pledge_of,
    require_head,
    unit_name,
)
from service.cycle_models import ClusterBallotRound, ClusterYear
from service.cycle_writes import load_locked, record
from service.db import write_transaction
from service.eligibility import check_award, nominee_record
from service.errors import AlreadyVoted, Conflict, InvalidInput, NotAVoter, NotFound
from service.models import Campaign, Cluster, Nomination, utcnow
from workflow import cluster_year as machine
from workflow.nomination import FINAL_STATES, STATE_LABELS
from workflow.roles import Role
from workflow.votes import (
    Candidate,
    Choice,
    Count,
    ElectionResult,
    Electorate,
    ShareRule,
    percent,
    resolve_leadership,
    share,
    tally_election,
    tally_honours,
)

OFFICES: dict[str, tuple[str, str]] = {"head": ("Cụm trưởng", "head"), "deputy": ("Cụm phó", "deputy")}
_BASE_LABEL = {"all": ("tổng số đơn vị thành viên", "all member units"), "present": ("số đơn vị bỏ phiếu", "units voting")}


def box_of(ballot: ClusterBallotRound) -> str:
    return f"cluster_ballot:{ballot.id}"


def _ballot(session: Session, ballot_id: int) -> ClusterBallotRound:
    ballot = session.get(ClusterBallotRound, ballot_id, populate_existing=True)
    if ballot is None:
        raise NotFound(f"Không tìm thấy lần bỏ phiếu suy tôn #{ballot_id}.", f"Honouring ballot #{ballot_id} was not found.")
    return ballot


def _label(cluster: Cluster, ballot: ClusterBallotRound) -> tuple[str, str]:
    return (f"phiếu suy tôn #{ballot.id} (vòng {ballot.round}) của {cluster.name_vi} năm {cluster.year}",
            f"honouring ballot #{ballot.id} (round {ballot.round}) of {cluster.name_en} {cluster.year}")


# --- reading ------------------------------------------------------------------------------------


def current_ballot(session: Session, cy_id: int) -> ClusterBallotRound | None:
    return session.exec(
        select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy_id).order_by(ClusterBallotRound.round.desc())  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    ).first()


def has_voted(session: Session, ballot_id: int, unit_code: str) -> bool:
    """Whether the unit has cast its paper: public, like signing the attendance sheet."""
    return ballot_box.has_voted(session, box_of(_ballot(session, ballot_id)), unit_code)


def voters(session: Session, ballot_id: int) -> list[str]:
    return [v for v, _ in ballot_box.voters(session, box_of(_ballot(session, ballot_id)))]


def minutes(session: Session, ballot_id: int) -> dict[str, Any]:
    """The counting minutes of a closed round; refused while the round is open (no early tallies)."""
    ballot = _ballot(session, ballot_id)
    if ballot.state != "closed":
        raise Conflict(
            f"Lần bỏ phiếu suy tôn #{ballot_id} chưa kết thúc; kết quả chỉ công bố sau khi kiểm phiếu.",
            f"Honouring ballot #{ballot_id} is still open; results are published only after the count.",
        )
    return dict(ballot.minutes)


# --- opening ------------------------------------------------------------------------------------


def _award_question(
    session: Session, cy: ClusterYear, cluster: Cluster, pledge: Pledge, award: Award, ruleset: str,
    units: list[str], actor: Actor, members: list[str],
) -> dict[str, Any]:
    """Check the candidates of one award and describe the question as stored with the round."""
    if not units or len(set(units)) != len(units):
        raise InvalidInput(f"Hãy liệt kê ứng viên «{award.name_vi}», mỗi đơn vị một lần.", f"List the {award.name_en} candidates once each.")
    ranks = {r["unit"]: r for r in cy.ranking.get("units", [])}
    candidates = []
    for unit in units:
        if unit not in members:
            raise InvalidInput(f"«{unit}» không phải thành viên {cluster.name_vi} năm {cluster.year}.", f"{unit} is not a member of {cluster.code} in {cluster.year}.")
        failed = ranks.get(unit, {}).get("failed_gates", [])
        if failed:
            vi, en = gate_labels(pledge, failed)
            raise InvalidInput(f"«{unit_name(session, unit)}» không được suy tôn vì chưa đạt: {vi}.", f"{unit} cannot be honoured: it fails {en}.")
        nomination = _live_nomination(session, award.code, unit, cluster.year)
        if nomination is None:
            result = check_award(catalogue().version(ruleset), award, nominee_record(session, kind="collective", person_id=None, unit_code=unit), cluster.year)
            if not result.passed:
                raise InvalidInput(
                    f"«{unit_name(session, unit)}» chưa đủ điều kiện «{award.name_vi}»: " + "; ".join(f.message_vi for f in result.unmet) + ".",
                    f"{unit} does not meet the {award.name_en} conditions: " + "; ".join(f.message_en for f in result.unmet) + ".",
                )
        elif nomination.track != "cluster" or nomination.state not in ("draft", "submitted", "in_cluster_review"):
            vi, en = STATE_LABELS[nomination.state]
            raise InvalidInput(
                f"«{unit_name(session, unit)}» đã có hồ sơ #{nomination.id} đề nghị «{award.name_vi}» năm {cluster.year} ({vi}); không đưa vào suy tôn lần nữa.",
                f"{unit} already has nomination #{nomination.id} for the {award.name_en} in {cluster.year} ({en}); it cannot be balloted again.",
            )
        else:
            if nomination.state != "in_cluster_review":
                verbs.open_cluster_review(session, nomination.id, actor=actor)  # type: ignore[arg-type]
        candidates.append({"unit": unit, "score_rank": ranks.get(unit, {}).get("rank"),
                           "nomination_id": nomination.id if nomination else None})
    rule = award.cluster_ballot
    quota = quotas.status(session, award.code, ruleset, cluster.id) if award.quota else None  # type: ignore[arg-type]
    if quota is not None and quota.remaining == 0:
        raise quotas.exceeded(award, cluster, quota.capacity, quota.citation, quota.uses, ", ".join(units))
    return {
        "name_vi": award.name_vi, "name_en": award.name_en, "ruleset": ruleset,
        "threshold": str(share(rule.threshold)), "threshold_config": rule.threshold, "denominator": rule.denominator,  # type: ignore[union-attr]
        "self_vote_allowed": rule.self_vote_allowed, "citation": rule.citation,  # type: ignore[union-attr]
        "capacity": quota.capacity if quota else None, "slots": quota.remaining if quota else len(units),
        "candidates": candidates,
    }


def _live_nomination(session: Session, award_code: str, unit: str, year: int) -> Nomination | None:
    return session.exec(
        select(Nomination).where(
            Nomination.award_code == award_code, Nomination.nominee_unit_code == unit, Nomination.year == year,
            Nomination.state.not_in(sorted(FINAL_STATES)),  # type: ignore[attr-defined]
        ).execution_options(populate_existing=True)
    ).first()


def _layout(questions: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    cells = []
    for code, q in questions["awards"].items():
        for c in q["candidates"]:
            cells += [(code, c["unit"], choice.value, ballot_box.IN_PERSON) for choice in Choice]
    for office, units in questions.get("election", {}).get("offices", {}).items():
        cells += [(office, u, "vote", ballot_box.IN_PERSON) for u in units]
        cells.append((office, "", Choice.ABSTAIN.value, ballot_box.IN_PERSON))
    return cells


def _new_round(session: Session, cy: ClusterYear, questions: dict[str, Any]) -> ClusterBallotRound:
    last = current_ballot(session, cy.id)  # type: ignore[arg-type]
    ballot = ClusterBallotRound(cluster_year_id=cy.id, round=(last.round + 1) if last else 1, state="open", questions=questions)  # type: ignore[arg-type]
    session.add(ballot)
    session.flush()
    ballot_box.open_box(session, box_of(ballot), _layout(questions))
    return ballot


def _round_summary(ballot: ClusterBallotRound) -> dict[str, Any]:
    q = ballot.questions
    return {"ballot": ballot.id, "round": ballot.round,
            "awards": {code: [c["unit"] for c in a["candidates"]] for code, a in q["awards"].items()},
            "election": q.get("election", {}).get("offices", {})}


def open_ballot(
    session: Session,
    cy_id: int,
    *,
    actor: Actor,
    candidates: dict[str, list[str]],
    election: dict[str, list[str]] | None = None,
    today: date | None = None,
    closes_at: datetime | None = None,
    expected_version: int | None = None,
) -> ClusterBallotRound:
    """Open round 1 of the honouring ballot ("mở bỏ phiếu suy tôn") once scoring is closed.

    ``candidates`` maps award codes to member units; ``election`` optionally maps ``head`` and
    ``deputy`` to the units standing for next year's offices. With ``closes_at`` the round is
    closed and counted by the deadline sweep at that time if the head has not closed it before."""
    today = today or local_today()
    opened: list[ClusterBallotRound] = []

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        pledge = pledge_of(cy)
        members = members_of(session, cluster.id)  # type: ignore[arg-type]
        ruleset = catalogue().in_force(today)
        if not candidates and not election:
            raise InvalidInput("Lần bỏ phiếu cần ít nhất một nội dung (suy tôn hoặc bầu Cụm trưởng, Cụm phó).",
                               "A ballot needs at least one question (an award or the election).")
        awards: dict[str, Any] = {}
        for code, units in candidates.items():
            try:
                award = ruleset.award(code)
            except KeyError:
                raise InvalidInput(f"Không có hình thức khen thưởng «{code}» trong quy định {ruleset.version}.",
                                   f"There is no award {code!r} in rule set {ruleset.version}.") from None
            if award.cluster_ballot is None or "cluster" not in award.routes:
                raise InvalidInput(f"«{award.name_vi}» không xét qua suy tôn của Cụm.", f"The {award.name_en} is not given by a cluster ballot.")
            awards[code] = _award_question(session, cy, cluster, pledge, award, ruleset.version, list(units), actor, members)
        questions: dict[str, Any] = {
            "members": members, "quorum": str(share(pledge.regulation.ballot_quorum)), "quorum_config": pledge.regulation.ballot_quorum,
            "awards": awards,
        }
        if election:
            questions["election"] = _election_question(cluster, pledge, election, members)
        if closes_at is not None and closes_at <= utcnow():
            raise InvalidInput("Thời điểm kết thúc bỏ phiếu phải ở sau thời điểm mở.", "The ballot must close after it opens.")
        ballot = _new_round(session, cy, questions)
        ballot.closes_at = closes_at
        opened.append(ballot)
        payload = {**_round_summary(ballot), **({"closes_at": closes_at.isoformat()} if closes_at else {})}
        return payload

    advance_year(session, cy_id, "open_ballot", actor=actor, expected_version=expected_version, change=change)
    return opened[0]


def _election_question(cluster: Cluster, pledge: Pledge, election: dict[str, list[str]], members: list[str]) -> dict[str, Any]:
    unknown = sorted(set(election) - set(OFFICES))
    if unknown:
        raise InvalidInput(f"Chỉ bầu Cụm trưởng (head) và Cụm phó (deputy), không có «{unknown[0]}».", f"Only head and deputy are elected, not {unknown[0]!r}.")
    for office, units in election.items():
        outsiders = sorted(set(units) - set(members))
        if not units or outsiders or len(set(units)) != len(units):
            raise InvalidInput(
                f"Ứng viên {OFFICES[office][0]} phải là các đơn vị thành viên khác nhau của {cluster.name_vi}: {', '.join(outsiders) or '(trống)'}.",
                f"Candidates for {office} must be distinct member units of {cluster.code}: {', '.join(outsiders) or '(none)'}.",
            )
    rule = pledge.regulation.election
    return {"year": cluster.year + 1, "threshold": str(share(rule.threshold)), "threshold_config": rule.threshold,
            "denominator": rule.denominator, "offices": {office: list(units) for office, units in election.items()}}


def open_revote(session: Session, cy_id: int, *, actor: Actor, expected_version: int | None = None) -> ClusterBallotRound:
    """A re-vote ("bỏ phiếu lại"): a new round with only what the last round left undecided — the
    tied candidates for the slots still free, a void round's questions, an office without a winner."""
    undecided: dict[str, Any] = {}
    opened: list[ClusterBallotRound] = []

    def facts(cy: ClusterYear, cluster: Cluster) -> dict[str, int]:
        last = current_ballot(session, cy.id)  # type: ignore[arg-type]
        undecided.update(last.minutes.get("undecided", {}) if last else {})
        undecided["_questions"] = last.questions if last else {}
        return {"undecided": len(undecided.get("awards", {})) + len(undecided.get("election", {}))}

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        previous = undecided["_questions"]
        awards: dict[str, Any] = {}
        for code, units in undecided.get("awards", {}).items():
            q = dict(previous["awards"][code])
            quota = quotas.status(session, code, q["ruleset"], cluster.id) if q["capacity"] is not None else None  # type: ignore[arg-type]
            q["candidates"] = [c for c in q["candidates"] if c["unit"] in units]
            q["slots"] = quota.remaining if quota else len(q["candidates"])
            awards[code] = q
        questions: dict[str, Any] = {**{k: previous[k] for k in ("members", "quorum", "quorum_config")}, "awards": awards}
        if undecided.get("election"):
            questions["election"] = {**previous["election"], "offices": dict(undecided["election"])}
        opened.append(_new_round(session, cy, questions))
        return _round_summary(opened[0])

    advance_year(session, cy_id, "open_revote", actor=actor, expected_version=expected_version, facts=facts, change=change)
    return opened[0]


# --- voting -------------------------------------------------------------------------------------


def cast_ballot(
    session: Session,
    ballot_id: int,
    *,
    actor: Actor,
    choices: dict[str, dict[str, str]] | None = None,
    head: str | None = None,
    deputy: str | None = None,
) -> None:
    """A member unit casts its secret paper ("bỏ phiếu"). ``choices`` maps award → candidate →
    yes / no / abstain; a candidate left out is a blank (abstain). Refused: a unit that is not a
    member (:class:`NotAVoter`), a second paper (:class:`AlreadyVoted`), a closed round, a mark
    for itself where self-votes are not allowed, a name not on the paper."""
    choices = choices or {}
    now = utcnow()
    with write_transaction(session):
        ballot = _ballot(session, ballot_id)
        cy = load_locked(session, ClusterYear, ballot.cluster_year_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        session.refresh(ballot)
        cluster = cluster_of(session, cy)
        label_vi, label_en = _label(cluster, ballot)
        unit = actor.unit_code or "—"
        if actor.role not in (Role.CLUSTER_MEMBER, Role.CLUSTER_HEAD) or unit not in ballot.questions["members"]:
            raise NotAVoter(
                f"Đơn vị «{unit_name(session, unit)}» ({unit}) không phải thành viên {cluster.name_vi} năm {cluster.year} "
                f"nên không được bỏ {label_vi}.",
                f"Unit {unit} is not a member of {cluster.name_en} in {cluster.year}, so it may not vote in the {label_en}.",
            )
        if ballot.state != "open":
            raise Conflict(f"{label_vi.capitalize()} đã kết thúc; không nhận thêm phiếu.", f"The {label_en} is closed; no more papers.")
        box = box_of(ballot)
        if ballot_box.has_voted(session, box, unit):
            raise AlreadyVoted(
                f"Đơn vị «{unit_name(session, unit)}» ({unit}) đã bỏ phiếu trong {label_vi}; mỗi đơn vị chỉ được bỏ một phiếu.",
                f"Unit {unit} has already voted in the {label_en}; each unit casts one paper.",
            )
        marks = _marks(ballot, unit, choices, head, deputy)
        ballot_box.cast(session, box, unit, ballot_box.IN_PERSON, marks)
        record(session, cy, kind=KIND, actor=actor, action="cast_ballot", from_state=cy.state, now=now,
               payload={"ballot": ballot.id, "round": ballot.round, "voter": unit})


def _marks(ballot: ClusterBallotRound, unit: str, choices: dict[str, dict[str, str]], head: str | None, deputy: str | None) -> list[tuple[str, str, str]]:
    q = ballot.questions
    unknown_awards = sorted(set(choices) - set(q["awards"]))
    if unknown_awards:
        raise InvalidInput(f"Phiếu không có nội dung suy tôn «{unknown_awards[0]}».", f"The paper has no question {unknown_awards[0]!r}.")
    marks: list[tuple[str, str, str]] = []
    for code, question in q["awards"].items():
        given = choices.get(code, {})
        names = [c["unit"] for c in question["candidates"]]
        stray = sorted(set(given) - set(names))
        if stray:
            raise InvalidInput(f"«{stray[0]}» không có tên trên phiếu suy tôn «{question['name_vi']}».",
                               f"{stray[0]} is not a candidate for the {question['name_en']} on this paper.")
        for candidate in names:
            choice = given.get(candidate, Choice.ABSTAIN.value)
            if choice not in {c.value for c in Choice}:
                raise InvalidInput(f"Lựa chọn «{choice}» không hợp lệ (đồng ý / không đồng ý / không biểu quyết).",
                                   f"Choice {choice!r} is not valid (yes / no / abstain).")
            if candidate == unit and not question["self_vote_allowed"]:
                if candidate in given and choice != Choice.ABSTAIN.value:
                    raise InvalidInput(
                        f"Quy chế không cho đơn vị tự bỏ phiếu suy tôn mình («{question['name_vi']}»); hãy để trống dòng của «{unit}».",
                        f"The rules do not allow a unit to vote for itself ({question['name_en']}); leave {unit}'s line blank.",
                    )
                continue  # its own line says nothing about itself
            marks.append((code, candidate, choice))
    offices = q.get("election", {}).get("offices", {})
    picked = {"head": head, "deputy": deputy}
    for office, choice in picked.items():
        if choice is None:
            if office in offices:
                marks.append((office, "", Choice.ABSTAIN.value))
            continue
        if office not in offices or choice not in offices[office]:
            raise InvalidInput(f"«{choice}» không có tên trong danh sách bầu {OFFICES[office][0]} trên phiếu này.",
                               f"{choice} is not standing for {office} on this paper.")
        marks.append((office, choice, "vote"))
    if head is not None and head == deputy:
        raise InvalidInput("Một đơn vị không thể vừa là Cụm trưởng vừa là Cụm phó.", "One unit cannot be both head and deputy.")
    return marks


# --- closing ------------------------------------------------------------------------------------


def close_ballot(
    session: Session, ballot_id: int, *, actor: Actor, today: date | None = None, now: datetime | None = None
) -> ClusterBallotRound:
    """Close and count the round ("kết thúc bỏ phiếu, kiểm phiếu"), and carry out its result in the
    same transaction (see the module docstring). A round without quorum is void and uncounted.
    The cluster head closes it; the scheduled sweep (``Role.SYSTEM``) only once ``closes_at`` passed."""
    now = now or utcnow()
    today = today or local_today()
    with write_transaction(session):
        ballot = _ballot(session, ballot_id)
        cy = load_locked(session, ClusterYear, ballot.cluster_year_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        session.refresh(ballot)
        cluster = cluster_of(session, cy)
        if actor.role is Role.SYSTEM and ballot.closes_at is not None and ballot.closes_at <= now:
            # The head scheduled this close when opening the round; the sweep carries it out under
            # the head's authority, and the audit trail names it as the scheduled close.
            actor = Actor(name=f"system:scheduled-close:{cluster.head_unit}", role=Role.CLUSTER_HEAD, unit_code=cluster.head_unit)
        require_head(actor, cluster)
        old = cy.state
        new = machine.advance(old, "close_ballot")
        if ballot.state != "open":
            raise Conflict(f"Lần bỏ phiếu #{ballot.id} đã kết thúc.", f"Ballot #{ballot.id} is already closed.")
        q = ballot.questions
        box = box_of(ballot)
        voted = frozenset(v for v, _ in ballot_box.voters(session, box))
        electorate = Electorate(frozenset(q["members"]), voted, Fraction(q["quorum"]))
        counts = ballot_box.counts(session, box)
        result: dict[str, Any] = {"round": ballot.round, "members": len(q["members"]), "ballots_cast": len(voted),
                                  "voters": sorted(voted), "quorum": percent(Fraction(q["quorum"])),
                                  "quorum_met": electorate.has_quorum, "awards": {}, "undecided": {"awards": {}, "election": {}}}
        for code, question in q["awards"].items():
            result["awards"][code] = _close_award(session, cy, cluster, ballot, code, question, counts, electorate, actor, today, result)
        elected: dict[str, str] = {}
        if "election" in q:
            result["election"], elected = _close_election(session, cy, cluster, q["election"], counts, electorate, result)
        if not electorate.has_quorum:
            ballot_box.discard(session, box)
        ballot.state, ballot.closed_at, ballot.minutes = "closed", now, result
        session.add(ballot)
        # The year's row changes only now, after every nested verb has run: one flush, one version.
        for office, unit in elected.items():
            setattr(cy, f"next_{office}_unit", unit)
        cy.state, cy.state_entered_at = new, now
        record(session, cy, kind=KIND, actor=actor, action="close_ballot", from_state=old, now=now,
               payload={"ballot": ballot.id, "round": ballot.round, "ballots_cast": len(voted), "quorum_met": electorate.has_quorum,
                        "honoured": {c: a["honoured"] for c, a in result["awards"].items()},
                        "undecided": result["undecided"], "election": {o: r.get("winner") for o, r in result.get("election", {}).items() if o in OFFICES}})
    return ballot


def _close_award(
    session: Session, cy: ClusterYear, cluster: Cluster, ballot: ClusterBallotRound, code: str, question: dict[str, Any],
    counts: dict, electorate: Electorate, actor: Actor, today: date, result: dict[str, Any],
) -> dict[str, Any]:
    candidates = [Candidate(c["unit"], c["score_rank"]) for c in question["candidates"]]
    by_unit = {
        c.unit: Count(*(counts.get((code, c.unit, ch.value, ballot_box.IN_PERSON), 0) for ch in (Choice.YES, Choice.NO, Choice.ABSTAIN)))
        for c in candidates
    }
    slots = len(candidates)
    if question["capacity"] is not None:
        quota = quotas.status(session, code, question["ruleset"], cluster.id)  # type: ignore[arg-type]  (locks the ledger)
        slots = quota.remaining  # type: ignore[union-attr]
    rule = ShareRule(Fraction(question["threshold"]), question["denominator"])
    outcome = tally_honours(candidates, by_unit, slots=slots, rule=rule, self_vote_allowed=question["self_vote_allowed"], electorate=electorate)
    data = outcome.as_dict()
    data.update(name_vi=question["name_vi"], threshold=percent(rule.threshold), denominator=rule.denominator, nominations={})
    if outcome.undecided:
        result["undecided"]["awards"][code] = list(outcome.undecided)
    base_vi, base_en = _BASE_LABEL[rule.denominator]
    linked = {c["unit"]: c["nomination_id"] for c in question["candidates"]}
    for tally in outcome.candidates:
        if tally.outcome in ("tied", "void"):
            continue
        context = {"cluster_year": cy.id, "ballot": ballot.id, "round": ballot.round, "award": code, **tally.as_dict(),
                   "threshold": percent(rule.threshold), "denominator": rule.denominator, "ballots_cast": outcome.ballots_cast,
                   "members": outcome.members, "slots": slots}
        nomination_id = linked.get(tally.unit)
        if tally.outcome == "honoured":
            if nomination_id is None:
                created = verbs.create_nomination(
                    session, actor=actor, award_code=code, campaign_code=_campaign_code(session, cy), year=cluster.year,
                    nominee_unit_code=tally.unit, track="cluster", today=today,
                    achievements=f"Được {cluster.name_vi} suy tôn tại lần bỏ phiếu #{ballot.id} (vòng {ballot.round}).",
                )
                nomination_id = created.id
                verbs.open_cluster_review(session, nomination_id, actor=actor)  # type: ignore[arg-type]
            verbs.record_cluster_result(session, nomination_id, actor=actor, honoured=True, tally=context)  # type: ignore[arg-type]
        elif nomination_id is not None:
            if tally.reached:
                why_vi = f"đạt tỷ lệ phiếu nhưng xếp sau trong phạm vi chỉ tiêu còn lại ({slots})"
                why_en = f"reached the threshold but ranked below the {slots} place(s) left in the quota"
            else:
                why_vi = f"{tally.count.yes}/{tally.base} phiếu đồng ý, cần từ {tally.needed} ({percent(rule.threshold)} {base_vi})"
                why_en = f"{tally.count.yes}/{tally.base} in favour, {tally.needed} needed ({percent(rule.threshold)} of {base_en})"
            verbs.record_cluster_result(
                session, nomination_id, actor=actor, honoured=False, tally={**context, "reason_en": why_en},
                reason=f"Không được suy tôn «{question['name_vi']}»: {why_vi}.",
            )
        if nomination_id is not None:
            data["nominations"][tally.unit] = nomination_id
    return data


def _campaign_code(session: Session, cy: ClusterYear) -> str:
    return session.get(Campaign, cy.campaign_id).code  # type: ignore[union-attr]


def _close_election(
    session: Session, cy: ClusterYear, cluster: Cluster, question: dict[str, Any], counts: dict, electorate: Electorate,
    result: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Count the offices; apply the rotation once both are known (perhaps across rounds).
    Returns the minutes' part and the offices decided now (written to the year by the caller)."""
    rule = ShareRule(Fraction(question["threshold"]), question["denominator"])
    outcomes: dict[str, ElectionResult] = {}
    for office, units in question["offices"].items():
        votes = {u: counts.get((office, u, "vote", ballot_box.IN_PERSON), 0) for u in units}
        abstain = counts.get((office, "", Choice.ABSTAIN.value, ballot_box.IN_PERSON), 0)
        outcomes[office] = tally_election(office, units, votes, abstain=abstain, rule=rule, electorate=electorate)
    head = ElectionResult("head", "elected", cy.next_head_unit, (), 0, 0, 0) if cy.next_head_unit else outcomes.get("head")
    if head is not None and "deputy" in outcomes:
        head, outcomes["deputy"] = resolve_leadership(head, outcomes["deputy"])
        if "head" in outcomes:
            outcomes["head"] = head
    data: dict[str, Any] = {"year": question["year"], "threshold": percent(rule.threshold), "denominator": rule.denominator}
    elected: dict[str, str] = {}
    for office, outcome in outcomes.items():
        data[office] = outcome.as_dict()
        if outcome.decided:
            elected[office] = outcome.winner  # type: ignore[assignment]
        else:
            result["undecided"]["election"][office] = list(outcome.runoff)
    head_unit = elected.get("head", cy.next_head_unit)
    deputy_unit = elected.get("deputy", cy.next_deputy_unit)
    if head_unit and deputy_unit and elected:
        data["rotation"] = apply_rotation(session, cluster, head_unit, deputy_unit)
    return data, elected
