"""Eligibility check for a prospective nominee, before any nomination exists."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from sqlmodel import select

from config.catalogue import catalogue
from service.api.deps import CurrentUser, SessionDep
from service.api.errors import ErrorResponse
from service.api.schemas import EligibilityOut, EligibilityRequest, Finding
from service.eligibility import check_award, nominee_record
from service.errors import InvalidInput
from service.models import Person, Unit

router = APIRouter(tags=["eligibility"], responses={401: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})


@router.post("/eligibility/check", response_model=EligibilityOut)
def check(body: EligibilityRequest, session: SessionDep, _: CurrentUser) -> EligibilityOut:
    """Check a person or unit against an award's conditions; each unmet one is explained and cited."""
    ruleset = catalogue().in_force(date.today())
    try:
        award = ruleset.award(body.award_code)
    except KeyError:
        raise InvalidInput(f"Không có hình thức «{body.award_code}».", f"There is no award {body.award_code!r}.") from None
    if (body.person_code is None) == (body.unit_code is None):
        raise InvalidInput("Hãy chọn đúng một cá nhân hoặc một tập thể.", "Give exactly one of person_code or unit_code.")
    person_id = None
    if body.person_code:
        person = session.exec(select(Person).where(Person.code == body.person_code)).first()
        if person is None:
            raise InvalidInput(f"Không có cá nhân «{body.person_code}».", f"There is no person {body.person_code!r}.")
        person_id = person.id
    elif session.get(Unit, body.unit_code) is None:
        raise InvalidInput(f"Không có đơn vị «{body.unit_code}».", f"There is no unit {body.unit_code!r}.")
    kind = "individual" if person_id else "collective"
    record = nominee_record(session, kind=kind, person_id=person_id, unit_code=body.unit_code, facts=body.facts)
    result = check_award(ruleset, award, record, body.year)

    def findings(items):  # type: ignore[no-untyped-def]
        return [Finding(condition=f.condition_id, message_vi=f.message_vi, message_en=f.message_en, citation=f.citation) for f in items]

    return EligibilityOut(award_code=award.code, ruleset_version=ruleset.version, passed=result.passed,
                          unmet=findings(result.unmet), met=findings(result.met))
