"""Actions on nominations, one function per domain verb. All go through the one write path
(:func:`service.transitions.apply_event`) or, for creation and draft edits, the same lock,
version, audit and commit discipline."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from config.catalogue import catalogue
from service.actors import Actor
from service.db import write_transaction
from service.errors import Forbidden, InvalidInput, NotADraft, NotFound
from service.eligibility import assert_eligible
from service.models import Campaign, Cluster, ClusterMember, Decision, Nomination, Person, Unit, utcnow
from service.transitions import apply_event, check_version, end_of_day_utc, load_for_update, record_change
from workflow.nomination import FINAL_STATES, STATE_LABELS
from workflow.roles import Role

class DuplicateNomination(InvalidInput):
    """An open nomination already proposes the same award for the same nominee and year."""


_DECISIONS = Decision.__table__  # type: ignore[attr-defined]
_DECISION_BY_NUMBER = sa.select(_DECISIONS.c.id, _DECISIONS.c.kind, _DECISIONS.c.signed_on).where(
    _DECISIONS.c.number == sa.bindparam("number"))
_NEW_DECISION = _DECISIONS.insert().returning(_DECISIONS.c.id)
_CREATORS = frozenset({Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD})
_EDITABLE = ("achievements", "facts", "year")
_DRAFTERS = frozenset({Role.SUBMITTER, Role.UNIT_HEAD})


def create_nomination(
    session: Session,
    *,
    actor: Actor,
    award_code: str,
    campaign_code: str,
    year: int,
    person_code: str | None = None,
    nominee_unit_code: str | None = None,
    track: str | None = None,
    achievements: str = "",
    facts: dict[str, Any] | None = None,
    today: date | None = None,
) -> Nomination:
    """Create a draft ("lập hồ sơ đề nghị") under the rule set in force today."""
    with write_transaction(session):
        if actor.role not in _CREATORS or actor.unit_code is None:
            raise Forbidden(
                "Chỉ cán bộ TĐKT, thủ trưởng đơn vị hoặc cụm trưởng được lập hồ sơ đề nghị.",
                "Only a unit's emulation officer, its head or a cluster head may create a nomination.",
            )
        today = today or utcnow().date()
        ruleset = catalogue().in_force(today)
        try:
            award = ruleset.award(award_code)
        except KeyError:
            raise InvalidInput(
                f"Không có hình thức khen thưởng mã «{award_code}» trong quy định {ruleset.version}.",
                f"There is no award {award_code!r} in rule set {ruleset.version}.",
            ) from None
        campaign = session.exec(select(Campaign).where(Campaign.code == campaign_code)).first()
        if campaign is None:
            raise InvalidInput(f"Không có đợt thi đua «{campaign_code}».", f"There is no campaign {campaign_code!r}.")
        if today > campaign.filing_deadline:
            raise InvalidInput(
                f"Đợt «{campaign.name_vi}» đã hết hạn nộp hồ sơ ngày {campaign.filing_deadline:%d/%m/%Y}.",
                f"Campaign {campaign.code} closed for filing on {campaign.filing_deadline.isoformat()}.",
            )
        if (person_code is None) == (nominee_unit_code is None):
            raise InvalidInput("Hãy chọn đúng một người hoặc một tập thể được đề nghị.", "Give exactly one nominee: a person or a unit.")
        kind = "individual" if person_code else "collective"
        if kind not in award.nominee_kinds:
            raise InvalidInput(
                f"«{award.name_vi}» không xét cho {'cá nhân' if kind == 'individual' else 'tập thể'}.",
                f"{award.name_en} is not given to {kind}s.",
            )
        track = track or ("unit" if "unit" in award.routes else "cluster")
        if track not in award.routes:
            raise InvalidInput(
                f"«{award.name_vi}» không đề nghị theo {'Cụm thi đua' if track == 'cluster' else 'đơn vị'}.",
                f"{award.name_en} has no {track} track; tracks: {sorted(award.routes)}.",
            )
        person, nominee_name, nominee_unit = _nominee(session, person_code, nominee_unit_code)
        home_unit = person.unit_code if person else nominee_unit
        cluster_id = None
        if track == "cluster":
            cluster_id = _cluster_of(session, home_unit, year)  # type: ignore[arg-type]
        _check_creator_scope(session, actor, home_unit, cluster_id)  # type: ignore[arg-type]
        _refuse_duplicate(session, award_code, year, person, nominee_unit)
        nomination = Nomination(
            award_code=award_code,
            ruleset_version=ruleset.version,
            track=track,
            nominee_kind=kind,
            person_id=person.id if person else None,
            nominee_unit_code=nominee_unit,
            nominee_name=nominee_name,
            proposing_unit_code=actor.unit_code if actor.role is not Role.CLUSTER_HEAD else home_unit,  # type: ignore[arg-type]
            cluster_id=cluster_id,
            campaign_id=campaign.id,  # type: ignore[arg-type]
            year=year,
            achievements=achievements,
            facts=facts or {},
            state="draft",
            due_at=end_of_day_utc(campaign.filing_deadline),
            created_by=actor.name,
        )
        return record_change(session, nomination, actor, "create", {"award": award_code, "track": track}, from_state=None, new=True)


def edit_draft(
    session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None, **changes: Any
) -> Nomination:
    """Edit a draft ("sửa dự thảo"): achievements, facts, year. Only drafts can be edited."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(f"Không sửa được trường {sorted(unknown)}.", f"Fields {sorted(unknown)} cannot be edited.")
    with write_transaction(session):
        nomination = load_for_update(session, nomination_id, actor)
        check_version(nomination, expected_version)
        if actor.role not in _DRAFTERS:
            raise Forbidden(
                "Chỉ cán bộ TĐKT hoặc thủ trưởng đơn vị đề nghị được sửa dự thảo.",
                f"Only the proposing unit's officer or head may edit a draft (your role: {actor.role.value}).",
            )
        if nomination.state != "draft":
            raise NotADraft(nomination_id, nomination.state, nomination.version, *STATE_LABELS[nomination.state])
        for field, value in changes.items():
            setattr(nomination, field, value)
        return record_change(session, nomination, actor, "edit_draft", {"fields": sorted(changes)})


def _nominee(session: Session, person_code: str | None, unit_code: str | None) -> tuple[Person | None, str, str | None]:
    if person_code:
        person = session.exec(select(Person).where(Person.code == person_code)).first()
        if person is None:
            raise InvalidInput(f"Không có cá nhân mã «{person_code}».", f"There is no person {person_code!r}.")
        return person, person.full_name, None
    unit = session.get(Unit, unit_code)
    if unit is None:
        raise InvalidInput(f"Không có đơn vị mã «{unit_code}».", f"There is no unit {unit_code!r}.")
    return None, unit.name_vi, unit.code


def _cluster_of(session: Session, unit_code: str, year: int) -> int:
    cluster_id = session.exec(
        select(Cluster.id)
        .join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
        .where(ClusterMember.unit_code == unit_code, Cluster.year == year)
    ).first()
    if cluster_id is None:
        raise InvalidInput(
            f"Đơn vị «{unit_code}» không thuộc cụm thi đua nào năm {year}; không thể đề nghị theo Cụm.",
            f"Unit {unit_code} is in no emulation cluster in {year}; it cannot be proposed by a cluster.",
        )
    return cluster_id


def _check_creator_scope(session: Session, actor: Actor, home_unit: str, cluster_id: int | None) -> None:
    if actor.role is Role.CLUSTER_HEAD:
        cluster = session.get(Cluster, cluster_id) if cluster_id else None
        allowed = cluster is not None and actor.unit_code in (cluster.head_unit, cluster.deputy_unit)
    else:
        allowed = home_unit == actor.unit_code
    if not allowed:
        raise Forbidden(
            "Bạn chỉ được đề nghị khen thưởng cho đơn vị (hoặc cụm) mình phụ trách.",
            "You may only propose nominees of your own unit (or the cluster you head).",
        )


def _refuse_duplicate(session: Session, award_code: str, year: int, person: Person | None, unit_code: str | None) -> None:
    query = select(Nomination.id).where(
        Nomination.award_code == award_code,
        Nomination.year == year,
        Nomination.state.not_in(sorted(FINAL_STATES)),  # type: ignore[attr-defined]
    )
    query = query.where(Nomination.person_id == person.id) if person else query.where(Nomination.nominee_unit_code == unit_code)
    other = session.exec(query).first()
    if other is not None:
        error = DuplicateNomination(
            f"Đã có hồ sơ #{other} đề nghị cùng hình thức cho cùng đối tượng năm {year}; hãy mở hồ sơ đó thay vì lập mới.",
            f"Nomination #{other} already proposes this award for this nominee in {year}; open it instead.",
        )
        error.details = {"nomination_id": other}
        raise error


# --- transitions ------------------------------------------------------------------------------


def submit(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """Submit the draft to the unit head ("trình thủ trưởng"), after the eligibility check passes.
    Overlaps with the nominee's other nominations (:mod:`service.overlaps`) warn, and are written
    into the submission's audit entry with the other nominations' ids."""
    from service.overlaps import flags_of

    payload: dict[str, Any] = {}

    def check(n: Nomination) -> None:
        assert_eligible(session, n)
        flags = flags_of(session, n)
        if flags:
            payload["overlaps"] = [{"kind": f.kind, "nomination_id": f.other_id} for f in flags]

    return apply_event(
        session, nomination_id, "submit", actor=actor, expected_version=expected_version, payload=payload,
        before_write=check,
    )


def send_back(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """The unit head sends the draft back to its drafter ("trả lại người soạn")."""
    return apply_event(session, nomination_id, "send_back", actor=actor, reason=reason, expected_version=expected_version)


def endorse(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """The unit head signs the proposal; it leaves the unit ("thủ trưởng ký trình")."""
    return apply_event(session, nomination_id, "endorse", actor=actor, expected_version=expected_version)


def open_cluster_review(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """The cluster head puts the candidate into the cluster's review ("đưa vào bình xét"), from the
    unit's submitted candidacy or from a draft the head entered; the award's conditions must hold."""
    return apply_event(
        session, nomination_id, "open_cluster_review", actor=actor, expected_version=expected_version,
        before_write=lambda n: assert_eligible(session, n),
    )


def record_cluster_result(
    session: Session, nomination_id: int, *, actor: Actor, honoured: bool, reason: str | None = None,
    tally: dict[str, Any] | None = None, expected_version: int | None = None,
) -> Nomination:
    """Record the outcome of the cluster's honouring ballot ("kết quả suy tôn"). Honouring proposes
    the nominee to the Board, so it takes a place in the award's quota for the cluster-year
    (:func:`service.quotas.reserve`), refused beyond the quota."""
    from service.quotas import reserve

    return apply_event(
        session, nomination_id, "record_cluster_result", actor=actor, passed=honoured, reason=reason,
        payload={"tally": tally or {}}, expected_version=expected_version,
        before_write=(lambda n: reserve(session, n, actor)) if honoured else None,
    )


def receive(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """The Board receives the dossier ("tiếp nhận hồ sơ"); the appraisal clock starts."""
    return apply_event(session, nomination_id, "receive", actor=actor, expected_version=expected_version)


def return_for_completion(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """Return the dossier to its unit to complete ("trả lại, yêu cầu bổ sung hồ sơ")."""
    return apply_event(session, nomination_id, "return_for_completion", actor=actor, reason=reason, expected_version=expected_version)


def resubmit(session: Session, nomination_id: int, *, actor: Actor, note: str | None = None, expected_version: int | None = None) -> Nomination:
    """The unit sends the completed dossier back to the Board ("nộp lại hồ sơ đã bổ sung")."""
    return apply_event(session, nomination_id, "resubmit", actor=actor, payload={"note": note} if note else None, expected_version=expected_version)


def start_appraisal(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """The Board starts appraising ("thẩm định")."""
    return apply_event(session, nomination_id, "start_appraisal", actor=actor, expected_version=expected_version)


def reject(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """Decide not to award, with the reason ("không khen thưởng")."""
    return apply_event(session, nomination_id, "reject", actor=actor, reason=reason, expected_version=expected_version)


def decline(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """The Chairman declines to sign the award, with the reason ("không ký quyết định")."""
    return apply_event(session, nomination_id, "decline", actor=actor, reason=reason, expected_version=expected_version)


def request_consultation(
    session: Session, nomination_id: int, *, actor: Actor, bodies: list[str], expected_version: int | None = None
) -> Nomination:
    """Ask other bodies for their opinion ("xin ý kiến, hiệp y"): tax, social insurance, party committee…"""
    if not bodies:
        raise InvalidInput("Hãy nêu cơ quan được xin ý kiến.", "Name the bodies to consult.")
    return apply_event(session, nomination_id, "request_consultation", actor=actor, payload={"bodies": bodies}, expected_version=expected_version)


def record_consultation(
    session: Session, nomination_id: int, *, actor: Actor, favourable: bool, reason: str | None = None,
    opinions: dict[str, str] | None = None, expected_version: int | None = None,
) -> Nomination:
    """Record the consulted bodies' answer ("ghi nhận ý kiến hiệp y"); moves to the next step of the route."""
    return apply_event(
        session, nomination_id, "record_consultation", actor=actor, passed=favourable, reason=reason,
        payload={"opinions": opinions or {}}, expected_version=expected_version,
    )


def publish_notice(session: Session, nomination_id: int, *, actor: Actor, where: str | None = None, expected_version: int | None = None) -> Nomination:
    """Publish the public notice ("công khai lấy ý kiến") before the council meets."""
    return apply_event(session, nomination_id, "publish_notice", actor=actor, payload={"where": where} if where else None, expected_version=expected_version)


def close_notice(
    session: Session, nomination_id: int, *, actor: Actor, objection_upheld: bool = False, reason: str | None = None,
    expected_version: int | None = None,
) -> Nomination:
    """Close the notice window ("kết thúc công khai"); an upheld objection ends the nomination."""
    return apply_event(
        session, nomination_id, "close_notice", actor=actor, passed=not objection_upheld, reason=reason, expected_version=expected_version
    )


def send_to_council(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """Put the nomination before the city council ("trình Hội đồng TĐKT")."""
    return apply_event(session, nomination_id, "send_to_council", actor=actor, expected_version=expected_version)


def submit_for_signature(session: Session, nomination_id: int, *, actor: Actor, expected_version: int | None = None) -> Nomination:
    """Submit the appraised nomination to the Chairman for signature ("trình ký")."""
    return apply_event(session, nomination_id, "submit_for_signature", actor=actor, expected_version=expected_version)


def record_council_result(
    session: Session, nomination_id: int, *, actor: Actor, passed: bool, reason: str | None = None,
    tally: dict[str, Any] | None = None, expected_version: int | None = None,
) -> Nomination:
    """Record the council's secret-ballot result ("kết quả bỏ phiếu của Hội đồng")."""
    return apply_event(
        session, nomination_id, "record_council_result", actor=actor, passed=passed, reason=reason,
        payload={"tally": tally or {}}, expected_version=expected_version,
    )


def decide(
    session: Session, nomination_id: int, *, actor: Actor, decision_number: str, signed_on: date, signer: str,
    expected_version: int | None = None,
) -> Nomination:
    """The Chairman signs the award decision ("ký quyết định khen thưởng")."""
    return _signed(session, nomination_id, "decide", "award", actor, decision_number, signed_on, signer, None, None, expected_version)


def forward(
    session: Session, nomination_id: int, *, actor: Actor, submission_number: str, signed_on: date, signer: str,
    expected_version: int | None = None,
) -> Nomination:
    """The Chairman signs the submission forwarding to the central level ("tờ trình đề nghị Trung ương")."""
    return _signed(session, nomination_id, "forward", "forward", actor, submission_number, signed_on, signer, None, None, expected_version)


def record_central_result(
    session: Session, nomination_id: int, *, actor: Actor, approved: bool, decision_number: str | None = None,
    signed_on: date | None = None, signer: str | None = None, reason: str | None = None, expected_version: int | None = None,
) -> Nomination:
    """Record the central level's result ("kết quả của Trung ương"): its decision number if approved."""
    if approved and not (decision_number and signed_on and signer):
        raise InvalidInput(
            f"Hồ sơ #{nomination_id}: cần số, ngày và người ký quyết định của Trung ương.",
            f"Nomination #{nomination_id}: give the central decision's number, date and signer.",
        )
    if not approved:
        return apply_event(session, nomination_id, "record_central_result", actor=actor, passed=False, reason=reason, expected_version=expected_version)
    return _signed(session, nomination_id, "record_central_result", "central", actor, decision_number, signed_on, signer, True, reason, expected_version)  # type: ignore[arg-type]


def revoke(
    session: Session, nomination_id: int, *, actor: Actor, reason: str, decision_number: str, signed_on: date, signer: str,
    expected_version: int | None = None,
) -> Nomination:
    """Revoke a decided award by a revoking decision ("hủy bỏ quyết định khen thưởng"), with its
    consequences (:func:`service.revocations.revoke_award`)."""
    from service.revocations import revoke_award

    return revoke_award(session, nomination_id, actor=actor, reason=reason, decision_number=decision_number,
                        signed_on=signed_on, signer=signer, expected_version=expected_version)


def withdraw(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """The proposing unit withdraws its nomination ("rút hồ sơ")."""
    return apply_event(session, nomination_id, "withdraw", actor=actor, reason=reason, expected_version=expected_version)


def expire(session: Session, nomination_id: int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Nomination:
    """Mark a nomination whose filing or completion deadline passed as expired ("quá hạn")."""
    return apply_event(session, nomination_id, "expire", actor=actor, reason=reason, expected_version=expected_version)


def _signed(
    session: Session, nomination_id: int, event: str, kind: str, actor: Actor, number: str, signed_on: date,
    signer: str, passed: bool | None, reason: str | None, expected_version: int | None,
) -> Nomination:
    if not number or not number.strip():
        raise InvalidInput(f"Hồ sơ #{nomination_id}: cần số văn bản.", f"Nomination #{nomination_id}: the document number is required.")

    number = number.strip()

    def attach_decision(nomination: Nomination) -> None:
        # Rows, not objects: one decision often signs many nominations, read on every signature.
        connection = session.connection()
        decision = connection.execute(_DECISION_BY_NUMBER, {"number": number}).first()
        if decision is None:
            decision_id = connection.execute(
                _NEW_DECISION, dict(number=number, kind=kind, signed_on=signed_on, signer=signer, created_at=utcnow())
            ).scalar_one()
        elif (decision.kind, decision.signed_on) != (kind, signed_on):
            raise InvalidInput(
                f"Văn bản số {number} đã được ghi nhận là loại «{decision.kind}», ngày {decision.signed_on:%d/%m/%Y}; kiểm tra lại số hoặc ngày.",
                f"Document {number} is already recorded as {decision.kind} of {decision.signed_on.isoformat()}; check the number or date.",
            )
        else:
            decision_id = decision.id
        nomination.decision_id = decision_id

    return apply_event(
        session, nomination_id, event, actor=actor, passed=passed, reason=reason,
        payload={"document": number, "signed_on": signed_on.isoformat(), "signer": signer},
        before_write=attach_decision, expected_version=expected_version,
    )


def get_nomination(session: Session, nomination_id: int, actor: Actor) -> Nomination:
    from service.scope import can_act_on

    nomination = session.get(Nomination, nomination_id)
    if nomination is None or not can_act_on(session, actor, nomination):
        raise NotFound(f"Không tìm thấy hồ sơ #{nomination_id}.", f"Nomination #{nomination_id} was not found.")
    return nomination
