"""Pieces shared by several documents: plain frozen data, no database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NomineeKind = Literal["individual", "collective"]


@dataclass(frozen=True)
class Nominee:
    """A person or a collective as shown in lists ("danh sách trích ngang")."""

    name: str
    kind: NomineeKind
    birth_year: int | None = None
    gender: str | None = None  # display text: "Nam" / "Nữ"
    position: str | None = None  # "Giáo viên môn Vật lý, Trường THPT Chu Văn An"
    unit: str | None = None  # the unit the person works in
    summary: str = ""  # a short summary of the achievements

    @property
    def workplace(self) -> str:
        """"position, unit" for a person; empty for a collective."""
        return ", ".join(part for part in (self.position, self.unit) if part)


@dataclass(frozen=True)
class HonourLine:
    """A title or commendation received earlier (section III of the achievement report)."""

    year: int
    name: str
    decision: str = ""  # number, date and issuer of the decision
    category: Literal["title", "commendation", "rating"] = "title"


@dataclass(frozen=True)
class InitiativeLine:
    year: int
    title: str
    scope: str  # "cấp cơ sở" / "cấp thành phố" / "toàn quốc"
    certified: bool = True


@dataclass(frozen=True)
class TallyLine:
    label: str  # "Số phiếu đồng ý"
    value: str  # "6"


@dataclass(frozen=True)
class Awardee:
    """One line of a decision's annex."""

    name: str
    kind: NomineeKind
    award: str  # the award's name
    description: str = ""  # position and unit, for a person
