"""The cluster's year ("năm thi đua của Cụm"), one function per step: start the year, sign the
pledge, hold the mid-year review, open scoring, self-score and cross-check, close scoring (the
ranking), file the proposals, and apply the election of next year's head and deputy.

Every step is one transaction that locks the cluster-year row, asks
:mod:`workflow.cluster_year` whether the step is allowed, writes the change and appends an
audit entry to the chain ``cluster_year:<id>`` whose ``seq`` is the row's version. Nominations
are only ever changed through :mod:`service.nominations`' verbs, inside the same transaction.
The honouring ballot itself lives in :mod:`service.ballots`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from config.pledges import Pledge, pledge_for, pledge_from_snapshot
from config.settings import get_settings
from service import nominations as verbs
from service.actors import Actor
from service.cycle_models import ClusterScore, ClusterYear
from service.cycle_writes import check_version, load_locked, record
from service.db import write_transaction
from service.errors import Conflict, Forbidden, InvalidInput, NotAVoter
from service.models import Campaign, Cluster, ClusterMember, Nomination, Unit, utcnow
from workflow import cluster_year as machine
from workflow.roles import Role
from workflow.scoring import ScoreSheet, points, rank, sheet_problems, show

KIND = "cluster_year"
WHAT_VI, WHAT_EN = "năm thi đua của Cụm", "cluster year"
_CITY_ROLES = frozenset({Role.BOARD_OFFICER, Role.ADMIN})
_VOTING_ROLES = frozenset({Role.CLUSTER_MEMBER, Role.CLUSTER_HEAD})
PARTS = ("criteria", "bonus", "penalty")


def local_today() -> date:
    return utcnow().astimezone(get_settings().zone).date()


# --- reading ------------------------------------------------------------------------------------


def cluster_of(session: Session, cy: ClusterYear) -> Cluster:
    return session.get(Cluster, cy.cluster_id)  # type: ignore[return-value]


def members_of(session: Session, cluster_id: int) -> list[str]:
    return sorted(session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster_id)))


def unit_name(session: Session, code: str) -> str:
    unit = session.get(Unit, code)
    return unit.name_vi if unit else code


def find_cluster_year(session: Session, cluster_code: str, year: int) -> ClusterYear | None:
    return session.exec(
        select(ClusterYear).join(Cluster, Cluster.id == ClusterYear.cluster_id).where(Cluster.code == cluster_code, Cluster.year == year)
    ).first()


def pledge_of(cy: ClusterYear) -> Pledge:
    if not cy.pledge:
        raise Conflict("Cụm chưa ký giao ước thi đua nên chưa có bảng chấm điểm.", "The cluster has not signed its pledge: there is no scoring table yet.")
    return pledge_from_snapshot(cy.pledge)


def effective_sheet(score: ClusterScore) -> ScoreSheet:
    """The unit's points after review: a reviewer's adjustment replaces the self-score of that item."""
    parts: dict[str, dict[str, Decimal]] = {}
    for part in PARTS:
        values = {code: points(v) for code, v in score.self_scores.get(part, {}).items()}
        for code, adjustment in score.adjustments.get(part, {}).items():
            values[code] = points(adjustment["points"])
        parts[part] = values
    failed = tuple(sorted(code for code, gate in score.gates.items() if not gate["met"]))
    return ScoreSheet(score.unit_code, parts["criteria"], parts["bonus"], parts["penalty"], failed)


def current_ranking(session: Session, cy: ClusterYear) -> list[dict[str, Any]]:
    """The ranking: fixed when scoring closed, else computed from the scores so far."""
    if cy.ranking:
        return list(cy.ranking["units"])
    scores = session.exec(select(ClusterScore).where(ClusterScore.cluster_year_id == cy.id)).all()
    return [r.as_dict() for r in rank(pledge_of(cy).scoring_table(), [effective_sheet(s) for s in scores])]


def gate_labels(pledge: Pledge, codes: list[str] | tuple[str, ...]) -> tuple[str, str]:
    labels = {g.code: (g.label_vi, g.label_en) for g in pledge.gates}
    return "; ".join(labels.get(c, (c, c))[0] for c in codes), "; ".join(labels.get(c, (c, c))[1] for c in codes)


# --- permissions ----------------------------------------------------------------------------------


def require_head(actor: Actor, cluster: Cluster, *, also_city: bool = False) -> None:
    """The cluster head or deputy of that year ("Cụm trưởng, Cụm phó"); the Board where allowed."""
    if actor.role is Role.CLUSTER_HEAD and actor.unit_code in (cluster.head_unit, cluster.deputy_unit):
        return
    if also_city and actor.role in _CITY_ROLES:
        return
    raise Forbidden(
        f"Chỉ Cụm trưởng hoặc Cụm phó của {cluster.name_vi} năm {cluster.year} ({cluster.head_unit}, {cluster.deputy_unit}) "
        "được thực hiện thao tác này.",
        f"Only the head or deputy of {cluster.name_en} in {cluster.year} ({cluster.head_unit}, {cluster.deputy_unit}) may do this.",
    )


def require_member(session: Session, actor: Actor, cluster: Cluster, *, doing_vi: str, doing_en: str) -> str:
    unit = actor.unit_code
    if actor.role not in _VOTING_ROLES or unit is None or unit not in members_of(session, cluster.id):  # type: ignore[arg-type]
        raise NotAVoter(
            f"Đơn vị «{unit or '—'}» không phải thành viên {cluster.name_vi} năm {cluster.year} nên không được {doing_vi}.",
            f"Unit {unit or '—'} is not a member of {cluster.name_en} in {cluster.year}, so it may not {doing_en}.",
        )
    return unit


def _require_state(cy: ClusterYear, state: str, doing_vi: str, doing_en: str) -> None:
    if cy.state != state:
        here_vi, here_en = machine.STATE_LABELS[cy.state]
        need_vi, need_en = machine.STATE_LABELS[state]
        raise Conflict(
            f"Chỉ {doing_vi} khi Cụm ở bước «{need_vi}»; năm thi đua #{cy.id} đang ở bước «{here_vi}».",
            f"You can only {doing_en} while the cluster year is '{need_en}'; #{cy.id} is '{here_en}'.",
        )


# --- the steps --------------------------------------------------------------------------------


def start_cluster_year(session: Session, *, actor: Actor, cluster_code: str, year: int, campaign_code: str) -> ClusterYear:
    """Open the cluster's year ("lập kế hoạch thi đua năm") under the year's annual campaign."""
    with write_transaction(session):
        cluster = session.exec(select(Cluster).where(Cluster.code == cluster_code, Cluster.year == year)).first()
        if cluster is None:
            raise InvalidInput(f"Không có cụm thi đua «{cluster_code}» năm {year}.", f"There is no cluster {cluster_code} in {year}.")
        require_head(actor, cluster, also_city=True)
        campaign = session.exec(select(Campaign).where(Campaign.code == campaign_code)).first()
        if campaign is None or campaign.year != year:
            raise InvalidInput(
                f"Không có đợt thi đua «{campaign_code}» của năm {year}.", f"There is no campaign {campaign_code!r} for {year}."
            )
        if find_cluster_year(session, cluster_code, year) is not None:
            raise Conflict(f"{cluster.name_vi} đã có năm thi đua {year}.", f"{cluster.name_en} already has its {year} year.")
        cy = ClusterYear(cluster_id=cluster.id, campaign_id=campaign.id, state=machine.CLUSTER_YEAR.initial, created_by=actor.name)  # type: ignore[arg-type]
        record(session, cy, kind=KIND, actor=actor, action="create", from_state=None,
               payload={"cluster": cluster_code, "year": year, "campaign": campaign_code})
    return cy


def advance_year(
    session: Session,
    cy_id: int,
    event: str,
    *,
    actor: Actor,
    expected_version: int | None,
    change: Callable[[ClusterYear, Cluster], dict[str, Any]] | None = None,
    facts: Callable[[ClusterYear, Cluster], dict[str, int]] | None = None,
    reason: str | None = None,
) -> ClusterYear:
    """One transition of the year, driven by the head or deputy. ``facts`` may refuse with its own
    message before the machine is asked; ``change`` writes the step's data (and may call nomination
    verbs, which join this transaction) and returns the audit payload."""
    now = utcnow()
    with write_transaction(session):
        cy = load_locked(session, ClusterYear, cy_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        check_version(cy, expected_version, what_vi=WHAT_VI, what_en=WHAT_EN)
        cluster = cluster_of(session, cy)
        require_head(actor, cluster)
        old = cy.state
        new = machine.advance(old, event, **(facts(cy, cluster) if facts else {}))
        payload = change(cy, cluster) if change else {}
        cy.state = new
        cy.state_entered_at = now
        record(session, cy, kind=KIND, actor=actor, action=event, from_state=old, payload=payload, reason=reason, now=now)
    return cy


def sign_pledge(
    session: Session, cy_id: int, *, actor: Actor, signed_on: date, signatories: list[str] | None = None,
    expected_version: int | None = None,
) -> ClusterYear:
    """The member units sign the emulation pledge ("ký giao ước thi đua"); the scoring table of
    ``config/clusters`` for the cluster and year is stored with the year as it is today."""

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        try:
            source = pledge_for(cluster.code, cluster.year)
        except LookupError:
            raise InvalidInput(
                f"Chưa có bảng chấm điểm, giao ước của {cluster.name_vi} năm {cluster.year} trong config/clusters.",
                f"There is no pledge or scoring table for {cluster.code} in {cluster.year} under config/clusters.",
            ) from None
        members = members_of(session, cluster.id)  # type: ignore[arg-type]
        signed = sorted(set(signatories if signatories is not None else members))
        outsiders = sorted(set(signed) - set(members))
        missing = sorted(set(members) - set(signed))
        if outsiders or missing:
            raise InvalidInput(
                f"Giao ước phải do đủ các đơn vị thành viên ký. Thiếu: {', '.join(missing) or '—'}; "
                f"không phải thành viên: {', '.join(outsiders) or '—'}.",
                f"Every member unit must sign the pledge. Missing: {', '.join(missing) or '—'}; "
                f"not members: {', '.join(outsiders) or '—'}.",
            )
        cy.pledge = source.snapshot()
        cy.pledge_signed_on = signed_on
        return {"signed_on": signed_on.isoformat(), "signatories": signed, "file": source.file, "sha256": source.sha256,
                "targets": len(source.pledge.targets), "criteria": len(source.pledge.criteria)}

    return advance_year(session, cy_id, "sign_pledge", actor=actor, expected_version=expected_version, change=change)


def review_mid_year(
    session: Session, cy_id: int, *, actor: Actor, held_on: date, summary: str, expected_version: int | None = None
) -> ClusterYear:
    """The mid-year review meeting ("hội nghị sơ kết 6 tháng")."""
    if not summary.strip():
        raise InvalidInput("Hãy ghi tóm tắt kết quả sơ kết.", "Give a summary of the mid-year review.")

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        cy.mid_year_reviewed_on = held_on
        return {"held_on": held_on.isoformat(), "summary": summary.strip()}

    return advance_year(session, cy_id, "review_mid_year", actor=actor, expected_version=expected_version, change=change)


def open_scoring(session: Session, cy_id: int, *, actor: Actor, expected_version: int | None = None) -> ClusterYear:
    """Open the year-end scoring ("mở chấm điểm thi đua"): units self-score against the table."""
    return advance_year(session, cy_id, "open_scoring", actor=actor, expected_version=expected_version)


def _parse_part(pledge: Pledge, part: str, given: Mapping[str, Any] | None) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for code, raw in (given or {}).items():
        try:
            values[code] = points(raw)
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidInput(f"Điểm của mục «{code}» không phải là số: {raw!r}.", f"The points of {code} are not a number: {raw!r}.") from None
    return values


def _refuse_problems(sheet: ScoreSheet, pledge: Pledge, unit: str) -> None:
    problems = sheet_problems(pledge.scoring_table(), sheet)
    if problems:
        raise InvalidInput(
            f"Phiếu chấm điểm của «{unit}» chưa hợp lệ: " + "; ".join(p.message_vi for p in problems) + ".",
            f"The score sheet of {unit} is not valid: " + "; ".join(p.message_en for p in problems) + ".",
        )


def submit_self_score(
    session: Session,
    cy_id: int,
    *,
    actor: Actor,
    criteria: Mapping[str, Any],
    gates: Mapping[str, bool],
    evidence: Mapping[str, str] | None = None,
    bonus: Mapping[str, Any] | None = None,
    penalty: Mapping[str, Any] | None = None,
    gate_notes: Mapping[str, str] | None = None,
) -> ClusterScore:
    """A member unit scores itself ("đơn vị tự chấm điểm") with its evidence and answers every gate.
    Submitting again while scoring is open replaces the self-score; reviewers' adjustments stay."""
    now = utcnow()
    with write_transaction(session):
        cy = load_locked(session, ClusterYear, cy_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        cluster = cluster_of(session, cy)
        unit = require_member(session, actor, cluster, doing_vi="chấm điểm trong Cụm", doing_en="score in the cluster")
        _require_state(cy, "scoring_open", "tự chấm điểm", "self-score")
        pledge = pledge_of(cy)
        parts = {"criteria": _parse_part(pledge, "criteria", criteria), "bonus": _parse_part(pledge, "bonus", bonus),
                 "penalty": _parse_part(pledge, "penalty", penalty)}
        _refuse_problems(ScoreSheet(unit, parts["criteria"], parts["bonus"], parts["penalty"]), pledge, unit)
        evidence = {c: e.strip() for c, e in (evidence or {}).items() if e and e.strip()}
        lacking = [c for c in pledge.criteria if c.evidence_required and parts["criteria"].get(c.code, 0) > 0 and c.code not in evidence]
        if lacking:
            raise InvalidInput(
                "Thiếu tài liệu kiểm chứng cho: " + "; ".join(f"mục {c.code} ({c.evidence_vi})" for c in lacking) + ".",
                "Evidence is missing for: " + "; ".join(f"item {c.code}" for c in lacking) + ".",
            )
        known_gates = [g.code for g in pledge.gates]
        unknown = sorted(set(gates) - set(known_gates))
        unanswered = [g for g in known_gates if g not in gates]
        if unknown or unanswered:
            raise InvalidInput(
                f"Hãy trả lời đủ các điều kiện suy tôn. Chưa trả lời: {', '.join(unanswered) or '—'}; không có: {', '.join(unknown) or '—'}.",
                f"Answer every gate. Unanswered: {', '.join(unanswered) or '—'}; unknown: {', '.join(unknown) or '—'}.",
            )
        score = session.get(ClusterScore, (cy.id, unit))
        if score is None:
            score = ClusterScore(cluster_year_id=cy.id, unit_code=unit, submitted_by=actor.name)  # type: ignore[arg-type]
        score.self_scores = {part: {c: show(v) for c, v in values.items()} for part, values in parts.items()}
        score.evidence = evidence
        score.gates = {g: {"met": bool(gates[g]), "note": (gate_notes or {}).get(g, ""), "by": unit} for g in known_gates}
        score.submitted_by, score.submitted_at = actor.name, now
        session.add(score)
        sheet = effective_sheet(score)
        total = rank(pledge.scoring_table(), [sheet])[0].breakdown
        record(session, cy, kind=KIND, actor=actor, action="submit_score", from_state=cy.state, now=now,
               payload={"unit": unit, "self_total": show(total.total), "failed_gates": list(sheet.failed_gates)})
    return score


def review_score(
    session: Session,
    cy_id: int,
    *,
    actor: Actor,
    unit_code: str,
    reason: str,
    adjustments: Mapping[str, Any] | None = None,
    gates: Mapping[str, bool] | None = None,
) -> ClusterScore:
    """Cross-check a unit's self-score ("chấm chéo, thẩm định điểm"): set an item's points or a gate's
    answer, with a reason. Who may review follows the cluster's regulation (the head and deputy
    always; other member units too where the rule is ``peers``); never the unit itself."""
    if not (reason and reason.strip()):
        raise InvalidInput("Điều chỉnh điểm cần ghi rõ lý do.", "An adjustment needs a reason.")
    if not adjustments and not gates:
        raise InvalidInput("Không có điểm hay điều kiện nào được điều chỉnh.", "Nothing to adjust.")
    now = utcnow()
    with write_transaction(session):
        cy = load_locked(session, ClusterYear, cy_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        cluster = cluster_of(session, cy)
        _require_state(cy, "scoring_open", "chấm chéo", "cross-check scores")
        pledge = pledge_of(cy)
        is_head = actor.role is Role.CLUSTER_HEAD and actor.unit_code in (cluster.head_unit, cluster.deputy_unit)
        is_peer = (pledge.regulation.cross_check == "peers" and actor.role in _VOTING_ROLES
                   and actor.unit_code in members_of(session, cluster.id))  # type: ignore[arg-type]
        if actor.unit_code == unit_code or not (is_head or is_peer):
            who_vi = "Cụm trưởng, Cụm phó" + (" hoặc đơn vị thành viên khác" if pledge.regulation.cross_check == "peers" else "")
            raise Forbidden(
                f"Điểm của «{unit_code}» chỉ do {who_vi} chấm chéo; đơn vị không tự thẩm định điểm của mình.",
                f"Only the head or deputy{' or another member unit' if pledge.regulation.cross_check == 'peers' else ''} "
                f"may cross-check {unit_code}'s score; a unit never reviews itself.",
            )
        score = session.get(ClusterScore, (cy.id, unit_code))
        if score is None:
            raise InvalidInput(f"Đơn vị «{unit_code}» chưa tự chấm điểm.", f"Unit {unit_code} has not self-scored yet.")
        table = pledge.scoring_table()
        changed: dict[str, Any] = {}
        adjusted = {part: dict(score.adjustments.get(part, {})) for part in PARTS}
        for code, raw in (adjustments or {}).items():
            part = next((p for p in PARTS if code in table.maxima(p)), None)
            if part is None:
                raise InvalidInput(f"Mục «{code}» không có trong bảng chấm điểm.", f"Item {code!r} is not in the scoring table.")
            value = _parse_part(pledge, part, {code: raw})[code]
            _refuse_problems(ScoreSheet(unit_code, **{part: {code: value}}), pledge, unit_code)  # type: ignore[arg-type]
            before = effective_sheet(score)
            old = getattr(before, part).get(code, Decimal(0))
            adjusted[part][code] = {"points": show(value), "reason": reason.strip(), "by": actor.unit_code, "at": now.isoformat()}
            changed[code] = {"from": show(old), "to": show(value)}
        new_gates = dict(score.gates)
        for code, met in (gates or {}).items():
            if code not in new_gates:
                raise InvalidInput(f"Không có điều kiện suy tôn «{code}».", f"There is no gate {code!r}.")
            new_gates[code] = {"met": bool(met), "note": reason.strip(), "by": actor.unit_code}
            changed[f"gate:{code}"] = {"from": score.gates[code]["met"], "to": bool(met)}
        score.adjustments = adjusted
        score.gates = new_gates
        score.reviewed_at = now
        session.add(score)
        record(session, cy, kind=KIND, actor=actor, action="review_score", from_state=cy.state, reason=reason.strip(), now=now,
               payload={"unit": unit_code, "changes": changed})
    return score


def close_scoring(session: Session, cy_id: int, *, actor: Actor, expected_version: int | None = None) -> ClusterYear:
    """Close scoring ("chốt điểm"): every member unit must have self-scored; the ranking is fixed."""

    def facts(cy: ClusterYear, cluster: Cluster) -> dict[str, int]:
        scored = set(session.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))
        unscored = [u for u in members_of(session, cluster.id) if u not in scored]  # type: ignore[arg-type]
        if unscored and cy.state == "scoring_open":
            raise InvalidInput(
                f"Chưa chốt được điểm: các đơn vị chưa tự chấm điểm: {', '.join(unscored)}.",
                f"Scoring cannot close: these units have not self-scored: {', '.join(unscored)}.",
            )
        return {"unscored": len(unscored)}

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        cy.ranking = {"units": current_ranking(session, cy), "table": {"file": cy.pledge["file"], "sha256": cy.pledge["sha256"]}}
        return {"ranking": [{k: r[k] for k in ("unit", "rank", "total", "failed_gates")} for r in cy.ranking["units"]]}

    return advance_year(session, cy_id, "close_scoring", actor=actor, expected_version=expected_version, facts=facts, change=change)


def file_proposals(session: Session, cy_id: int, *, actor: Actor, expected_version: int | None = None) -> ClusterYear:
    """File the cluster's proposals with the Board ("gửi hồ sơ đề nghị khen thưởng về Ban TĐKT").

    Whatever is still in the cluster's review then (a tie nobody re-voted, a candidacy never put
    to the ballot) is recorded as not honoured, with that reason."""

    def change(cy: ClusterYear, cluster: Cluster) -> dict[str, Any]:
        pending = session.exec(
            select(Nomination.id).where(Nomination.cluster_id == cluster.id, Nomination.state == "in_cluster_review").order_by(Nomination.id)
        ).all()
        for nomination_id in pending:
            verbs.record_cluster_result(
                session, nomination_id, actor=actor, honoured=False,
                reason="Không được Cụm suy tôn: chưa có kết quả bỏ phiếu suy tôn khi Cụm gửi hồ sơ đề nghị.",
                tally={"cluster_year": cy.id, "outcome": "undecided_at_filing"},
            )
        proposed = session.exec(
            select(Nomination.id, Nomination.award_code, Nomination.nominee_unit_code)
            .where(Nomination.cluster_id == cluster.id, Nomination.state == "cluster_endorsed")
            .order_by(Nomination.award_code, Nomination.id)
        ).all()
        return {"proposed": [{"nomination_id": i, "award": a, "unit": u} for i, a, u in proposed], "closed_unhonoured": list(pending)}

    return advance_year(session, cy_id, "file_proposals", actor=actor, expected_version=expected_version, change=change)


# --- rotation ---------------------------------------------------------------------------------


def apply_rotation(session: Session, cluster: Cluster, head: str, deputy: str) -> dict[str, Any]:
    """Next year's membership record with the elected head and deputy ("luân phiên Cụm trưởng").

    Created when missing (same member units); when it already exists (loaded from
    ``config/org/clusters.yaml``) it is only compared: ``confirmed`` if it names the same units,
    ``conflict`` (and left unchanged, for an administrator to settle) if not."""
    year = cluster.year + 1
    existing = session.exec(select(Cluster).where(Cluster.code == cluster.code, Cluster.year == year)).first()
    if existing is None:
        nxt = Cluster(code=cluster.code, year=year, name_vi=cluster.name_vi, name_en=cluster.name_en, head_unit=head, deputy_unit=deputy)
        session.add(nxt)
        session.flush()
        for unit in members_of(session, cluster.id):  # type: ignore[arg-type]
            session.add(ClusterMember(cluster_id=nxt.id, unit_code=unit))  # type: ignore[arg-type]
        session.flush()
        return {"year": year, "status": "created", "head": head, "deputy": deputy, "cluster_id": nxt.id}
    if (existing.head_unit, existing.deputy_unit) == (head, deputy):
        return {"year": year, "status": "confirmed", "head": head, "deputy": deputy, "cluster_id": existing.id}
    return {"year": year, "status": "conflict", "head": head, "deputy": deputy, "cluster_id": existing.id,
            "recorded": {"head": existing.head_unit, "deputy": existing.deputy_unit}}
