"""Eligibility of a nominee, computed from the recorded history ("lịch sử danh hiệu").

The rules are data in the award catalogue, interpreted by :mod:`workflow.eligibility`; this module
only reads the nominee's titles and initiatives from the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from config.catalogue import Award, RuleSet, catalogue
from service.errors import NotEligible
from service.models import InitiativeRecord, Nomination, TitleRecord
from workflow import eligibility as rules


def title_names(ruleset: RuleSet) -> dict[str, tuple[str, str]]:
    names = {code: (t.name_vi, t.name_en) for code, t in ruleset.history_titles.items()}
    names.update({a.code: (a.name_vi, a.name_en) for a in ruleset.awards})
    return names


_TITLES = TitleRecord.__table__  # type: ignore[attr-defined]
_INITIATIVES = InitiativeRecord.__table__  # type: ignore[attr-defined]
# Built once (read on every submission): a revoked title counts for nothing.
_STANDING_TITLES = sa.select(_TITLES.c.year, _TITLES.c.title).where(_TITLES.c.revoked_decision_id.is_(None))
_TITLES_OF_PERSON = _STANDING_TITLES.where(_TITLES.c.person_id == sa.bindparam("holder"))
_TITLES_OF_UNIT = _STANDING_TITLES.where(_TITLES.c.unit_code == sa.bindparam("holder"))
_INITIATIVES_OF_PERSON = sa.select(_INITIATIVES.c.year, _INITIATIVES.c.title, _INITIATIVES.c.scope, _INITIATIVES.c.certified).where(
    _INITIATIVES.c.person_id == sa.bindparam("person_id"))


def nominee_record(
    session: Session, *, kind: str, person_id: int | None, unit_code: str | None, facts: dict | None = None
) -> rules.NomineeRecord:
    connection = session.connection()
    query, holder = (_TITLES_OF_PERSON, person_id) if person_id is not None else (_TITLES_OF_UNIT, unit_code)
    titles = tuple(rules.TitleRecord(year=year, title=title) for year, title in connection.execute(query, {"holder": holder}))
    initiatives: tuple[rules.Initiative, ...] = ()
    if person_id is not None:
        initiatives = tuple(
            rules.Initiative(year=year, title=title, scope=scope, certified=certified)
            for year, title, scope, certified in connection.execute(_INITIATIVES_OF_PERSON, {"person_id": person_id})
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
