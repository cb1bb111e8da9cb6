"""Overlap detection as a table: (one candidacy, others) → flags."""

from __future__ import annotations

import pytest

from workflow.overlaps import SAME_ACHIEVEMENT, SAME_LEVEL, Candidacy, overlaps, similarity

BASE = Candidacy(1, "person:7", "BK_TP", "city_chairman", 2026, 10, "Sáng kiến cải cách thủ tục hành chính.")


def other(**kw: object) -> Candidacy:
    fields = {**BASE.__dict__, "id": 2, **kw}
    return Candidacy(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("candidate", "kinds"), [
    (other(award_code="CSTD_TP", achievements="Khác hẳn."), (SAME_LEVEL,)),
    (other(award_code="CSTD_TQ", level="prime_minister", achievements="Khác hẳn."), None),
    (other(award_code="CSTD_TP", year=2025), None),
    (other(holder="person:8"), None),
    (other(award_code="DOT_XUAT", campaign_id=11), (SAME_LEVEL, SAME_ACHIEVEMENT)),
    (other(award_code="CSTD_TQ", level="prime_minister", campaign_id=11, achievements="SANG KIEN cai cach thu tuc hanh chinh"), (SAME_ACHIEVEMENT,)),
    (other(award_code="CSTD_TQ", level="prime_minister", campaign_id=11, achievements="Thành tích phòng chống dịch."), None),
    (other(id=1), None),
])
def test_overlap_table(candidate: Candidacy, kinds: tuple[str, ...] | None) -> None:
    found = overlaps(BASE, [candidate], same_level_same_year=True, achievement_similarity=0.8)
    assert (found[0].kinds if found else None) == kinds


def test_same_level_can_be_switched_off_and_empty_texts_are_not_alike() -> None:
    assert overlaps(BASE, [other(award_code="CSTD_TP", achievements="x")], same_level_same_year=False, achievement_similarity=0.8) == []
    assert similarity("", "") == 0.0
    assert similarity("Nguyễn Thị", "nguyen thi") == 1.0
