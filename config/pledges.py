"""Emulation pledges and scoring tables of the clusters ("giao ước thi đua, bảng chấm điểm"),
one file per year under ``config/clusters/``.

A file says which clusters adopt it that year, the cluster regulation's vote rules ("quy chế":
cross-checking, the ballot's quorum, how next year's head and deputy are elected, the ranking's
tie-break), the gates a unit must pass to be honoured, the pledge's targets (common and per
member unit) and the scoring table: criteria in groups with maximum points and the evidence
required, bonus and penalty items with their caps.

When a cluster signs its pledge the service stores a snapshot of the table with the file's
SHA-256, so a later edit of the file never changes a year that is under way. Loading checks
every reference (clusters of that year, member units, target codes) and fails with
:class:`~config.errors.ConfigError` naming the file and the entry.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.errors import ConfigError
from config.org import Code, Org, Year, load_org, parse_item
from config.yamlfiles import DATA_DIR, NfcText, read_yaml
from workflow.scoring import TIE_BREAK_KEYS, Criterion, Item, ScoringTable

PLEDGES_DIR = DATA_DIR / "clusters"

ItemCode = Annotated[str, Field(pattern=r"^[A-Z]+[0-9]*(\.[0-9]+)*$")]  # I.1, B1, P2
TargetCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Points = Annotated[Decimal, Field(gt=0, max_digits=6, decimal_places=2)]
Share = Annotated[float, Field(gt=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """A measurable target of the pledge, e.g. "≥95% hồ sơ đúng hạn"."""

    code: TargetCode
    text_vi: NfcText
    text_en: str = Field(min_length=1)
    measure: Literal["percent", "count", "yes_no"]
    comparator: Literal["at_least", "at_most", "equals"]
    value: float
    source: str | None = None

    @model_validator(mode="after")
    def _sensible(self) -> Target:
        if self.measure == "percent" and not 0 <= self.value <= 100:
            raise ValueError(f"a percentage target must be between 0 and 100, got {self.value}")
        if self.measure == "yes_no" and (self.comparator, self.value) != ("equals", 1):
            raise ValueError("a yes/no target is written comparator: equals, value: 1")
        return self


class CriterionSpec(_Strict):
    code: ItemCode
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    max_points: Points
    evidence_vi: NfcText  # what the unit must attach ("tài liệu kiểm chứng")
    evidence_required: bool = True
    target: TargetCode | None = None  # the pledge target this criterion measures


class Group(_Strict):
    code: ItemCode
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    max_points: Points
    criteria: tuple[CriterionSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Group:
        total = sum((c.max_points for c in self.criteria), Decimal(0))
        if total != self.max_points:
            raise ValueError(f"group {self.code}: criteria add up to {total}, not {self.max_points}")
        return self


class ItemSpec(_Strict):
    code: ItemCode
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    max_points: Points


class Adjustments(_Strict):
    """Bonus ("điểm thưởng") or penalty ("điểm trừ") items, and the cap on their sum."""

    cap: Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=2)]
    items: tuple[ItemSpec, ...] = ()


class Gate(_Strict):
    """A condition a unit must meet to be honoured at all, whatever its score."""

    code: TargetCode
    label_vi: NfcText
    label_en: str = Field(min_length=1)
    citation: str = Field(min_length=3)


class Election(_Strict):
    threshold: Share
    denominator: Literal["all", "present"]


class Regulation(_Strict):
    """The cluster's own rules for the year ("quy chế hoạt động của Cụm")."""

    cross_check: Literal["head", "peers"]  # who reviews a self-score: the head/deputy, or other members
    ballot_quorum: Share  # share of member units that must vote for a ballot to count
    election: Election
    tie_break: tuple[Literal["base", "penalty", "bonus"], ...] = TIE_BREAK_KEYS  # type: ignore[assignment]
    citation: str = Field(min_length=3)
    confirm: bool = False


class Pledge(_Strict):
    year: Year
    clusters: tuple[Code, ...] = Field(min_length=1)
    name_vi: NfcText
    name_en: str = Field(min_length=1)
    documents: tuple[NfcText, ...] = ()
    source: str = Field(min_length=1)
    confirm: bool = False
    regulation: Regulation
    gates: tuple[Gate, ...] = ()
    targets: tuple[Target, ...] = Field(min_length=1)
    member_targets: dict[Code, tuple[Target, ...]] = Field(default_factory=dict)
    max_points: Points
    groups: tuple[Group, ...] = Field(min_length=1)
    bonus: Adjustments
    penalty: Adjustments

    @model_validator(mode="after")
    def _consistent(self) -> Pledge:
        total = sum((g.max_points for g in self.groups), Decimal(0))
        if total != self.max_points:
            raise ValueError(f"groups add up to {total}, not max_points {self.max_points}")
        codes = [g.code for g in self.groups] + [c.code for c in self.criteria] + [i.code for i in self.bonus.items + self.penalty.items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"code used twice: {dupes}")
        targets = [t.code for t in self.targets]
        if len(set(targets)) != len(targets):
            raise ValueError(f"target code used twice: {sorted({t for t in targets if targets.count(t) > 1})}")
        for c in self.criteria:
            if c.target is not None and c.target not in targets:
                raise ValueError(f"criterion {c.code}: unknown target {c.target!r}; targets: {targets}")
        gates = [g.code for g in self.gates]
        if len(set(gates)) != len(gates):
            raise ValueError("a gate code is used twice")
        if len(set(self.regulation.tie_break)) != len(self.regulation.tie_break):
            raise ValueError("regulation.tie_break lists a key twice")
        return self

    @property
    def criteria(self) -> tuple[CriterionSpec, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def criterion(self, code: str) -> CriterionSpec | None:
        return next((c for c in self.criteria if c.code == code), None)

    def item_name(self, code: str) -> str:
        for spec in (*self.criteria, *self.bonus.items, *self.penalty.items):
            if spec.code == code:
                return spec.name_vi
        return code

    def targets_of(self, unit: str) -> tuple[Target, ...]:
        return self.targets + self.member_targets.get(unit, ())

    def scoring_table(self) -> ScoringTable:
        return ScoringTable(
            criteria=tuple(Criterion(c.code, c.max_points, g.code) for g in self.groups for c in g.criteria),
            bonus_items=tuple(Item(i.code, i.max_points) for i in self.bonus.items),
            bonus_cap=self.bonus.cap,
            penalty_items=tuple(Item(i.code, i.max_points) for i in self.penalty.items),
            penalty_cap=self.penalty.cap,
            tie_break=tuple(self.regulation.tie_break),
        )


class PledgeSource(_Strict):
    """A pledge and the file it was read from, with that file's SHA-256 (stored in snapshots)."""

    pledge: Pledge
    file: str
    sha256: str

    def snapshot(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "table": self.pledge.model_dump(mode="json")}


def pledge_from_snapshot(snapshot: dict[str, Any]) -> Pledge:
    """The pledge a cluster signed, as stored with its year (never re-read from the file)."""
    return Pledge.model_validate(snapshot["table"])


def load_pledges(dir: Path | None = None, *, org: Org | None = None) -> dict[tuple[str, int], PledgeSource]:
    """Every pledge file, by (cluster code, year); default: the shipped files (cached)."""
    if dir is None and org is None:
        return _shipped()
    return _read(Path(dir or PLEDGES_DIR), org or load_org())


def pledge_for(cluster_code: str, year: int) -> PledgeSource:
    found = load_pledges().get((cluster_code, year))
    if found is None:
        raise LookupError(f"no pledge file in {PLEDGES_DIR} lists {cluster_code} for {year}")
    return found


@lru_cache(maxsize=1)
def _shipped() -> dict[tuple[str, int], PledgeSource]:
    return _read(PLEDGES_DIR, load_org())


def _read(folder: Path, org: Org) -> dict[tuple[str, int], PledgeSource]:
    found: dict[tuple[str, int], PledgeSource] = {}
    for file in sorted(folder.glob("*.yaml")):
        data = read_yaml(file)
        pledge = parse_item(Pledge, data, file=file, entry="(file)")
        for i, code in enumerate(pledge.clusters):
            cluster = org.cluster(code, pledge.year)
            if cluster is None:
                raise ConfigError(file, f"clusters[{i}]", f"there is no cluster {code} in {pledge.year} (config/org/clusters.yaml)")
            if (code, pledge.year) in found:
                other = found[(code, pledge.year)].file
                raise ConfigError(file, f"clusters[{i}]", f"{code} already has a pledge for {pledge.year} in {other}")
        members = {m for code in pledge.clusters for m in org.cluster(code, pledge.year).members}  # type: ignore[union-attr]
        for unit, targets in pledge.member_targets.items():
            if unit not in members:
                raise ConfigError(file, f"member_targets.{unit}", f"{unit} is not a member of {list(pledge.clusters)} in {pledge.year}")
            clash = {t.code for t in targets} & {t.code for t in pledge.targets}
            if clash or len({t.code for t in targets}) != len(targets):
                raise ConfigError(file, f"member_targets.{unit}", f"target codes repeat: {sorted(clash) or [t.code for t in targets]}")
        source = PledgeSource(pledge=pledge, file=file.name, sha256=hashlib.sha256(file.read_bytes()).hexdigest())
        for code in pledge.clusters:
            found[(code, pledge.year)] = source
    return found
