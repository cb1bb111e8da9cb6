"""Eligibility rules ("điều kiện, tiêu chuẩn khen thưởng") as data, and their interpreter.

The conditions of an award live in the catalogue (``config/rulesets``, ``eligibility:`` block of
each award, one list per nominee kind) as plain dicts. :func:`parse_conditions` turns such a list
into typed conditions (failing fast, naming the index and the field), and :func:`check` evaluates
them against a nominee's record of titles, initiatives and facts for a nomination year. Every
figure (years, counts, shares) comes from the data; this module only knows the *kinds*:

``consecutive_titles``
    a title from ``titles`` in each of ``years`` consecutive years ending at the nomination year
    (or the previous year); ``every: 3`` counts awards that are 3 years apart (e.g. two
    consecutive City Emulation Fighter titles).
``title_count``
    at least ``count`` years with a title from ``titles`` within a window.
``has_title``
    a title from ``titles`` at any time, within a window, or before a streak starts.
``initiatives``
    at least ``count`` certified initiatives of at least ``min_scope`` within a window.
``fact_at_least`` / ``fact_true``
    a per-nomination number at least ``min`` / a per-nomination yes-no that is yes.
``any_of``
    at least one of several lists of conditions is fully met ("A or B" rules).

A window is ``within_streak_of: <id of a consecutive_titles condition>`` (the years of that
streak) or ``within_years: N`` (N years ending at ``ending``). Every condition has an ``id``, a
legal ``citation`` and may carry ``confirm: true`` where its figure could not be checked.

Each unmet condition is explained in Vietnamese and English with what is missing: the years,
the uncertified initiative, the fact and its required value. Pure: standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

NomineeKind = Literal["individual", "collective"]
Scope = Literal["grassroots", "city", "national"]
Ending = Literal["nomination_year", "previous_year"]

# Scope of an initiative's effect, narrowest first: a wider scope satisfies a narrower minimum.
SCOPES: tuple[str, ...] = ("grassroots", "city", "national")
_SCOPE_VI = {"grassroots": "cấp cơ sở", "city": "cấp thành phố", "national": "toàn quốc"}
_SCOPE_EN = {"grassroots": "grassroots", "city": "city-wide", "national": "nationwide"}
ENDINGS: tuple[str, ...] = ("nomination_year", "previous_year")
KINDS: tuple[str, ...] = (
    "consecutive_titles",
    "title_count",
    "has_title",
    "initiatives",
    "fact_at_least",
    "fact_true",
    "any_of",
)

Names = Mapping[str, tuple[str, str]]


# --- the nominee's record ---------------------------------------------------------------------


@dataclass(frozen=True)
class TitleRecord:
    """A title or award held for a year (history: "Chiến sĩ thi đua cơ sở" 2025, ...)."""

    year: int
    title: str


@dataclass(frozen=True)
class Initiative:
    """An initiative ("sáng kiến") and the reach its certification recognises."""

    year: int
    title: str
    scope: Scope
    # False while the certification of its effect and reach is missing from the dossier.
    certified: bool = True

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"unknown initiative scope {self.scope!r}; known: {list(SCOPES)}")


@dataclass(frozen=True)
class NomineeRecord:
    kind: NomineeKind
    titles: tuple[TitleRecord, ...]
    initiatives: tuple[Initiative, ...] = ()
    # Per-nomination figures for collective rules, e.g. advanced_worker_share (0..1).
    facts: Mapping[str, float | bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ("individual", "collective"):
            raise ValueError(f"unknown nominee kind {self.kind!r}")
        object.__setattr__(self, "titles", tuple(self.titles))
        object.__setattr__(self, "initiatives", tuple(self.initiatives))

    def years_with(self, titles: Iterable[str]) -> frozenset[int]:
        wanted = set(titles)
        return frozenset(t.year for t in self.titles if t.title in wanted)


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """``span`` years ending at the nomination year or the year before it."""

    span: int
    ending: Ending = "nomination_year"

    def bounds(self, year: int) -> tuple[int, int]:
        last = year if self.ending == "nomination_year" else year - 1
        return last - self.span + 1, last


@dataclass(frozen=True)
class Condition:
    id: str
    citation: str
    confirm: bool


@dataclass(frozen=True)
class ConsecutiveTitles(Condition):
    titles: tuple[str, ...]
    years: int
    ending: Ending = "nomination_year"
    every: int = 1  # 1 = consecutive years; 3 = consecutive 3-year titles

    @property
    def window(self) -> Window:
        return Window(self.years * self.every, self.ending)

    def required_years(self, year: int) -> tuple[int, ...]:
        _, last = self.window.bounds(year)
        return tuple(sorted(last - i * self.every for i in range(self.years)))


@dataclass(frozen=True)
class TitleCount(Condition):
    titles: tuple[str, ...]
    count: int
    window: Window


@dataclass(frozen=True)
class HasTitle(Condition):
    titles: tuple[str, ...]
    window: Window | None = None  # None: any year up to the nomination year
    before: ConsecutiveTitles | None = None  # held before this streak starts


@dataclass(frozen=True)
class Initiatives(Condition):
    min_scope: Scope
    count: int
    window: Window


@dataclass(frozen=True)
class FactAtLeast(Condition):
    fact: str
    min: float
    label_vi: str | None = None
    label_en: str | None = None
    format: Literal["number", "percent"] = "number"


@dataclass(frozen=True)
class FactTrue(Condition):
    fact: str
    label_vi: str | None = None
    label_en: str | None = None


@dataclass(frozen=True)
class AnyOf(Condition):
    options: tuple[tuple[Condition, ...], ...]


# --- parsing ----------------------------------------------------------------------------------

_COMMON = {"id", "kind", "citation", "confirm"}
_FIELDS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required, optional)
    "consecutive_titles": ({"titles", "years"}, {"ending", "every"}),
    "title_count": ({"titles", "count"}, {"within_streak_of", "within_years", "ending"}),
    "has_title": ({"titles"}, {"within_years", "ending", "before_streak_of"}),
    "initiatives": ({"min_scope", "count"}, {"within_streak_of", "within_years", "ending"}),
    "fact_at_least": ({"fact", "min"}, {"label_vi", "label_en", "format"}),
    "fact_true": ({"fact"}, {"label_vi", "label_en"}),
    "any_of": ({"options"}, set()),
}


class _Parser:
    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # id -> where it was first defined

    def fail(self, where: str, problem: str) -> ValueError:
        return ValueError(f"{where}: {problem}")

    def parse_list(self, raw: Any, where: str, visible: Mapping[str, ConsecutiveTitles]) -> tuple[Condition, ...]:
        if not isinstance(raw, list):
            raise self.fail(where, f"must be a list of conditions, got {type(raw).__name__}")
        entries = []
        for i, entry in enumerate(raw):
            at = f"{where}[{i}]"
            if not isinstance(entry, Mapping):
                raise self.fail(at, f"must be a mapping, got {type(entry).__name__}")
            entries.append((at, entry))
        # Streaks first, so that a condition may refer to a streak listed after it.
        parsed: dict[int, Condition] = {}
        scope = dict(visible)
        for i, (at, entry) in enumerate(entries):
            if entry.get("kind") == "consecutive_titles":
                cond = self.parse_one(entry, at, scope)
                parsed[i] = cond
                scope[cond.id] = cond  # type: ignore[assignment]
        for i, (at, entry) in enumerate(entries):
            if i not in parsed:
                parsed[i] = self.parse_one(entry, at, scope)
        return tuple(parsed[i] for i in range(len(entries)))

    def parse_one(self, raw: Mapping[str, Any], at: str, scope: Mapping[str, ConsecutiveTitles]) -> Condition:
        kind = raw.get("kind")
        if kind is None:
            raise self.fail(f"{at}.kind", f"missing; known kinds: {list(KINDS)}")
        if kind not in _FIELDS:
            raise self.fail(f"{at}.kind", f"unknown kind {kind!r}; known kinds: {list(KINDS)}")
        required, optional = _FIELDS[kind]
        missing = sorted((required | {"id", "citation"}) - set(raw))
        if missing:
            raise self.fail(f"{at}.{missing[0]}", f"missing (required for kind {kind!r})")
        allowed = required | optional | _COMMON
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail(f"{at}.{unknown[0]}", f"unknown field for kind {kind!r}; allowed: {sorted(allowed)}")
        cid = self.text(raw, "id", at)
        if cid in self.ids:
            raise self.fail(f"{at}.id", f"duplicate id {cid!r} (also at {self.ids[cid]})")
        self.ids[cid] = at
        citation = self.text(raw, "citation", at)
        if len(citation) < 3:
            raise self.fail(f"{at}.citation", "must name the legal basis")
        confirm = raw.get("confirm", False)
        if not isinstance(confirm, bool):
            raise self.fail(f"{at}.confirm", f"must be true or false, got {confirm!r}")
        common = {"id": cid, "citation": citation, "confirm": confirm}

        if kind == "consecutive_titles":
            return ConsecutiveTitles(
                **common,
                titles=self.codes(raw, at),
                years=self.positive(raw, "years", at),
                ending=self.ending(raw, at),
                every=self.positive(raw, "every", at, default=1),
            )
        if kind == "title_count":
            return TitleCount(
                **common,
                titles=self.codes(raw, at),
                count=self.positive(raw, "count", at),
                window=self.window(raw, at, scope, required=True),  # type: ignore[arg-type]
            )
        if kind == "has_title":
            before = None
            if "before_streak_of" in raw:
                if "within_years" in raw:
                    raise self.fail(
                        f"{at}.before_streak_of", "give either before_streak_of or within_years, not both"
                    )
                before = self.streak(raw, "before_streak_of", at, scope)
            return HasTitle(
                **common,
                titles=self.codes(raw, at),
                window=self.window(raw, at, scope, required=False),
                before=before,
            )
        if kind == "initiatives":
            min_scope = raw["min_scope"]
            if min_scope not in SCOPES:
                raise self.fail(f"{at}.min_scope", f"unknown scope {min_scope!r}; known: {list(SCOPES)}")
            return Initiatives(
                **common,
                min_scope=min_scope,
                count=self.positive(raw, "count", at),
                window=self.window(raw, at, scope, required=True),  # type: ignore[arg-type]
            )
        if kind == "fact_at_least":
            minimum = raw["min"]
            if isinstance(minimum, bool) or not isinstance(minimum, (int, float)):
                raise self.fail(f"{at}.min", f"must be a number, got {minimum!r}")
            fmt = raw.get("format", "number")
            if fmt not in ("number", "percent"):
                raise self.fail(f"{at}.format", f"must be 'number' or 'percent', got {fmt!r}")
            return FactAtLeast(
                **common, fact=self.text(raw, "fact", at), min=minimum, format=fmt, **self.labels(raw, at)
            )
        if kind == "fact_true":
            return FactTrue(**common, fact=self.text(raw, "fact", at), **self.labels(raw, at))
        # any_of
        options = raw["options"]
        if not isinstance(options, list) or len(options) < 2:
            raise self.fail(f"{at}.options", "must be a list of at least 2 lists of conditions")
        parsed = []
        for j, option in enumerate(options):
            conds = self.parse_list(option, f"{at}.options[{j}]", scope)
            if not conds:
                raise self.fail(f"{at}.options[{j}]", "an alternative needs at least one condition")
            parsed.append(conds)
        return AnyOf(**common, options=tuple(parsed))

    # field readers

    def text(self, raw: Mapping[str, Any], name: str, at: str) -> str:
        value = raw[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{at}.{name}", f"must be a non-empty string, got {value!r}")
        return unicodedata.normalize("NFC", value.strip())

    def labels(self, raw: Mapping[str, Any], at: str) -> dict[str, str | None]:
        return {name: self.text(raw, name, at) if name in raw else None for name in ("label_vi", "label_en")}

    def positive(self, raw: Mapping[str, Any], name: str, at: str, default: int | None = None) -> int:
        value = raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(f"{at}.{name}", f"must be a whole number ≥ 1, got {value!r}")
        return value

    def codes(self, raw: Mapping[str, Any], at: str) -> tuple[str, ...]:
        value = raw["titles"]
        if not isinstance(value, list) or not value:
            raise self.fail(f"{at}.titles", f"must be a non-empty list of title codes, got {value!r}")
        for j, code in enumerate(value):
            if not isinstance(code, str) or not code.strip():
                raise self.fail(f"{at}.titles[{j}]", f"must be a title code, got {code!r}")
        return tuple(dict.fromkeys(c.strip() for c in value))

    def ending(self, raw: Mapping[str, Any], at: str) -> Ending:
        value = raw.get("ending", "nomination_year")
        if value not in ENDINGS:
            raise self.fail(f"{at}.ending", f"must be one of {list(ENDINGS)}, got {value!r}")
        return value

    def streak(
        self, raw: Mapping[str, Any], name: str, at: str, scope: Mapping[str, ConsecutiveTitles]
    ) -> ConsecutiveTitles:
        ref = raw[name]
        if ref not in scope:
            raise self.fail(
                f"{at}.{name}",
                f"no consecutive_titles condition with id {ref!r} in this list or an enclosing one; "
                f"known: {sorted(scope)}",
            )
        return scope[ref]

    def window(
        self, raw: Mapping[str, Any], at: str, scope: Mapping[str, ConsecutiveTitles], *, required: bool
    ) -> Window | None:
        has_streak, has_years = "within_streak_of" in raw, "within_years" in raw
        if has_streak and has_years:
            raise self.fail(f"{at}.within_streak_of", "give either within_streak_of or within_years, not both")
        if has_streak:
            if "ending" in raw:
                raise self.fail(f"{at}.ending", "not allowed with within_streak_of (the streak sets the years)")
            return self.streak(raw, "within_streak_of", at, scope).window
        if has_years:
            return Window(self.positive(raw, "within_years", at), self.ending(raw, at))
        if required:
            raise self.fail(f"{at}.within_streak_of", "missing: give within_streak_of or within_years")
        if "ending" in raw:
            raise self.fail(f"{at}.ending", "only allowed with within_years")
        return None


def parse_conditions(raw: list[dict[str, Any]]) -> tuple[Condition, ...]:
    """Parse a list of condition dicts; raise ValueError naming the index and field on any error."""
    return _Parser().parse_list(raw, "conditions", {})


def referenced_titles(conditions: Iterable[Condition]) -> frozenset[str]:
    """Every title code the conditions refer to (for catalogue consistency checks)."""
    codes: set[str] = set()
    for cond in conditions:
        if isinstance(cond, (ConsecutiveTitles, TitleCount, HasTitle)):
            codes.update(cond.titles)
        elif isinstance(cond, AnyOf):
            for option in cond.options:
                codes |= referenced_titles(option)
    return frozenset(codes)


def referenced_facts(conditions: Iterable[Condition]) -> frozenset[str]:
    """Every fact the conditions read (the figures a nomination form must ask for)."""
    facts: set[str] = set()
    for cond in conditions:
        if isinstance(cond, (FactAtLeast, FactTrue)):
            facts.add(cond.fact)
        elif isinstance(cond, AnyOf):
            for option in cond.options:
                facts |= referenced_facts(option)
    return frozenset(facts)


# --- checking ---------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Finding:
    condition_id: str
    message_vi: str
    message_en: str
    citation: str
    confirm: bool = False  # the condition's figure is a default still to confirm

    def __post_init__(self) -> None:
        object.__setattr__(self, "message_vi", _nfc(self.message_vi))
        object.__setattr__(self, "message_en", _nfc(self.message_en))


@dataclass(frozen=True)
class EligibilityResult:
    passed: bool
    unmet: tuple[Finding, ...]
    met: tuple[Finding, ...]


class _Text:
    """Message fragments in both languages, with display names of titles."""

    def __init__(self, names: Names | None) -> None:
        self.names = names or {}

    def title_vi(self, code: str) -> str:
        return f"«{self.names.get(code, (code, code))[0]}»"

    def title_en(self, code: str) -> str:
        return f'"{self.names.get(code, (code, code))[1]}"'

    def titles(self, codes: Sequence[str]) -> tuple[str, str]:
        return (
            _join([self.title_vi(c) for c in codes], "hoặc"),
            _join([self.title_en(c) for c in codes], "or"),
        )


def _join(items: Sequence[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _number(value: float, fmt: str, lang: str) -> str:
    if fmt == "percent":
        text = f"{round(value * 100, 2):g}%"
    else:
        text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text


_Outcome = tuple[bool, str, str]


def _consecutive(c: ConsecutiveTitles, record: NomineeRecord, year: int, t: _Text) -> _Outcome:
    need = c.required_years(year)
    held = record.years_with(c.titles)
    missing = [y for y in need if y not in held]
    tv, te = t.titles(c.titles)
    if c.every == 1:
        span = _span(need[0], need[-1])
        need_vi = f"cần {c.years} năm liên tục {span}"
        need_en = f"{c.years} consecutive years needed: {span}"
    else:
        need_vi = f"cần {c.years} lần liên tục, cách nhau {c.every} năm: các năm {_years(need)}"
        need_en = f"{c.years} consecutive awards needed, {c.every} years apart: {_years(need)}"
    if not missing:
        return (
            True,
            f"Có danh hiệu {tv} các năm {_years(need)} ({need_vi})",
            f"Holds {te} in {_years(need)} ({need_en})",
        )
    return (
        False,
        f"Thiếu danh hiệu {tv} năm {_years(missing)} ({need_vi})",
        f"Missing the title {te} for {_years(missing)} ({need_en})",
    )


def _count(c: TitleCount, record: NomineeRecord, year: int, t: _Text) -> _Outcome:
    first, last = c.window.bounds(year)
    held = sorted(y for y in record.years_with(c.titles) if first <= y <= last)
    tv, te = t.titles(c.titles)
    span = _span(first, last)
    if len(held) >= c.count:
        return (
            True,
            f"Có {len(held)} năm đạt danh hiệu {tv} trong giai đoạn {span} ({_years(held)}; cần ít nhất {c.count})",
            f"Holds {te} in {len(held)} years of {span} ({_years(held)}; at least {c.count} needed)",
        )
    short = c.count - len(held)
    lacking = _years(y for y in range(first, last + 1) if y not in held)
    have_vi = f"hiện có {len(held)} năm ({_years(held)})" if held else "hiện chưa có năm nào"
    have_en = f"found {len(held)} ({_years(held)})" if held else "found none"
    return (
        False,
        f"Cần ít nhất {c.count} năm đạt danh hiệu {tv} trong giai đoạn {span}, {have_vi}; "
        f"còn thiếu {short} năm trong số các năm {lacking}",
        f"At least {c.count} years with the title {te} needed in {span}, {have_en}; "
        f"{short} more needed among {lacking}",
    )


def _has(c: HasTitle, record: NomineeRecord, year: int, t: _Text) -> _Outcome:
    held = sorted(y for y in record.years_with(c.titles) if y <= year)
    tv, te = t.titles(c.titles)
    late: list[int] = []
    if c.before is not None:
        start, end = c.before.window.bounds(year)
        ok = [y for y in held if y < start]
        late = [y for y in held if y >= start]
        when_vi, when_en = f"trước giai đoạn {_span(start, end)}", f"before the period {_span(start, end)}"
        need_vi, need_en = f"trước năm {start} ({when_vi})", f"before {start} ({when_en})"
    elif c.window is not None:
        start, end = c.window.bounds(year)
        ok = [y for y in held if start <= y <= end]
        when_vi = need_vi = f"trong giai đoạn {_span(start, end)}"
        when_en = need_en = f"within {_span(start, end)}"
    else:
        ok = held
        when_vi = need_vi = f"tính đến năm {year}"
        when_en = need_en = f"up to {year}"
    if ok:
        return True, f"Có {tv} năm {_years(ok)}, {when_vi}", f"Holds {te} from {_years(ok)}, {when_en}"
    extra_vi = f"; năm {_years(late)} không được tính vì nằm trong giai đoạn này" if late else ""
    extra_en = f"; the one of {_years(late)} does not count as it falls within that period" if late else ""
    return False, f"Chưa có {tv} {need_vi}{extra_vi}", f"No {te} {need_en}{extra_en}"


def _initiatives(c: Initiatives, record: NomineeRecord, year: int, t: _Text) -> _Outcome:
    first, last = c.window.bounds(year)
    span = _span(first, last)
    rank = SCOPES.index(c.min_scope)
    wider_vi = "" if c.min_scope == SCOPES[-1] else " trở lên"
    wider_en = "" if c.min_scope == SCOPES[-1] else " or wider"
    scope_vi = f"phạm vi ảnh hưởng {_SCOPE_VI[c.min_scope]}{wider_vi}"
    scope_en = f"{_SCOPE_EN[c.min_scope]}{wider_en} effect"
    in_window = [i for i in record.initiatives if first <= i.year <= last]
    wide = [i for i in in_window if SCOPES.index(i.scope) >= rank]
    good = [i for i in wide if i.certified]
    found_vi = ", ".join(f"«{i.title}» ({i.year})" for i in good)
    found_en = ", ".join(f'"{i.title}" ({i.year})' for i in good)
    if len(good) >= c.count:
        return (
            True,
            f"Có {len(good)} sáng kiến {scope_vi} được công nhận trong giai đoạn {span}: {found_vi}",
            f"{_plural(len(good), 'certified initiative')} with {scope_en} in {span}: {found_en}",
        )
    parts_vi = [
        f"Cần ít nhất {c.count} sáng kiến {scope_vi}, đã được công nhận, trong giai đoạn {span}; "
        f"hiện có {len(good)}" + (f" ({found_vi})" if good else "")
    ]
    parts_en = [
        f"At least {_plural(c.count, 'certified initiative')} with {scope_en} needed in {span}; "
        f"found {len(good)}" + (f" ({found_en})" if good else "")
    ]
    for i in wide:
        if not i.certified:
            parts_vi.append(
                f"Sáng kiến «{i.title}» ({i.year}) chưa có văn bản công nhận hiệu quả áp dụng, phạm vi ảnh hưởng"
            )
            parts_en.append(
                f'Initiative "{i.title}" ({i.year}) lacks the document certifying its effect and reach'
            )
    for i in in_window:
        if SCOPES.index(i.scope) < rank:
            parts_vi.append(f"Sáng kiến «{i.title}» ({i.year}) chỉ có phạm vi ảnh hưởng {_SCOPE_VI[i.scope]}")
            parts_en.append(f'Initiative "{i.title}" ({i.year}) has {_SCOPE_EN[i.scope]} effect only')
    for i in record.initiatives:
        if i.year < first or i.year > last:
            parts_vi.append(f"Sáng kiến «{i.title}» ({i.year}) nằm ngoài giai đoạn {span}")
            parts_en.append(f'Initiative "{i.title}" ({i.year}) falls outside {span}')
    return False, "; ".join(parts_vi), "; ".join(parts_en)


def _fact_at_least(c: FactAtLeast, record: NomineeRecord) -> _Outcome:
    label_vi, label_en = c.label_vi or c.fact, c.label_en or c.fact
    need_vi, need_en = _number(c.min, c.format, "vi"), _number(c.min, c.format, "en")
    value = record.facts.get(c.fact)
    if value is None:
        return (
            False,
            f"Chưa khai báo số liệu «{label_vi}» (cần tối thiểu {need_vi})",
            f'The figure "{label_en}" is not declared (at least {need_en} required)',
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return (
            False,
            f"Số liệu «{label_vi}» phải là một số, nhận được {value!r} (cần tối thiểu {need_vi})",
            f'The figure "{label_en}" must be a number, got {value!r} (at least {need_en} required)',
        )
    got_vi, got_en = _number(value, c.format, "vi"), _number(value, c.format, "en")
    if value >= c.min:
        return True, f"{label_vi}: {got_vi} (tối thiểu {need_vi})", f"{label_en}: {got_en} (at least {need_en})"
    return (
        False,
        f"{label_vi}: {got_vi}, chưa đạt mức tối thiểu {need_vi}",
        f"{label_en}: {got_en}, below the required minimum of {need_en}",
    )


def _fact_true(c: FactTrue, record: NomineeRecord) -> _Outcome:
    label_vi, label_en = c.label_vi or c.fact, c.label_en or c.fact
    value = record.facts.get(c.fact)
    if value is True:
        return True, f"Đáp ứng tiêu chí: {label_vi}", f"Met: {label_en}"
    if value is None:
        return False, f"Chưa khai báo tiêu chí: {label_vi}", f"Not declared: {label_en}"
    return False, f"Chưa đáp ứng tiêu chí: {label_vi}", f"Not met: {label_en}"


def _evaluate(
    conditions: Sequence[Condition], record: NomineeRecord, year: int, t: _Text
) -> tuple[list[Finding], list[Finding]]:
    met: list[Finding] = []
    unmet: list[Finding] = []
    for c in conditions:
        ok, vi, en = _one(c, record, year, t)
        (met if ok else unmet).append(Finding(c.id, vi, en, c.citation, c.confirm))
    return met, unmet


def _one(c: Condition, record: NomineeRecord, year: int, t: _Text) -> _Outcome:
    if isinstance(c, ConsecutiveTitles):
        return _consecutive(c, record, year, t)
    if isinstance(c, TitleCount):
        return _count(c, record, year, t)
    if isinstance(c, HasTitle):
        return _has(c, record, year, t)
    if isinstance(c, Initiatives):
        return _initiatives(c, record, year, t)
    if isinstance(c, FactAtLeast):
        return _fact_at_least(c, record)
    if isinstance(c, FactTrue):
        return _fact_true(c, record)
    if isinstance(c, AnyOf):
        failures_vi, failures_en = [], []
        for n, option in enumerate(c.options, start=1):
            met, unmet = _evaluate(option, record, year, t)
            if not unmet:
                return (
                    True,
                    f"Đạt phương án {n}: " + "; ".join(f.message_vi for f in met),
                    f"Alternative {n} met: " + "; ".join(f.message_en for f in met),
                )
            failures_vi.append(f"Phương án {n}: " + "; ".join(f.message_vi for f in unmet))
            failures_en.append(f"Alternative {n}: " + "; ".join(f.message_en for f in unmet))
        return (
            False,
            "Chưa đạt phương án nào. " + ". ".join(failures_vi),
            "None of the alternatives is met. " + ". ".join(failures_en),
        )
    raise TypeError(f"not a condition: {c!r}")


def check(
    conditions: Sequence[Condition],
    record: NomineeRecord,
    year: int,
    names: Names | None = None,
) -> EligibilityResult:
    """Evaluate ``conditions`` for a nomination in ``year``; ``names`` maps codes to (vi, en)."""
    met, unmet = _evaluate(conditions, record, year, _Text(names))
    return EligibilityResult(passed=not unmet, unmet=tuple(unmet), met=tuple(met))
