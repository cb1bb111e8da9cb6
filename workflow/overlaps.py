"""Duplicate and overlap detection ("phát hiện trùng lặp"), pure: which other nominations of the
same nominee overlap a given one.

Two kinds of overlap (domain.md §3, issue 10):

* ``same_level_same_year`` — the nominee is proposed for two awards decided at the same level
  (e.g. two city-level awards: Certificate of Merit and City Emulation Fighter) for one year;
* ``same_achievement`` — the same achievement (texts alike) put forward in two campaigns.

The rules say when to flag (config/overlaps.yaml); whether a flag stops anything is the service's
choice (it warns).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from workflow.text import search_fold

SAME_LEVEL = "same_level_same_year"
SAME_ACHIEVEMENT = "same_achievement"

LABELS = {
    SAME_LEVEL: ("Đề nghị hai hình thức cùng cấp trong cùng năm", "Two awards of the same level in one year"),
    SAME_ACHIEVEMENT: ("Cùng thành tích được đề nghị ở hai đợt thi đua", "The same achievement proposed in two campaigns"),
}


@dataclass(frozen=True)
class Candidacy:
    """What overlap detection needs to know of one nomination."""

    id: int
    holder: str  # "person:12" or "unit:SO_YT"
    award_code: str
    level: str  # who decides: city_chairman | prime_minister | president
    year: int
    campaign_id: int
    achievements: str


@dataclass(frozen=True)
class Overlap:
    other_id: int
    kinds: tuple[str, ...]
    similarity: float | None


def similarity(a: str, b: str) -> float:
    """How alike two achievement texts are (0–1), ignoring case, accents and spacing."""
    fa, fb = (" ".join(search_fold(t).split()) for t in (a, b))
    if not fa or not fb:
        return 0.0
    return SequenceMatcher(None, fa, fb, autojunk=False).ratio()


def overlaps(
    one: Candidacy, others: list[Candidacy], *, same_level_same_year: bool, achievement_similarity: float
) -> list[Overlap]:
    """The other candidacies of the same holder that overlap ``one``, by id."""
    found = []
    for other in sorted(others, key=lambda c: c.id):
        if other.id == one.id or other.holder != one.holder:
            continue
        kinds = []
        if same_level_same_year and other.year == one.year and other.level == one.level:
            kinds.append(SAME_LEVEL)
        ratio = None
        if other.campaign_id != one.campaign_id and other.year == one.year:
            ratio = round(similarity(one.achievements, other.achievements), 3)
            if ratio >= achievement_similarity:
                kinds.append(SAME_ACHIEVEMENT)
        if kinds:
            found.append(Overlap(other.id, tuple(kinds), ratio))
    return found
