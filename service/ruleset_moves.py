"""Moving nominations in flight to another rule-set version ("chuyển áp dụng quy định mới").

A nomination keeps the rule set in force when it was created (``ruleset_version``) to its end:
a new decree does not change the rules of a proposal already under way. When the city decides
otherwise (a transitional provision says pending proposals follow the new rules), an admin moves
them in bulk: :func:`plan_move` previews it (dry run) and :func:`move_rulesets` applies it, each
nomination through the write path's audit machinery (:func:`service.transitions.record_change`:
row lock, version bump, an audit entry ``move_ruleset`` carrying the admin's reason).

A nomination is moved only when the target rule set still has its award, for its nominee kind
and track, with the step it stands at on the route, and when the nominee **stays eligible** under
the target's conditions; otherwise it keeps its rule set and the preview says why. The deadline
of the current step is kept (it was set when the step began); the target's deadlines apply from
the next step on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

from config.catalogue import RuleSet, catalogue
from service.actors import Actor
from service.db import write_transaction
from service.eligibility import check_award, nominee_record
from service.errors import Forbidden, InvalidInput
from service.models import Nomination
from service.transitions import load_for_update, record_change
from workflow.nomination import FINAL_STATES, STATE_LABELS, STEP_OF, enabled_events
from workflow.roles import Role

# Decided (or handed to the central level): the city's rules have done their work.
SETTLED_STATES = FINAL_STATES | {"awarded", "forwarded_central", "centrally_decided"}
ACTION = "move_ruleset"


@dataclass
class MovePlan:
    nomination_id: int
    award_code: str
    nominee_name: str
    state: str
    from_version: str
    to_version: str
    move: bool
    eligible: bool | None  # under the target's conditions (None: not checked, the award is missing)
    why_vi: str = ""
    why_en: str = ""
    unmet: list[dict[str, str]] = field(default_factory=list)


@dataclass
class MoveReport:
    to_version: str
    dry_run: bool
    reason: str
    plans: list[MovePlan]

    @property
    def moved(self) -> list[int]:
        return [p.nomination_id for p in self.plans if p.move]

    @property
    def kept(self) -> list[int]:
        return [p.nomination_id for p in self.plans if not p.move]

    def as_dict(self) -> dict[str, Any]:
        return {"to_version": self.to_version, "dry_run": self.dry_run, "reason": self.reason,
                "moved" if not self.dry_run else "would_move": self.moved, "kept": self.kept,
                "nominations": [asdict(p) for p in self.plans]}


def _target(to_version: str) -> RuleSet:
    try:
        return catalogue().version(to_version)
    except KeyError:
        known = ", ".join(r.version for r in catalogue().rulesets)
        raise InvalidInput(f"Không có bộ quy định phiên bản «{to_version}» (có: {known}).",
                           f"There is no rule set {to_version!r} (known: {known}).") from None


def _check_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("Chỉ quản trị viên được chuyển hồ sơ sang bộ quy định khác.",
                        "Only an admin may move nominations to another rule set.")


def plan_for(session: Session, nomination: Nomination, target: RuleSet) -> MovePlan:
    """Whether this nomination can move to ``target``, and whether it stays eligible there."""
    plan = MovePlan(nomination.id, nomination.award_code, nomination.nominee_name, nomination.state,  # type: ignore[arg-type]
                    nomination.ruleset_version, target.version, move=False, eligible=None)
    try:
        award = target.award(nomination.award_code)
    except KeyError:
        plan.why_vi = f"Quy định {target.version} không còn hình thức «{nomination.award_code}»."
        plan.why_en = f"Rule set {target.version} has no award {nomination.award_code}."
        return plan
    if nomination.nominee_kind not in award.nominee_kinds or nomination.track not in award.routes:
        plan.why_vi = f"Quy định {target.version} không xét «{award.name_vi}» cho loại đối tượng hoặc tuyến trình này."
        plan.why_en = f"Rule set {target.version} does not give the {award.name_en} to this kind of nominee on this track."
        return plan
    route = award.route(nomination.track)
    step = STEP_OF.get(nomination.state)
    if (step is not None and step not in route) or not enabled_events(nomination.state, route):
        state_vi, state_en = STATE_LABELS[nomination.state]
        plan.why_vi = f"Trình tự của «{award.name_vi}» theo quy định {target.version} không có bước hồ sơ đang ở ({state_vi})."
        plan.why_en = f"The {award.name_en} route under {target.version} has no step for the nomination's state ({state_en})."
        return plan
    record = nominee_record(session, kind=nomination.nominee_kind, person_id=nomination.person_id,
                            unit_code=nomination.nominee_unit_code, facts=nomination.facts)
    result = check_award(target, award, record, nomination.year)
    plan.eligible = result.passed
    if not result.passed:
        plan.unmet = [{"condition": f.condition_id, "message_vi": f.message_vi, "message_en": f.message_en} for f in result.unmet]
        plan.why_vi = "Không còn đủ điều kiện theo quy định mới: " + "; ".join(f.message_vi for f in result.unmet)
        plan.why_en = "Would not meet the new conditions: " + "; ".join(f.message_en for f in result.unmet)
        return plan
    plan.move = True
    return plan


def _in_flight(session: Session, to_version: str, from_version: str | None) -> list[int]:
    query = select(Nomination.id).where(
        Nomination.state.not_in(sorted(SETTLED_STATES)), Nomination.ruleset_version != to_version  # type: ignore[attr-defined]
    )
    if from_version is not None:
        query = query.where(Nomination.ruleset_version == from_version)
    return list(session.exec(query.order_by(Nomination.id)))  # type: ignore[arg-type]


def move_rulesets(
    session: Session, to_version: str, *, actor: Actor, reason: str, dry_run: bool = True, from_version: str | None = None,
) -> MoveReport:
    """Preview (``dry_run``, the default) or apply the move of every nomination in flight to
    ``to_version``. Applying is one transaction: every movable nomination moves, or none does."""
    _check_admin(actor)
    target = _target(to_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Hãy ghi lý do chuyển (ví dụ: điều khoản chuyển tiếp của văn bản mới).",
                           "Give the reason for the move (e.g. the new act's transitional provision).")
    if dry_run:
        plans = [plan_for(session, session.get(Nomination, i), target) for i in _in_flight(session, to_version, from_version)]  # type: ignore[arg-type]
        session.rollback()  # end the read transaction: a preview holds nothing
        return MoveReport(to_version, True, reason, plans)
    plans = []
    with write_transaction(session):
        for nomination_id in _in_flight(session, to_version, from_version):
            nomination = load_for_update(session, nomination_id, actor)
            plan = plan_for(session, nomination, target)
            plans.append(plan)
            if plan.move:
                old = nomination.ruleset_version
                with session.no_autoflush:  # one flush, one version bump per audited change
                    nomination.ruleset_version = target.version
                    record_change(session, nomination, actor, ACTION, {"ruleset": {"from": old, "to": target.version}, "eligible": True},
                                  reason=reason)
    return MoveReport(to_version, False, reason, plans)
