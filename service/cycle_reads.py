"""What a person may see of the cluster years, council sessions and produced documents, and what
they may do next ("phạm vi xem, thao tác được phép"). Read-only; the API and the CLI call these,
and every write goes through :mod:`service.cluster_cycle`, :mod:`service.ballots` and
:mod:`service.council`.

Scope (domain.md §2): cluster roles see the years of the clusters their unit belongs to; the
city's roles (Board officer, council member, approver, administrator) see every year and every
council session; anything out of scope is "not found", so its existence does not leak. A produced
document is seen by whoever may see its nomination (a decision's own documents, by city roles).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from service import ballot_box, ballots, council
from service.actors import Actor
from service.cluster_cycle import current_ranking, find_cluster_year, members_of, pledge_of
from service.cycle_models import ClusterBallotRound, ClusterBallotSchedule, ClusterScore, ClusterYear, CouncilSession
from service.errors import NotFound
from service.models import Cluster, ClusterMember, Document, Nomination
from service.scope import can_act_on
from workflow import cluster_year as year_machine
from workflow import council_session as session_machine
from workflow.roles import Role

CITY_ROLES = frozenset({Role.BOARD_OFFICER, Role.COUNCIL_MEMBER, Role.APPROVER, Role.ADMIN, Role.SYSTEM})
CLUSTER_ROLES = frozenset({Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER})


# --- cluster years ------------------------------------------------------------------------------


def sees_cluster(session: Session, actor: Actor, cluster: Cluster) -> bool:
    if actor.role in CITY_ROLES:
        return True
    if actor.role in CLUSTER_ROLES and actor.unit_code:
        return actor.unit_code in members_of(session, cluster.id)  # type: ignore[arg-type]
    return False


def _year_not_found(cluster_code: str, year: int) -> NotFound:
    return NotFound(f"Không tìm thấy năm thi đua {year} của cụm «{cluster_code}».",
                    f"The {year} year of cluster {cluster_code} was not found.")


def visible_cluster_year(session: Session, actor: Actor, cluster_code: str, year: int) -> ClusterYear:
    """The year of ``cluster_code``, or :class:`NotFound` if it does not exist or is out of scope."""
    cy = find_cluster_year(session, cluster_code, year)
    if cy is None or not sees_cluster(session, actor, session.get(Cluster, cy.cluster_id)):  # type: ignore[arg-type]
        raise _year_not_found(cluster_code, year)
    session.refresh(cy)
    return cy


def list_cluster_years(session: Session, actor: Actor, *, limit: int, offset: int) -> tuple[list[tuple[ClusterYear, Cluster]], int]:
    query = select(ClusterYear, Cluster).join(Cluster, Cluster.id == ClusterYear.cluster_id)
    if actor.role not in CITY_ROLES:
        if actor.role not in CLUSTER_ROLES or not actor.unit_code:
            return [], 0
        mine = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == actor.unit_code)
        query = query.where(ClusterYear.cluster_id.in_(mine))  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Cluster.year.desc(), Cluster.code).offset(offset).limit(limit)).all()  # type: ignore[attr-defined]
    return [(cy, c) for cy, c in rows], total


def is_head(actor: Actor, cluster: Cluster) -> bool:
    return actor.role is Role.CLUSTER_HEAD and actor.unit_code in (cluster.head_unit, cluster.deputy_unit)


def scored_units(session: Session, cy: ClusterYear) -> list[str]:
    return sorted(session.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))


def rounds_of(session: Session, cy: ClusterYear) -> list[ClusterBallotRound]:
    return list(session.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id)
                             .order_by(ClusterBallotRound.round).execution_options(populate_existing=True)))


def ballot_round(session: Session, cy: ClusterYear, round_: int) -> ClusterBallotRound:
    found = session.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id, ClusterBallotRound.round == round_)
                         .execution_options(populate_existing=True)).first()
    if found is None:
        raise NotFound(f"Năm thi đua #{cy.id} không có vòng bỏ phiếu suy tôn {round_}.",
                       f"Cluster year #{cy.id} has no honouring ballot round {round_}.")
    return found


def year_actions(session: Session, cy: ClusterYear, actor: Actor) -> list[str]:
    """What ``actor`` may do now: the head's steps the machine allows (with the facts the service
    would give it), a member's self-score, cross-check and vote."""
    cluster = session.get(Cluster, cy.cluster_id)
    members = members_of(session, cy.cluster_id)
    out: list[str] = []
    if is_head(actor, cluster):  # type: ignore[arg-type]
        last = ballots.current_ballot(session, cy.id)  # type: ignore[arg-type]
        undecided = last.minutes.get("undecided", {}) if last else {}
        facts = {"unscored": len(set(members) - set(scored_units(session, cy))),
                 "undecided": len(undecided.get("awards", {})) + len(undecided.get("election", {}))}
        out += year_machine.enabled_events(cy.state, **facts)
    if actor.role in CLUSTER_ROLES and actor.unit_code in members and cy.state == "scoring_open":
        out.append("submit_score")
        peers = bool(cy.pledge) and pledge_of(cy).regulation.cross_check == "peers"
        if is_head(actor, cluster) or peers:  # type: ignore[arg-type]
            out.append("review_score")
    if actor.role in CLUSTER_ROLES and actor.unit_code in members and cy.state == "ballot_open":
        last = ballots.current_ballot(session, cy.id)  # type: ignore[arg-type]
        if last is not None and last.state == "open" and not ballot_box.has_voted(session, ballots.box_of(last), actor.unit_code):
            out.append("cast_ballot")
    return out


def year_view(session: Session, cy: ClusterYear, actor: Actor) -> dict[str, Any]:
    """The year as one reads it: step, pledge, who has self-scored, ranking, rounds, next actions."""
    cluster = session.get(Cluster, cy.cluster_id)
    members = members_of(session, cy.cluster_id)
    scored = scored_units(session, cy)
    vi, en = year_machine.STATE_LABELS[cy.state]
    pledge = None
    if cy.pledge:
        signed = pledge_of(cy)  # the pledge and scoring table as signed, not as config/ says today
        table = signed.model_dump(mode="json", include={"max_points", "groups", "bonus", "penalty", "gates"})
        pledge = {"file": cy.pledge.get("file"), "sha256": cy.pledge.get("sha256"), "signed_on": cy.pledge_signed_on,
                  "name_vi": signed.name_vi, "name_en": signed.name_en, "scoring_table": table,
                  "targets": [t.model_dump(mode="json") for t in signed.targets],
                  "regulation": signed.regulation.model_dump(mode="json")}
    return {
        "id": cy.id, "cluster": cluster.code, "year": cluster.year, "name_vi": cluster.name_vi, "name_en": cluster.name_en,  # type: ignore[union-attr]
        "head_unit": cluster.head_unit, "deputy_unit": cluster.deputy_unit,  # type: ignore[union-attr]
        "state": cy.state, "state_label_vi": vi, "state_label_en": en, "version": cy.version,
        "pledge": pledge, "mid_year_reviewed_on": cy.mid_year_reviewed_on, "members": members,
        "scored": scored, "unscored": [u for u in members if u not in scored],
        "ranking": current_ranking(session, cy) if cy.pledge and (scored or cy.ranking) else [],
        "ranking_fixed": bool(cy.ranking),
        "next_head_unit": cy.next_head_unit, "next_deputy_unit": cy.next_deputy_unit,
        "rounds": [round_view(session, b) for b in rounds_of(session, cy)],
        "ballot_schedule": next(iter(schedules_of(session, cy)), None),
        "allowed_actions": year_actions(session, cy, actor),
    }


def schedules_of(session: Session, cy: ClusterYear) -> list[dict[str, Any]]:
    """The year's ballot schedules, newest first, with the round each one opened."""
    rows = session.exec(select(ClusterBallotSchedule, ClusterBallotRound.round)
                        .join(ClusterBallotRound, ClusterBallotRound.id == ClusterBallotSchedule.ballot_id, isouter=True)
                        .where(ClusterBallotSchedule.cluster_year_id == cy.id)
                        .order_by(ClusterBallotSchedule.id.desc())  # type: ignore[union-attr]
                        .execution_options(populate_existing=True)).all()
    return [{"id": s.id, "state": s.state, "opens_at": s.opens_at, "closes_at": s.closes_at, "candidates": s.candidates,
             "election": s.election or {}, "scheduled_by": s.scheduled_by, "created_at": s.created_at, "done_at": s.done_at,
             "round": round_no, "error": s.error} for s, round_no in rows]


def round_view(session: Session, ballot: ClusterBallotRound) -> dict[str, Any]:
    """A round as anyone in scope may read it: the paper's questions, which units have voted
    (the attendance sheet), never a vote; the minutes are read separately once it is closed."""
    q = ballot.questions
    return {
        "round": ballot.round, "state": ballot.state, "opened_at": ballot.opened_at, "closes_at": ballot.closes_at,
        "closed_at": ballot.closed_at,
        "awards": {code: {"name_vi": a["name_vi"], "name_en": a["name_en"], "slots": a["slots"], "threshold": a["threshold"],
                          "candidates": [c["unit"] for c in a["candidates"]]} for code, a in q.get("awards", {}).items()},
        "election": q.get("election", {}).get("offices", {}),
        "voted": ballots.voters(session, ballot.id),  # type: ignore[arg-type]
    }


def quota_view(session: Session, cy: ClusterYear, award_code: str, ruleset: str | None = None) -> dict[str, Any]:
    """An award's quota for the cluster's year and what uses it (``tdkt cycle quota``): the rule set
    is the one in force when the year's awards are proposed (15 January of the next year) unless given."""
    from datetime import date

    from config.catalogue import catalogue
    from service import quotas
    from service.errors import InvalidInput

    cluster = session.get(Cluster, cy.cluster_id)
    try:
        version = ruleset or catalogue().in_force(date(cluster.year + 1, 1, 15)).version  # type: ignore[union-attr]
        catalogue().version(version).award(award_code)
    except (KeyError, LookupError, ValueError):
        raise InvalidInput(f"Không có hình thức khen thưởng «{award_code}» trong quy định {ruleset or 'đang áp dụng'}.",
                           f"There is no award {award_code!r} in rule set {ruleset or 'in force'}.") from None
    state = quotas.status(session, award_code, version, cluster.id, lock=False)  # type: ignore[arg-type, union-attr]
    out: dict[str, Any] = {"award": award_code, "cluster": cluster.code, "year": cluster.year, "ruleset": version,  # type: ignore[union-attr]
                           "has_quota": state is not None, "capacity": None, "remaining": None, "citation": None, "uses": []}
    if state is not None:
        out |= {"capacity": state.capacity, "remaining": state.remaining, "citation": state.citation,
                "uses": [{"nomination_id": u["nomination_id"], "nominee": u["nominee"], "state": u["state"]} for u in state.uses]}
    return out


# --- council sessions -----------------------------------------------------------------------------


def visible_council_session(session: Session, actor: Actor, session_id: int) -> CouncilSession:
    cs = session.get(CouncilSession, session_id, populate_existing=True)
    if cs is None or actor.role not in CITY_ROLES:
        raise NotFound(f"Không tìm thấy phiên họp Hội đồng #{session_id}.", f"Council session #{session_id} was not found.")
    return cs


def list_council_sessions(session: Session, actor: Actor, *, limit: int, offset: int) -> tuple[list[CouncilSession], int]:
    if actor.role not in CITY_ROLES:
        return [], 0
    total = session.exec(select(func.count()).select_from(CouncilSession)).one()
    rows = session.exec(select(CouncilSession).order_by(CouncilSession.scheduled_on.desc(), CouncilSession.id.desc())  # type: ignore[attr-defined]
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def session_actions(session: Session, cs: CouncilSession, actor: Actor) -> list[str]:
    out: list[str] = []
    if actor.role in council.MANAGERS:
        on_agenda = len(council.agenda(session, cs.id))  # type: ignore[arg-type]
        if cs.state == "scheduled":
            out.append("add_to_agenda")
            if on_agenda:
                out.append("remove_from_agenda")
        for event in session_machine.enabled_events(cs.state, agenda_items=on_agenda):
            # opening and closing (which records each nomination's council result) are the steps of
            # the one who runs the meeting, the Board's officer (service/council.py)
            if event == "sign_minutes" or actor.role in council.RUNNERS:
                out.append(event)
        if cs.state == "open" and actor.role in council.RUNNERS:
            out.append("record_arrival")
    if actor.role is Role.COUNCIL_MEMBER and cs.state == "open":
        member = next((m for m in council.members_of(session, cs.year) if m.username == actor.name), None)
        if member is not None and not ballot_box.has_voted(session, council.box_of(cs), member.code):
            out.append("cast_ballot")
    return out


def session_view(session: Session, cs: CouncilSession, actor: Actor) -> dict[str, Any]:
    vi, en = session_machine.STATE_LABELS[cs.state]
    items = []
    for item in council.agenda(session, cs.id):  # type: ignore[arg-type]
        n = session.get(Nomination, item.nomination_id)
        items.append({"position": item.position, "nomination_id": item.nomination_id, "award_code": n.award_code,  # type: ignore[union-attr]
                      "nominee": n.nominee_name, "state": n.state, "outcome": item.outcome})  # type: ignore[union-attr]
    return {
        "id": cs.id, "year": cs.year, "title_vi": cs.title_vi, "scheduled_on": cs.scheduled_on, "state": cs.state,
        "state_label_vi": vi, "state_label_en": en, "version": cs.version, "agenda": items,
        "members": len(council.members_of(session, cs.year)), "present": list(cs.attendance.get("members", [])),
        "papers_received": len(council.voters(session, cs.id)),  # type: ignore[arg-type]
        "minutes_signed_by": cs.minutes_signed_by, "allowed_actions": session_actions(session, cs, actor),
    }


# --- produced documents ---------------------------------------------------------------------------


def visible_document(session: Session, actor: Actor, document_id: int) -> Document:
    """A produced document (dossier, decision) if ``actor`` may see what it belongs to."""
    doc = session.get(Document, document_id)
    if doc is not None:
        if doc.nomination_id is not None:
            n = session.get(Nomination, doc.nomination_id)
            if n is not None and can_act_on(session, actor, n):
                return doc
        elif actor.role in CITY_ROLES:
            return doc
    raise NotFound(f"Không tìm thấy tài liệu #{document_id}.", f"Document #{document_id} was not found.")
