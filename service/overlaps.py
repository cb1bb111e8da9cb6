"""Overlap flags of a nomination ("cảnh báo trùng lặp"): the nominee's other live nominations of
the same level and year, or with the same achievement in another campaign.

Decision: flags **warn**, they do not block (config/overlaps.yaml says why, with its citation).
They are computed from the database whenever a nomination is shown, so they stay current, and the
ones found at submission are written into the submission's audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from config.catalogue import catalogue
from config.overlaps import overlap_rules
from service.models import Nomination
from workflow import overlaps as pure
from workflow.nomination import FINAL_STATES

# Final states that still stand as an award: they count as overlaps; the other final states
# (withdrawn, rejected, expired, revoked …) do not.
STANDING = frozenset({"awarded", "centrally_decided"})
_DEAD = sorted(FINAL_STATES - STANDING)


@dataclass(frozen=True)
class Flag:
    kind: str
    other_id: int
    other_award_code: str
    other_state: str
    other_campaign_id: int
    similarity: float | None
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_T = Nomination.__table__  # type: ignore[attr-defined]
# The nominee's other nominations, as rows of what the comparison and the flags read (shown with
# every nomination, so built once).
_OTHERS = sa.select(_T.c.id, _T.c.award_code, _T.c.ruleset_version, _T.c.person_id, _T.c.nominee_unit_code, _T.c.year,
                    _T.c.campaign_id, _T.c.achievements, _T.c.state).where(
    _T.c.id != sa.bindparam("id"), _T.c.state.not_in(_DEAD))
_OTHERS_OF_PERSON = _OTHERS.where(_T.c.person_id == sa.bindparam("holder"))
_OTHERS_OF_UNIT = _OTHERS.where(_T.c.nominee_unit_code == sa.bindparam("holder"))


def _candidacy(n: Any) -> pure.Candidacy:
    award = catalogue().version(n.ruleset_version).award(n.award_code)
    holder = f"person:{n.person_id}" if n.person_id is not None else f"unit:{n.nominee_unit_code}"
    return pure.Candidacy(n.id, holder, n.award_code, award.decided_by, n.year, n.campaign_id, n.achievements)  # type: ignore[arg-type]


def flags_of(session: Session, nomination: Nomination) -> list[Flag]:
    """Every overlap of ``nomination`` with another live or standing nomination of its nominee."""
    if nomination.state in _DEAD:
        return []
    if nomination.person_id is not None:
        query, holder = _OTHERS_OF_PERSON, nomination.person_id
    else:
        query, holder = _OTHERS_OF_UNIT, nomination.nominee_unit_code
    others = session.connection().execute(query, {"holder": holder, "id": nomination.id}).all()
    rules = overlap_rules()
    by_id = {o.id: o for o in others}
    found = pure.overlaps(_candidacy(nomination), [_candidacy(o) for o in others],
                          same_level_same_year=rules.same_level_same_year, achievement_similarity=rules.achievement_similarity)
    flags = []
    for overlap in found:
        other = by_id[overlap.other_id]
        for kind in overlap.kinds:
            vi, en = pure.LABELS[kind]
            flags.append(Flag(
                kind=kind, other_id=other.id, other_award_code=other.award_code, other_state=other.state,  # type: ignore[arg-type]
                other_campaign_id=other.campaign_id, similarity=overlap.similarity,
                message_vi=f"{vi}: xem hồ sơ #{other.id} ({other.award_code}, năm {other.year}).",
                message_en=f"{en}: see nomination #{other.id} ({other.award_code}, {other.year}).",
            ))
    return flags
