"""Revocation and its consequences ("thu hồi, hủy bỏ khen thưởng").

Revoking a decided award (a nomination in ``awarded`` / ``centrally_decided``) or a history title
(e.g. a Grassroots Emulation Fighter year) records the revoking decision (number, date, signer)
and the reason, keeps the award's own decision, and re-checks every award of the same holder that
counted the revoked title: each one whose conditions held with the title and fail without it gets
a review task for the Board ("rà soát lại"), in the same transaction.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlmodel import Session, func, select

from config.catalogue import catalogue
from service import audit
from service.actors import Actor
from service.db import write_transaction
from service.eligibility import nominee_record, title_names
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import AuditEntry, Decision, Nomination, Person, ReviewTask, TitleRecord, utcnow
from service.transitions import apply_event
from workflow import eligibility as rules
from workflow.nomination import FINAL_STATES, STATE_LABELS
from workflow.roles import Role, roles_for

STANDING = frozenset({"awarded", "centrally_decided"})
_RECHECKED = sorted(STANDING)  # decided awards, plus every nomination still open (below)
TITLE_REVOKERS = frozenset({Role.BOARD_OFFICER, Role.APPROVER})
REVIEW_CLOSERS = frozenset({Role.BOARD_OFFICER, Role.ADMIN})


@dataclasses.dataclass(frozen=True)
class Affected:
    nomination_id: int
    unmet: list[dict[str, str]]


def revocation_decision(session: Session, number: str, signed_on: date, signer: str) -> Decision:
    """The revoking decision, created or found (the same decision may revoke several awards)."""
    number = (number or "").strip()
    if not number or not (signer or "").strip():
        raise InvalidInput("Cần số, ngày và người ký của quyết định thu hồi.",
                           "Give the revoking decision's number, date and signer.")
    decision = session.exec(select(Decision).where(Decision.number == number)).first()
    if decision is None:
        decision = Decision(number=number, kind="revocation", signed_on=signed_on, signer=signer.strip())
        session.add(decision)
        session.flush()
    elif (decision.kind, decision.signed_on) != ("revocation", signed_on):
        raise InvalidInput(
            f"Văn bản số {number} đã được ghi nhận là loại «{decision.kind}», ngày {decision.signed_on:%d/%m/%Y}; kiểm tra lại số hoặc ngày.",
            f"Document {number} is already recorded as {decision.kind} of {decision.signed_on.isoformat()}; check the number or date.",
        )
    return decision


def dependents(
    session: Session, *, person_id: int | None, unit_code: str | None, year: int, title: str, exclude_id: int | None = None
) -> list[Affected]:
    """The holder's decided or open nominations whose conditions hold with (``year``, ``title``)
    and fail without it: the awards that depended on it."""
    holder = (Nomination.person_id == person_id) if person_id is not None else (Nomination.nominee_unit_code == unit_code)
    live = Nomination.state.in_(_RECHECKED) | Nomination.state.not_in(sorted(FINAL_STATES))  # type: ignore[attr-defined]
    query = select(Nomination).where(holder, live)
    if exclude_id is not None:
        query = query.where(Nomination.id != exclude_id)
    found = []
    for n in session.exec(query.order_by(Nomination.id)).all():
        ruleset = catalogue().version(n.ruleset_version)
        conditions = rules.parse_conditions(ruleset.award(n.award_code).eligibility.get(n.nominee_kind, []))
        if title not in rules.referenced_titles(conditions):
            continue
        record = nominee_record(session, kind=n.nominee_kind, person_id=n.person_id, unit_code=n.nominee_unit_code, facts=n.facts)
        kept = tuple(t for t in record.titles if (t.year, t.title) != (year, title))
        with_title = dataclasses.replace(record, titles=kept + (rules.TitleRecord(year=year, title=title),))
        without = dataclasses.replace(record, titles=kept)
        names = title_names(ruleset)
        before = rules.check(conditions, with_title, n.year, names=names)
        after = rules.check(conditions, without, n.year, names=names)
        if before.passed and not after.passed:
            found.append(Affected(n.id, [  # type: ignore[arg-type]
                {"condition": f.condition_id, "message_vi": f.message_vi, "message_en": f.message_en, "citation": f.citation}
                for f in after.unmet
            ]))
    return found


def open_reviews(
    session: Session, affected: list[Affected], *, cause: str, decision: Decision, title: str, year: int, actor: Actor
) -> list[ReviewTask]:
    """One review task per affected award, each with its own audit chain (``review:<id>``)."""
    tasks = []
    for a in affected:
        task = ReviewTask(nomination_id=a.nomination_id, cause=cause, revoking_decision_id=decision.id,  # type: ignore[arg-type]
                          title=title, title_year=year, unmet=a.unmet)
        session.add(task)
        session.flush()
        audit.append(session, chain=f"review:{task.id}", seq=1, actor=actor, action="open_review", from_state=None,
                     to_state="open", reason=f"{cause} revoked by {decision.number}",
                     payload={"nomination_id": a.nomination_id, "cause": cause, "decision": decision.number,
                              "title": title, "year": year})
        tasks.append(task)
    return tasks


def revoke_award(
    session: Session, nomination_id: int, *, actor: Actor, reason: str, decision_number: str, signed_on: date, signer: str,
    expected_version: int | None = None,
) -> Nomination:
    """Revoke a decided award by a revoking decision ("hủy bỏ quyết định khen thưởng"). The award's
    own decision stays in ``decision_id``; the revoking one goes to ``revocation_decision_id``. The
    award's title stops counting (history records of it are marked revoked) and every award that
    depended on it gets a review task. Revoking what is not decided is refused (409)."""
    found: dict[str, Any] = {}
    payload: dict[str, Any] = {"document": (decision_number or "").strip(), "signed_on": signed_on.isoformat(), "signer": signer}

    def before(n: Nomination) -> None:
        decision = revocation_decision(session, decision_number, signed_on, signer)
        n.revocation_decision_id = decision.id
        affected = dependents(session, person_id=n.person_id, unit_code=n.nominee_unit_code, year=n.year,
                              title=n.award_code, exclude_id=n.id)
        found.update(decision=decision, affected=affected)
        payload["reviews_for"] = [a.nomination_id for a in affected]

    def after(n: Nomination) -> None:
        decision = found["decision"]
        holder = (TitleRecord.person_id == n.person_id) if n.person_id is not None else (TitleRecord.unit_code == n.nominee_unit_code)
        for record in session.exec(select(TitleRecord).where(holder, TitleRecord.year == n.year, TitleRecord.title == n.award_code,
                                                             TitleRecord.revoked_decision_id.is_(None))):  # type: ignore[union-attr]
            record.revoked_decision_id, record.revoked_reason = decision.id, reason
            session.add(record)
        open_reviews(session, found["affected"], cause=f"nomination:{n.id}", decision=decision, title=n.award_code, year=n.year, actor=actor)

    _refuse_undecided(session, nomination_id, actor)
    return apply_event(session, nomination_id, "revoke", actor=actor, reason=reason, payload=payload,
                       before_write=before, after_write=after, expected_version=expected_version)


def _refuse_undecided(session: Session, nomination_id: int, actor: Actor) -> None:
    """A clear 409 for revoking what is not a decided award (the machine would refuse too, less clearly)."""
    from service.scope import can_act_on

    n = session.get(Nomination, nomination_id)
    # Visibility (404) and role (403) come first, as in every action; apply_event raises them.
    if n is None or not can_act_on(session, actor, n) or actor.role not in roles_for("revoke"):
        return
    if n.state not in STANDING:
        vi, en = STATE_LABELS[n.state]
        error = Conflict(
            f"Hồ sơ #{nomination_id} đang «{vi}», chưa có quyết định khen thưởng nên không thể thu hồi; chỉ thu hồi được khen thưởng đã quyết định.",
            f"Nomination #{nomination_id} is {en.lower()}: there is no decided award to revoke; only decided awards can be revoked.",
        )
        error.details = {"nomination_id": nomination_id, "current_state": n.state, "current_version": n.version}
        raise error


def revoke_title(
    session: Session, title_id: int, *, actor: Actor, reason: str, decision_number: str, signed_on: date, signer: str
) -> tuple[TitleRecord, list[ReviewTask]]:
    """Revoke a history title (e.g. a Grassroots Emulation Fighter year) and open a review task for
    every award that counted it. Audited in the chain ``title:<id>``."""
    if actor.role not in TITLE_REVOKERS:
        raise Forbidden("Chỉ Ban Thi đua – Khen thưởng hoặc người có thẩm quyền được ghi nhận thu hồi danh hiệu.",
                        f"Only the Board or the approver may record a title's revocation (your role: {actor.role.value}).")
    if not (reason or "").strip():
        raise InvalidInput("Hãy nêu lý do thu hồi.", "Give the reason for the revocation.")
    with write_transaction(session):
        record = session.get(TitleRecord, title_id, with_for_update=True, populate_existing=True)
        if record is None:
            raise NotFound(f"Không có danh hiệu #{title_id}.", f"There is no title record #{title_id}.")
        if record.revoked_decision_id is not None:
            done = session.get(Decision, record.revoked_decision_id)
            error = Conflict(f"Danh hiệu #{title_id} đã bị thu hồi theo quyết định {done.number}.",  # type: ignore[union-attr]
                             f"Title #{title_id} was already revoked by decision {done.number}.")  # type: ignore[union-attr]
            error.details = {"title_id": title_id, "revoked_by": done.number}  # type: ignore[union-attr]
            raise error
        decision = revocation_decision(session, decision_number, signed_on, signer)
        affected = dependents(session, person_id=record.person_id, unit_code=record.unit_code, year=record.year, title=record.title)
        record.revoked_decision_id, record.revoked_reason = decision.id, reason.strip()
        session.add(record)
        chain = f"title:{record.id}"
        seq = session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == chain)).one() + 1
        audit.append(session, chain=chain, seq=seq, actor=actor, action="revoke_title", from_state="held", to_state="revoked",
                     reason=reason.strip(), payload={"document": decision.number, "signed_on": signed_on.isoformat(),
                                                     "signer": signer, "reviews_for": [a.nomination_id for a in affected]})
        tasks = open_reviews(session, affected, cause=chain, decision=decision, title=record.title, year=record.year, actor=actor)
    return record, tasks


def list_reviews(session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[ReviewTask], int]:
    query = select(ReviewTask)
    counted = select(func.count()).select_from(ReviewTask)
    if status:
        query, counted = query.where(ReviewTask.status == status), counted.where(ReviewTask.status == status)
    rows = session.exec(query.order_by(ReviewTask.id).offset(offset).limit(limit)).all()
    return list(rows), session.exec(counted).one()


def close_review(session: Session, review_id: int, *, actor: Actor, resolution: str) -> ReviewTask:
    """Close a review task with what the Board decided ("kết quả rà soát"); closing twice is 409."""
    if actor.role not in REVIEW_CLOSERS:
        raise Forbidden("Chỉ Ban Thi đua – Khen thưởng được đóng việc rà soát.",
                        f"Only the Board may close a review task (your role: {actor.role.value}).")
    if not (resolution or "").strip():
        raise InvalidInput("Hãy ghi kết quả rà soát.", "Give the review's resolution.")
    with write_transaction(session):
        task = session.get(ReviewTask, review_id, with_for_update=True, populate_existing=True)
        if task is None:
            raise NotFound(f"Không có việc rà soát #{review_id}.", f"There is no review task #{review_id}.")
        if task.status != "open":
            error = Conflict(f"Việc rà soát #{review_id} đã đóng lúc {task.closed_at:%d/%m/%Y %H:%M} (UTC).",  # type: ignore[union-attr]
                             f"Review task #{review_id} was already closed at {task.closed_at.isoformat()}.")  # type: ignore[union-attr]
            error.details = {"review_id": review_id, "status": task.status}
            raise error
        task.status, task.closed_at, task.closed_by, task.resolution = "closed", utcnow(), actor.name, resolution.strip()
        session.add(task)
        audit.append(session, chain=f"review:{task.id}", seq=2, actor=actor, action="close_review", from_state="open",
                     to_state="closed", reason=task.resolution, payload={"nomination_id": task.nomination_id})
    return task


def titles_of(session: Session, *, person_code: str | None, unit_code: str | None) -> list[TitleRecord]:
    if (person_code is None) == (unit_code is None):
        raise InvalidInput("Hãy chọn đúng một cá nhân (person_code) hoặc một tập thể (unit_code).",
                           "Give exactly one of person_code or unit_code.")
    if person_code is not None:
        person = session.exec(select(Person).where(Person.code == person_code)).first()
        if person is None:
            raise NotFound(f"Không có cá nhân mã «{person_code}».", f"There is no person {person_code!r}.")
        holder = TitleRecord.person_id == person.id
    else:
        holder = TitleRecord.unit_code == unit_code
    return list(session.exec(select(TitleRecord).where(holder).order_by(TitleRecord.year, TitleRecord.title)).all())
