"""The award catalogue ("danh mục hình thức khen thưởng"), as versioned rule sets.

Each file under ``config/rulesets/`` is one rule set with an effective-date range and its legal
basis. A newer rule set may ``extends:`` an older one and list only what changed (awards are
merged by code). A nomination records the version it started under and finishes under it, so
rule sets are never edited in place once nominations use them: add a new version instead.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from config.errors import ConfigError
from config.yamlfiles import DATA_DIR, NfcText, parse, read_yaml, remember_as
from workflow.eligibility import parse_conditions, referenced_titles
from workflow.route import Route, RouteError, Step

RULESETS_DIR = DATA_DIR / "rulesets"

NomineeKind = Literal["individual", "collective"]
Track = Literal["unit", "cluster"]
# SLA keys: every step, plus the submitter's time to complete a returned dossier.
SLA_KEYS = {s.value for s in Step} | {"completion"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Strict):
    citation: str = Field(min_length=3)
    # True where the figure could not be checked against the law text: a default to confirm.
    confirm: bool = False


class CouncilVote(Cited):
    """Secret ballot of the city council ("Hội đồng TĐKT TP bỏ phiếu kín")."""

    quorum: float = Field(gt=0, le=1)  # share of members who must be present
    threshold: float = Field(gt=0, le=1)  # share of the denominator voting yes
    denominator: Literal["all", "present"]
    absentee_ballots: bool  # absent members may vote in writing


class ClusterBallot(Cited):
    """Honouring ballot inside a cluster ("suy tôn"): one ballot per member unit."""

    threshold: float = Field(gt=0, le=1)
    denominator: Literal["all", "present"]
    self_vote_allowed: bool


class Quota(Cited):
    per: Literal["cluster"]
    count: int = Field(ge=1)


class DocumentKind(_Strict):
    name_vi: NfcText
    name_en: str
    template: str | None = None
    citation: str = Field(min_length=3)


class HistoryTitle(_Strict):
    """A lower title recorded as history ("danh hiệu"), needed for the streaks of higher awards."""

    name_vi: NfcText
    name_en: str
    nominee_kind: NomineeKind


class Award(Cited):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name_vi: NfcText
    name_en: str
    nominee_kinds: list[NomineeKind] = Field(min_length=1)
    decided_by: Literal["city_chairman", "prime_minister", "president"]
    routes: dict[Track, list[str]] = Field(min_length=1)
    council_vote: CouncilVote | None = None
    cluster_ballot: ClusterBallot | None = None
    quota: Quota | None = None
    dossier: dict[NomineeKind, list[str]]
    sla: dict[str, int] = Field(default_factory=dict)
    # Conditions per nominee kind, interpreted by workflow.eligibility.
    eligibility: dict[NomineeKind, list[dict[str, Any]]] = Field(default_factory=dict)

    @field_validator("routes")
    @classmethod
    def _routes(cls, routes: dict[str, list[str]]) -> dict[str, list[str]]:
        for track, steps in routes.items():
            try:
                route = Route.from_steps(steps)
            except RouteError as exc:
                raise ValueError(f"routes.{track}: {exc}") from None
            if (Step.CLUSTER_BALLOT in route) != (track == "cluster"):
                raise ValueError(f"routes.{track}: the cluster_ballot step belongs to the cluster track only")
        return routes

    @field_validator("eligibility")
    @classmethod
    def _eligibility(cls, eligibility: dict[str, list[dict[str, Any]]], info: ValidationInfo) -> dict:
        code = info.data.get("code", "?")
        kinds = info.data.get("nominee_kinds") or []
        for kind, conditions in eligibility.items():
            if kind not in kinds:
                raise ValueError(f"{code}: eligibility.{kind}: the award is not for {kind} nominees")
            try:
                parse_conditions(conditions)
            except ValueError as exc:
                raise ValueError(f"{code}: eligibility.{kind}: {exc}") from None
        return eligibility

    @field_validator("sla")
    @classmethod
    def _sla(cls, sla: dict[str, int]) -> dict[str, int]:
        unknown = set(sla) - SLA_KEYS
        if unknown:
            raise ValueError(f"unknown SLA step {sorted(unknown)}; known: {sorted(SLA_KEYS)}")
        if any(days <= 0 for days in sla.values()):
            raise ValueError("SLA days must be positive")
        return sla

    @model_validator(mode="after")
    def _rules_match_steps(self) -> "Award":
        steps = {s for route in self.routes.values() for s in route}
        if ("council" in steps) != (self.council_vote is not None):
            raise ValueError("council_vote is required exactly when a route has the council step")
        if ("cluster_ballot" in steps) != (self.cluster_ballot is not None):
            raise ValueError("cluster_ballot rule is required exactly when a route has the cluster_ballot step")
        if set(self.dossier) != set(self.nominee_kinds):
            raise ValueError("dossier must list documents for each nominee kind, and only those")
        return self

    def route(self, track: str) -> Route:
        return _route(tuple(self.routes[track]))  # type: ignore[index]


@functools.lru_cache(maxsize=None)
def _route(steps: tuple[str, ...]) -> Route:
    """A route, checked and built once per list of steps (every list row and action asks)."""
    return Route.from_steps(steps)


class RuleSet(_Strict):
    version: str
    name_vi: NfcText
    name_en: str
    effective_from: date
    effective_to: date | None = None
    legal_basis: list[str] = Field(min_length=1)
    default_sla: dict[str, int]
    documents: dict[str, DocumentKind]
    history_titles: dict[str, HistoryTitle]
    awards: list[Award] = Field(min_length=1)

    @field_validator("default_sla")
    @classmethod
    def _known_steps(cls, sla: dict[str, int]) -> dict[str, int]:
        # A misspelt step would otherwise be ignored silently while the real step keeps its old days.
        unknown = set(sla) - SLA_KEYS
        if unknown:
            raise ValueError(f"unknown SLA step {sorted(unknown)}; known: {sorted(SLA_KEYS)}")
        return sla

    @model_validator(mode="after")
    def _consistent(self) -> "RuleSet":
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        missing = SLA_KEYS - set(self.default_sla)
        if missing:
            raise ValueError(f"default_sla lacks {sorted(missing)}")
        codes = [a.code for a in self.awards]
        dupes = {c for c in codes if codes.count(c) > 1}
        if dupes:
            raise ValueError(f"award code listed twice: {sorted(dupes)}")
        for i, award in enumerate(self.awards):
            for kind, docs in award.dossier.items():
                for doc in docs:
                    if doc not in self.documents:
                        raise ValueError(f"awards[{i}] ({award.code}).dossier.{kind}: unknown document {doc!r}")
        # Title codes usable in eligibility conditions, with the nominee kinds they apply to.
        known = {c: [t.nominee_kind] for c, t in self.history_titles.items()}
        known.update({a.code: list(a.nominee_kinds) for a in self.awards})
        for i, award in enumerate(self.awards):
            for kind, conditions in award.eligibility.items():
                for code in sorted(referenced_titles(parse_conditions(conditions))):
                    if code not in known:
                        raise ValueError(
                            f"awards[{i}] ({award.code}).eligibility.{kind}: unknown title code {code!r}; "
                            f"known: {sorted(known)}"
                        )
                    if kind not in known[code]:
                        raise ValueError(
                            f"awards[{i}] ({award.code}).eligibility.{kind}: {code!r} is not for {kind} nominees"
                        )
        return self

    def award(self, code: str) -> Award:
        for award in self.awards:
            if award.code == code:
                return award
        raise KeyError(code)

    def sla_days(self, award: Award, step: str) -> int:
        return award.sla.get(step, self.default_sla[step])

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class Catalogue:
    """All rule sets, oldest first."""

    def __init__(self, rulesets: list[RuleSet]) -> None:
        self.rulesets = sorted(rulesets, key=lambda r: r.effective_from)
        self._by_version = {r.version: r for r in self.rulesets}

    def version(self, version: str) -> RuleSet:
        return self._by_version[version]

    def in_force(self, day: date) -> RuleSet:
        for ruleset in self.rulesets:
            if ruleset.covers(day):
                return ruleset
        raise LookupError(f"no rule set is in force on {day.isoformat()}")


_INHERITED = frozenset({"default_sla", "documents", "history_titles", "awards"})


def _merge_awards(parent: list[dict], child: list[dict], path: Path) -> list[dict]:
    merged = {a["code"]: dict(a) for a in parent}
    for entry in child:
        code = entry.get("code")
        merged[code] = {**merged.get(code, {}), **entry}
        remember_as(merged[code], entry, path)  # so a bad value is reported at its line in ``path``
    return list(merged.values())


def _raw(path: Path, files: dict[str, Path], seen: tuple[str, ...] = ()) -> dict:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, "(file)", "a rule set must be a mapping")
    parent_version = data.pop("extends", None)
    if parent_version is None:
        return data
    if parent_version not in files:
        raise ConfigError(path, "extends", f"unknown rule set {parent_version!r}; known: {sorted(files)}")
    if parent_version in seen:
        raise ConfigError(path, "extends", f"circular extends via {parent_version!r}")
    parent = _raw(files[parent_version], files, seen + (parent_version,))
    # Only the catalogue content is inherited; a rule set's identity (name, dates, legal basis)
    # must be stated in its own file, never silently borrowed from the older one.
    inherited = {k: v for k, v in parent.items() if k in _INHERITED}
    merged = {**inherited, **{k: v for k, v in data.items() if k != "awards"}}
    merged["awards"] = _merge_awards(parent.get("awards", []), data.get("awards", []), path)
    remember_as(merged, data, path)
    remember_as(merged["awards"], data.get("awards"), path)
    return merged


def load_catalogue(directory: Path | None = None) -> Catalogue:
    directory = directory or RULESETS_DIR
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ConfigError(directory, "(directory)", "no rule set files (*.yaml)")
    files: dict[str, Path] = {}
    for path in paths:
        data = read_yaml(path)
        version = data.get("version") if isinstance(data, dict) else None
        if not version:
            raise ConfigError(path, "version", "missing")
        if version in files:
            raise ConfigError(path, "version", f"version {version!r} also defined in {files[version].name}")
        files[version] = path
    rulesets = [parse(RuleSet, _raw(path, files), file=path, entry=version) for version, path in files.items()]
    _check_no_overlap(rulesets, files)
    return Catalogue(rulesets)


def _check_no_overlap(rulesets: list[RuleSet], files: dict[str, Path]) -> None:
    ordered = sorted(rulesets, key=lambda r: r.effective_from)
    for older, newer in zip(ordered, ordered[1:]):
        if older.effective_to is None or older.effective_to >= newer.effective_from:
            raise ConfigError(
                files[newer.version],
                "effective_from",
                f"overlaps rule set {older.version!r} (effective until {older.effective_to or 'open-ended'})",
            )


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return load_catalogue()
