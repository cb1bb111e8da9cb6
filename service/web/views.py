"""What a page shows of a nomination, composed from the service's read side (no rules here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from config.catalogue import catalogue
from service.actors import Actor
from service.models import Certificate, Decision, Nomination, Unit
from service.queries import StepClock, TimelineItem, next_actions, step_clocks

# Rows, not entities, built once: the list page offered its unit filter by loading every unit as
# an entity, ~4 ms of a ~10 ms page at Hanoi's 400 units, against 0.3 ms as rows (bench/findings.md).
_UNIT_CHOICES = select(Unit.code, Unit.name_vi, Unit.name_en).order_by(Unit.code)  # type: ignore[arg-type]


def unit_choices(session: Session) -> list[Any]:
    """Every unit's code and names (``code``, ``name_vi``, ``name_en``) in code order, for a
    page's unit filter or picker."""
    return list(session.exec(_UNIT_CHOICES))


# Who may export a decision's annex (as GET /exports/decisions/{id}/annex.xlsx allows).
ANNEX_READERS = frozenset({"board_officer", "approver", "council_member", "admin"})


@dataclass(frozen=True)
class Row:
    nomination: Nomination
    award_vi: str
    award_en: str
    unit_vi: str
    clock: StepClock | None
    actions: list[str]

    @property
    def due_at(self) -> datetime | None:
        return self.clock.due_at if self.clock else None


def row(session: Session, nomination: Nomination, actor: Actor, items: list[TimelineItem] | None = None) -> Row:
    """One nomination's row; ``items``: its timeline, if the page has read it already."""
    return rows_of(session, [nomination], actor, None if items is None else {nomination.id: items})[0]  # type: ignore[dict-item]


def rows_of(session: Session, nominations: list[Nomination], actor: Actor,
            timelines: dict[int, list[TimelineItem]] | None = None) -> list[Row]:
    """The rows of a list page, with one read of the units' names and one of the clocks' audit
    entries for the whole page (not two statements per nomination)."""
    codes = sorted({n.proposing_unit_code for n in nominations})
    names = {code: name for code, name in session.exec(select(Unit.code, Unit.name_vi).where(Unit.code.in_(codes)))} if codes else {}  # type: ignore[attr-defined]
    clocks = step_clocks(session, nominations, read=timelines)
    rows = []
    for n in nominations:
        award = catalogue().version(n.ruleset_version).award(n.award_code)
        rows.append(Row(n, award.name_vi, award.name_en, names.get(n.proposing_unit_code, n.proposing_unit_code),
                        clocks[n.id], next_actions(n, actor)))  # type: ignore[index]
    return rows


def certificate_view(session: Session, nomination: Nomination, actor: Actor) -> dict[str, Any]:
    """The certificate part of a nomination page: the one issued (with its verification link and
    QR code), whether the user may issue it, and the award decision for its annex export."""
    from service import certificates as certs
    from service.web.certificates import qr_data_uri

    decided = nomination.state in certs.DECIDED or nomination.state == "revoked"
    certificate = session.exec(select(Certificate).where(Certificate.nomination_id == nomination.id)).first() if decided else None
    decision = session.get(Decision, nomination.decision_id) if nomination.decision_id else None
    return dict(
        certificate=certificate, verify_url=certs.verify_url(certificate.code) if certificate else None,
        qr=qr_data_uri(certs.verify_url(certificate.code)) if certificate else None,
        can_issue=certificate is None and nomination.state in certs.DECIDED and actor.role in certs.ISSUERS,
        decision=decision if decision is not None and decision.kind in ("award", "central") else None,
        annex_readers=ANNEX_READERS, nominee_code=_holder_query(session, nomination),
    )


def _holder_query(session: Session, nomination: Nomination) -> str:
    """The title-history query of the nominee (``person_code=…`` or ``unit_code=…``)."""
    from urllib.parse import urlencode

    from service.models import Person

    person = session.get(Person, nomination.person_id) if nomination.person_id is not None else None
    return urlencode({"person_code": person.code} if person else {"unit_code": nomination.nominee_unit_code or ""})
