"""Eligibility of a nominee, computed from the recorded history ("lịch sử danh hiệu").

The rules are data in the award catalogue, interpreted by :mod:`workflow.eligibility`; this module
only reads the nominee's titles and initiatives from the database.
"""

from __future__ import annotations

from sqlmodel import Session, select

from config.catalogue import Award, RuleSet, catalogue
from service.errors import NotEligible
from service.models import InitiativeRecord, Nomination, TitleRecord
from workflow import eligibility as rules


def title_names(ruleset: RuleSet) -> dict[str, tuple[str, str]]:
    names = {code: (t.name_vi, t.name_en) for code, t in ruleset.history_titles.items()}
    names.update({a.code: (a.name_vi, a.name_en) for a in ruleset.awards})
    return names


def nominee_record(
    session: Session, *, kind: str, person_id: int | None, unit_code: str | None, facts: dict | None = None
) -> rules.NomineeRecord:
    holder = TitleRecord.person_id == person_id if person_id is not None else TitleRecord.unit_code == unit_code
    standing = TitleRecord.revoked_decision_id.is_(None)  # type: ignore[union-attr]  # a revoked title counts for nothing
    titles = tuple(
        rules.TitleRecord(year=t.year, title=t.title) for t in session.exec(select(TitleRecord).where(holder, standing))
    )
    initiatives: tuple[rules.Initiative, ...] = ()
    if person_id is not None:
        initiatives = tuple(
            rules.Initiative(year=i.year, title=i.title, scope=i.scope, certified=i.certified)
            for i in session.exec(select(InitiativeRecord).where(InitiativeRecord.person_id == person_id))
        )
    return rules.NomineeRecord(kind=kind, titles=titles, initiatives=initiatives, facts=dict(facts or {}))


def check_award(ruleset: RuleSet, award: Award, record: rules.NomineeRecord, year: int) -> rules.EligibilityResult:
    conditions = rules.parse_conditions(award.eligibility.get(record.kind, []))
    return rules.check(conditions, record, year, names=title_names(ruleset))


def check_nomination(session: Session, nomination: Nomination) -> rules.EligibilityResult:
    ruleset = catalogue().version(nomination.ruleset_version)
    record = nominee_record(
        session,
        kind=nomination.nominee_kind,
        person_id=nomination.person_id,
        unit_code=nomination.nominee_unit_code,
        facts=nomination.facts,
    )
    return check_award(ruleset, ruleset.award(nomination.award_code), record, nomination.year)


def assert_eligible(session: Session, nomination: Nomination) -> None:
    """Refuse to let a nomination leave the unit while a condition of its award is unmet."""
    result = check_nomination(session, nomination)
    if result.passed:
        return
    lines_vi = "; ".join(f.message_vi for f in result.unmet)
    lines_en = "; ".join(f.message_en for f in result.unmet)
    raise NotEligible(
        f"Hồ sơ #{nomination.id} chưa đủ điều kiện: {lines_vi}. Hãy bổ sung rồi trình lại.",
        f"Nomination #{nomination.id} does not meet the conditions: {lines_en}. Complete it and submit again.",
        list(result.unmet),
    )
