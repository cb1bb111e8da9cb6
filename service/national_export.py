"""Export of decided awards for the national database ("xuất dữ liệu khen thưởng lên Cơ sở dữ liệu
quốc gia"): one row per standing award (``awarded`` / ``centrally_decided``), as CSV or JSON.
The fields are documented in docs/national-export.md; keep the two in step (FIELDS is the order)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, select

from service.certificates import ISSUER_NAME
from service.models import Decision, Nomination, Person
from service.transitions import award_of

SCHEMA = "tdkt-national-awards/1"
STANDING = ("awarded", "centrally_decided")


@dataclass(frozen=True)
class ExportRow:
    unit_code: str  # the unit the awardee belongs to (the collective itself, or the person's unit)
    nominee_kind: str  # individual | collective
    person_code: str  # the person's identifier; empty for a collective
    nominee_name: str
    award_code: str  # title/form code of the award catalogue (config/rulesets)
    award_name_vi: str
    achievement_year: int
    decision_number: str
    decision_date: str  # ISO 8601
    issuer: str  # the authority that decided: city chairman, prime minister, president
    signer: str
    nomination_id: int


FIELDS = tuple(ExportRow.__dataclass_fields__)


def export_rows(session: Session, *, year: int | None = None, decided_from: date | None = None,
                decided_to: date | None = None) -> list[ExportRow]:
    query = (select(Nomination, Decision).join(Decision, Decision.id == Nomination.decision_id)
             .where(Nomination.state.in_(STANDING)))  # type: ignore[attr-defined]
    if year is not None:
        query = query.where(Nomination.year == year)
    if decided_from is not None:
        query = query.where(Decision.signed_on >= decided_from)
    if decided_to is not None:
        query = query.where(Decision.signed_on <= decided_to)
    rows = []
    for n, d in session.exec(query.order_by(Decision.signed_on, Decision.number, Nomination.id)):  # type: ignore[arg-type]
        award = award_of(n)
        person = session.get(Person, n.person_id) if n.person_id is not None else None
        rows.append(ExportRow(
            unit_code=person.unit_code if person else n.nominee_unit_code,  # type: ignore[arg-type]
            nominee_kind=n.nominee_kind, person_code=person.code if person else "", nominee_name=n.nominee_name,
            award_code=n.award_code, award_name_vi=award.name_vi, achievement_year=n.year, decision_number=d.number,
            decision_date=d.signed_on.isoformat(), issuer=ISSUER_NAME[award.decided_by], signer=d.signer,
            nomination_id=n.id,  # type: ignore[arg-type]
        ))
    return rows


def to_csv(rows: list[ExportRow]) -> str:
    """UTF-8 text (no BOM), comma-separated, RFC 4180 quoting, a header row of the field names."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    return out.getvalue()


def to_json(rows: list[ExportRow]) -> dict:
    return {"schema": SCHEMA, "fields": list(FIELDS), "count": len(rows), "items": [asdict(r) for r in rows]}
