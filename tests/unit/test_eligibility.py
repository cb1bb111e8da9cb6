"""Eligibility rules: the interpreter (workflow.eligibility) and the shipped catalogue's rules."""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.catalogue import RULESETS_DIR, RuleSet, catalogue, load_catalogue
from config.errors import ConfigError
from workflow.eligibility import (
    AnyOf,
    ConsecutiveTitles,
    EligibilityResult,
    Initiative,
    NomineeRecord,
    TitleRecord,
    check,
    parse_conditions,
    referenced_facts,
    referenced_titles,
)

YEAR = 2026  # nominations in the demo are for 2026


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_catalogue().in_force(date(2026, 1, 15))


@pytest.fixture(scope="module")
def names(ruleset: RuleSet) -> dict[str, tuple[str, str]]:
    table = {code: (t.name_vi, t.name_en) for code, t in ruleset.history_titles.items()}
    table.update({a.code: (a.name_vi, a.name_en) for a in ruleset.awards})
    return table


def person(*titles: tuple[int, str], initiatives: tuple[Initiative, ...] = ()) -> NomineeRecord:
    return NomineeRecord("individual", tuple(TitleRecord(y, c) for y, c in titles), initiatives)


def unit(*titles: tuple[int, str], **facts: float | bool) -> NomineeRecord:
    return NomineeRecord("collective", tuple(TitleRecord(y, c) for y, c in titles), (), facts)


def streak(code: str, *years: int) -> tuple[tuple[int, str], ...]:
    return tuple((y, code) for y in years)


def run(ruleset: RuleSet, names, award: str, kind: str, record: NomineeRecord) -> EligibilityResult:
    return check(parse_conditions(ruleset.award(award).eligibility[kind]), record, YEAR, names)


# --- the shipped rules: a passing and a failing case each --------------------------------------


@dataclass
class Case:
    name: str
    award: str
    kind: str
    record: NomineeRecord
    passes: bool
    vi: tuple[str, ...] = ()  # fragments the Vietnamese explanation must contain
    en: tuple[str, ...] = ()
    article: str = ""  # "Điều NN" the citation of each unmet finding must name
    unmet_ids: tuple[str, ...] = field(default=())


CITY_INIT = Initiative(2025, "Số hoá hồ sơ thi đua", "city")
NATIONAL_INIT = Initiative(2024, "Một cửa liên thông điện tử", "national")

CASES = [
    # CSTD_TP — Law art. 22: 3 consecutive CSTD_CS + a certified initiative of city scope or wider.
    Case("cstd_tp ok", "CSTD_TP", "individual", person(*streak("CSTD_CS", 2024, 2025, 2026), initiatives=(CITY_INIT,)), True),
    Case(
        "cstd_tp national initiative counts as city",
        "CSTD_TP",
        "individual",
        person(*streak("CSTD_CS", 2024, 2025, 2026), initiatives=(Initiative(2026, "X", "national"),)),
        True,
    ),
    Case(
        "cstd_tp missing 2025",
        "CSTD_TP",
        "individual",
        person(*streak("CSTD_CS", 2024, 2026), initiatives=(CITY_INIT,)),
        False,
        vi=("Thiếu danh hiệu «Chiến sĩ thi đua cơ sở» năm 2025 (cần 3 năm liên tục 2024–2026)",),
        en=('"Grassroots Emulation Fighter" for 2025', "2024–2026"),
        article="Điều 22",
        unmet_ids=("cstd_tp_streak",),
    ),
    Case(
        "cstd_tp uncertified initiative",
        "CSTD_TP",
        "individual",
        person(*streak("CSTD_CS", 2024, 2025, 2026), initiatives=(Initiative(2025, "Số hoá hồ sơ", "city", False),)),
        False,
        vi=("Sáng kiến «Số hoá hồ sơ» (2025) chưa có văn bản công nhận hiệu quả áp dụng, phạm vi ảnh hưởng",),
        en=('Initiative "Số hoá hồ sơ" (2025) lacks the document certifying its effect and reach',),
        article="Điều 22",
        unmet_ids=("cstd_tp_initiative",),
    ),
    Case(
        "cstd_tp grassroots initiative only",
        "CSTD_TP",
        "individual",
        person(*streak("CSTD_CS", 2024, 2025, 2026), initiatives=(Initiative(2025, "Sổ tay", "grassroots"),)),
        False,
        vi=("«Sổ tay» (2025) chỉ có phạm vi ảnh hưởng cấp cơ sở", "cấp thành phố trở lên"),
        en=('"Sổ tay" (2025) has grassroots effect only', "city-wide or wider"),
        article="Điều 22",
        unmet_ids=("cstd_tp_initiative",),
    ),
    Case(
        "cstd_tp initiative outside the streak",
        "CSTD_TP",
        "individual",
        person(*streak("CSTD_CS", 2024, 2025, 2026), initiatives=(Initiative(2022, "Cũ", "city"),)),
        False,
        vi=("«Cũ» (2022) nằm ngoài giai đoạn 2024–2026",),
        en=('"Cũ" (2022) falls outside 2024–2026',),
        article="Điều 22",
        unmet_ids=("cstd_tp_initiative",),
    ),
    # BK_TP individual — Law art. 74: 2× CSTD_CS, or 2× HTXSNV with 2 certified initiatives.
    Case("bk_tp via CSTD_CS", "BK_TP", "individual", person(*streak("CSTD_CS", 2025, 2026)), True),
    Case(
        "bk_tp via HTXSNV + initiatives",
        "BK_TP",
        "individual",
        person(
            *streak("HTXSNV", 2025, 2026),
            initiatives=(Initiative(2025, "A", "grassroots"), Initiative(2026, "B", "city")),
        ),
        True,
    ),
    Case(
        "bk_tp missing 2025 in both alternatives",
        "BK_TP",
        "individual",
        person((2026, "CSTD_CS"), (2026, "HTXSNV"), initiatives=(Initiative(2026, "A", "grassroots"),)),
        False,
        vi=("Chưa đạt phương án nào", "Phương án 1: Thiếu danh hiệu «Chiến sĩ thi đua cơ sở» năm 2025",
            "Phương án 2: Thiếu danh hiệu «Hoàn thành xuất sắc nhiệm vụ» năm 2025"),
        en=("None of the alternatives", '"Grassroots Emulation Fighter" for 2025', '"Excellent completion of duties" for 2025'),
        article="Điều 74",
        unmet_ids=("bk_tp_individual",),
    ),
    Case(
        "bk_tp second initiative uncertified",
        "BK_TP",
        "individual",
        person(
            *streak("HTXSNV", 2025, 2026),
            initiatives=(Initiative(2025, "A", "grassroots"), Initiative(2026, "B", "grassroots", False)),
        ),
        False,
        vi=("Sáng kiến «B» (2026) chưa có văn bản công nhận hiệu quả áp dụng, phạm vi ảnh hưởng", "hiện có 1"),
        en=('Initiative "B" (2026) lacks the document certifying its effect and reach', "found 1"),
        article="Điều 74",
    ),
    # BK_TP collective — 2 consecutive years TTLDTT or TTLDXS.
    Case("bk_tp collective ok", "BK_TP", "collective", unit((2025, "TTLDTT"), (2026, "TTLDXS")), True),
    Case(
        "bk_tp collective missing 2025",
        "BK_TP",
        "collective",
        unit((2024, "TTLDXS"), (2026, "TTLDTT")),
        False,
        vi=("«Tập thể lao động tiên tiến» hoặc «Tập thể lao động xuất sắc» năm 2025", "2025–2026"),
        en=('"Advanced Labour Collective" or "Excellent Labour Collective" for 2025',),
        article="Điều 74",
    ),
    # TTLDXS — Law art. 28: all members complete tasks, ≥70% advanced workers, a grassroots fighter.
    Case(
        "ttldxs ok",
        "TTLDXS",
        "collective",
        unit(all_members_completed_tasks=True, advanced_worker_share=0.7, has_grassroots_fighter=True),
        True,
    ),
    Case(
        "ttldxs share too low",
        "TTLDXS",
        "collective",
        unit(all_members_completed_tasks=True, advanced_worker_share=0.65, has_grassroots_fighter=True),
        False,
        vi=("Tỷ lệ cá nhân đạt danh hiệu Lao động tiên tiến: 65%", "tối thiểu 70%"),
        en=("65%", "minimum of 70%"),
        article="Điều 28",
        unmet_ids=("ttldxs_advanced_share",),
    ),
    Case(
        "ttldxs no fighter, facts undeclared",
        "TTLDXS",
        "collective",
        unit(all_members_completed_tasks=False, advanced_worker_share=0.9),
        False,
        vi=("Chưa khai báo tiêu chí: Có cá nhân đạt danh hiệu Chiến sĩ thi đua cơ sở",
            "Chưa đáp ứng tiêu chí: 100% cá nhân"),
        en=("Not declared: A member holds", "Not met: All members"),
        article="Điều 28",
        unmet_ids=("ttldxs_all_completed", "ttldxs_grassroots_fighter"),
    ),
    # CSTD_TQ — Law art. 21: 2 consecutive CSTD_TP (3 years apart, the year before) + national initiative.
    Case(
        "cstd_tq ok",
        "CSTD_TQ",
        "individual",
        person(*streak("CSTD_TP", 2022, 2025), initiatives=(NATIONAL_INIT,)),
        True,
    ),
    Case(
        "cstd_tq missing the first CSTD_TP",
        "CSTD_TQ",
        "individual",
        person((2025, "CSTD_TP"), initiatives=(NATIONAL_INIT,)),
        False,
        vi=("Thiếu danh hiệu «Chiến sĩ thi đua thành phố» năm 2022", "2022, 2025"),
        en=('"City Emulation Fighter" for 2022',),
        article="Điều 21",
        unmet_ids=("cstd_tq_streak",),
    ),
    Case(
        "cstd_tq city initiative is not enough",
        "CSTD_TQ",
        "individual",
        person(*streak("CSTD_TP", 2022, 2025), initiatives=(CITY_INIT,)),
        False,
        vi=("phạm vi ảnh hưởng toàn quốc", "«Số hoá hồ sơ thi đua» (2025) chỉ có phạm vi ảnh hưởng cấp thành phố"),
        en=("nationwide effect", '"Số hoá hồ sơ thi đua" (2025) has city-wide effect only'),
        article="Điều 21",
        unmet_ids=("cstd_tq_initiative",),
    ),
    # BK_TTG individual — Law art. 73: BK_TP, then 5 consecutive years HTTNV+ incl. 3× CSTD_CS.
    Case(
        "bk_ttg ok",
        "BK_TTG",
        "individual",
        person((2020, "BK_TP"), (2022, "HTTNV"), (2023, "CSTD_CS"), (2024, "CSTD_CS"), (2025, "HTXSNV"), (2026, "CSTD_CS")),
        True,
    ),
    Case(
        "bk_ttg certificate inside the period",
        "BK_TTG",
        "individual",
        person((2023, "BK_TP"), (2022, "LDTT"), *streak("CSTD_CS", 2023, 2024, 2025), (2026, "HTTNV")),
        False,
        vi=("Chưa có «Bằng khen của Chủ tịch UBND Thành phố» trước năm 2022", "năm 2023 không được tính"),
        en=('No "Certificate of Merit of the City Chairman" before 2022', "the one of 2023 does not count"),
        article="Điều 73",
        unmet_ids=("bk_ttg_prior_certificate",),
    ),
    Case(
        "bk_ttg gap in 2024 and only 2 CSTD_CS",
        "BK_TTG",
        "individual",
        person((2019, "BK_TP"), (2022, "HTTNV"), (2023, "CSTD_CS"), (2025, "HTXSNV"), (2026, "CSTD_CS")),
        False,
        vi=("«Chiến sĩ thi đua cơ sở» năm 2024 (cần 5 năm liên tục 2022–2026)", "hiện có 2 năm (2023, 2026)",
            "2022, 2024, 2025"),
        en=("for 2024 (5 consecutive years needed: 2022–2026)", "found 2 (2023, 2026)"),
        article="Điều 73",
        unmet_ids=("bk_ttg_streak", "bk_ttg_grassroots_fighter"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_shipped_rules(case: Case, ruleset: RuleSet, names) -> None:
    result = run(ruleset, names, case.award, case.kind, case.record)
    assert result.passed is case.passes, [f.message_en for f in result.unmet]
    if case.passes:
        assert not result.unmet and result.met
        return
    vi = " | ".join(f.message_vi for f in result.unmet)
    en = " | ".join(f.message_en for f in result.unmet)
    for fragment in case.vi:
        assert fragment in vi
    for fragment in case.en:
        assert fragment in en
    for finding in result.unmet:
        assert finding.citation.startswith("Luật TĐKT 2022")
        assert case.article in finding.citation
    if case.unmet_ids:
        assert tuple(f.condition_id for f in result.unmet) == case.unmet_ids
    for f in result.unmet + result.met:
        assert unicodedata.is_normalized("NFC", f.message_vi)
        assert unicodedata.is_normalized("NFC", f.message_en)


def test_each_shipped_rule_has_a_passing_and_a_failing_case() -> None:
    covered = {(c.award, c.kind, c.passes) for c in CASES}
    for award, kind in [
        ("CSTD_TP", "individual"),
        ("BK_TP", "individual"),
        ("BK_TP", "collective"),
        ("TTLDXS", "collective"),
        ("CSTD_TQ", "individual"),
        ("BK_TTG", "individual"),
    ]:
        assert (award, kind, True) in covered and (award, kind, False) in covered


def test_names_fall_back_to_codes() -> None:
    conds = parse_conditions(
        [{"id": "s", "kind": "consecutive_titles", "titles": ["CSTD_CS"], "years": 2, "citation": "Điều 74"}]
    )
    result = check(conds, person((2026, "CSTD_CS")), YEAR)
    assert "«CSTD_CS» năm 2025" in result.unmet[0].message_vi
    assert '"CSTD_CS" for 2025' in result.unmet[0].message_en


def test_messages_are_nfc_even_from_decomposed_names() -> None:
    conds = parse_conditions(
        [{"id": "s", "kind": "consecutive_titles", "titles": ["CSTD_CS"], "years": 3, "citation": "Điều 22"}]
    )
    nfd = unicodedata.normalize("NFD", "Chiến sĩ thi đua cơ sở")
    result = check(conds, person(), YEAR, {"CSTD_CS": (nfd, "Grassroots Emulation Fighter")})
    message = result.unmet[0].message_vi
    assert unicodedata.is_normalized("NFC", message)
    assert "«Chiến sĩ thi đua cơ sở» năm 2024, 2025, 2026" in message


def test_previous_year_ending() -> None:
    conds = parse_conditions(
        [
            {
                "id": "s",
                "kind": "consecutive_titles",
                "titles": ["CSTD_CS"],
                "years": 2,
                "ending": "previous_year",
                "citation": "Điều 74",
            }
        ]
    )
    assert check(conds, person(*streak("CSTD_CS", 2024, 2025)), YEAR).passed
    result = check(conds, person(*streak("CSTD_CS", 2025, 2026)), YEAR)
    assert not result.passed and "năm 2024 (cần 2 năm liên tục 2024–2025)" in result.unmet[0].message_vi


def test_title_count_and_has_title_windows() -> None:
    conds = parse_conditions(
        [
            {"id": "c", "kind": "title_count", "titles": ["GIAY_KHEN"], "count": 2, "within_years": 3, "citation": "x.y"},
            {"id": "h", "kind": "has_title", "titles": ["BK_TP"], "within_years": 5, "citation": "x.y"},
            {"id": "a", "kind": "has_title", "titles": ["LDTT"], "citation": "x.y"},
        ]
    )
    ok = person((2024, "GIAY_KHEN"), (2026, "GIAY_KHEN"), (2022, "BK_TP"), (2010, "LDTT"))
    assert check(conds, ok, YEAR).passed
    bad = person((2023, "GIAY_KHEN"), (2026, "GIAY_KHEN"), (2021, "BK_TP"), (2027, "LDTT"))
    result = check(conds, bad, YEAR)
    by_id = {f.condition_id: f for f in result.unmet}
    assert set(by_id) == {"c", "h", "a"}
    assert "còn thiếu 1 năm trong số các năm 2024, 2025" in by_id["c"].message_vi
    assert "trong giai đoạn 2022–2026" in by_id["h"].message_vi
    assert "tính đến năm 2026" in by_id["a"].message_vi  # a title of a later year does not count


def test_fact_at_least_number_format_and_type_errors() -> None:
    conds = parse_conditions(
        [{"id": "f", "kind": "fact_at_least", "fact": "score", "min": 92.5, "citation": "QĐ 32/2024"}]
    )
    low = check(conds, unit(score=90.25), YEAR).unmet[0]
    assert "score: 90,25, chưa đạt mức tối thiểu 92,5" == low.message_vi
    assert "score: 90.25, below the required minimum of 92.5" == low.message_en
    wrong = check(conds, unit(score=True), YEAR).unmet[0]
    assert "phải là một số" in wrong.message_vi and "must be a number" in wrong.message_en
    assert check(conds, unit(score=92.5), YEAR).passed


def test_record_validation() -> None:
    with pytest.raises(ValueError, match="scope"):
        Initiative(2025, "x", "planet")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        NomineeRecord("household", ())  # type: ignore[arg-type]


def test_empty_rules_pass() -> None:
    assert check((), person(), YEAR) == EligibilityResult(True, (), ())


# --- parsing errors name the index and the field ----------------------------------------------

BASE = {"id": "s", "kind": "consecutive_titles", "titles": ["CSTD_CS"], "years": 2, "citation": "Điều 74"}


def _with(**changes) -> dict:
    entry = {**BASE, **changes}
    return {k: v for k, v in entry.items() if v is not ...}


PARSE_ERRORS = [
    ([BASE, _with(id="t", kind="streak")], r"conditions\[1\]\.kind: unknown kind 'streak'"),
    ([_with(kind=...)], r"conditions\[0\]\.kind: missing"),
    ([_with(years=...)], r"conditions\[0\]\.years: missing"),
    ([_with(citation=...)], r"conditions\[0\]\.citation: missing"),
    ([_with(years=0)], r"conditions\[0\]\.years: must be a whole number ≥ 1, got 0"),
    ([_with(years=True)], r"conditions\[0\]\.years: must be a whole number"),
    ([_with(years="3")], r"conditions\[0\]\.years"),
    ([_with(ending="next_year")], r"conditions\[0\]\.ending: must be one of"),
    ([_with(titles=[])], r"conditions\[0\]\.titles: must be a non-empty list"),
    ([_with(titles=["CSTD_CS", 3])], r"conditions\[0\]\.titles\[1\]"),
    ([_with(colour="red")], r"conditions\[0\]\.colour: unknown field"),
    ([_with(confirm="yes")], r"conditions\[0\]\.confirm: must be true or false"),
    ([_with(id="")], r"conditions\[0\]\.id: must be a non-empty string"),
    ([BASE, _with()], r"conditions\[1\]\.id: duplicate id 's' \(also at conditions\[0\]\)"),
    ("CSTD_CS", r"conditions: must be a list"),
    ([["CSTD_CS"]], r"conditions\[0\]: must be a mapping"),
    (
        [{"id": "i", "kind": "initiatives", "min_scope": "city", "count": 1, "within_streak_of": "nope", "citation": "x.y"}],
        r"conditions\[0\]\.within_streak_of: no consecutive_titles condition with id 'nope'",
    ),
    (
        [{"id": "i", "kind": "initiatives", "min_scope": "city", "count": 1, "citation": "x.y"}],
        r"conditions\[0\]\.within_streak_of: missing",
    ),
    (
        [BASE, {"id": "i", "kind": "initiatives", "min_scope": "planet", "count": 1, "within_streak_of": "s", "citation": "x.y"}],
        r"conditions\[1\]\.min_scope: unknown scope 'planet'",
    ),
    (
        [BASE, {"id": "i", "kind": "title_count", "titles": ["X"], "count": 1, "within_streak_of": "s", "within_years": 2, "citation": "x.y"}],
        r"conditions\[1\]\.within_streak_of: give either",
    ),
    (
        [{"id": "f", "kind": "fact_at_least", "fact": "share", "min": "70%", "citation": "x.y"}],
        r"conditions\[0\]\.min: must be a number",
    ),
    (
        [{"id": "f", "kind": "fact_at_least", "fact": "share", "min": 0.7, "format": "ratio", "citation": "x.y"}],
        r"conditions\[0\]\.format",
    ),
    (
        [{"id": "a", "kind": "any_of", "options": [[BASE]], "citation": "x.y"}],
        r"conditions\[0\]\.options: must be a list of at least 2",
    ),
    (
        [{"id": "a", "kind": "any_of", "options": [[BASE], [_with(id="t", years=-1)]], "citation": "x.y"}],
        r"conditions\[0\]\.options\[1\]\[0\]\.years",
    ),
    (
        [{"id": "a", "kind": "any_of", "options": [[BASE], []], "citation": "x.y"}],
        r"conditions\[0\]\.options\[1\]: an alternative needs at least one condition",
    ),
]


@pytest.mark.parametrize(("raw", "pattern"), PARSE_ERRORS)
def test_parse_errors_name_index_and_field(raw, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        parse_conditions(raw)


def test_streak_reference_may_come_later_and_from_an_enclosing_list() -> None:
    conds = parse_conditions(
        [
            {"id": "i", "kind": "initiatives", "min_scope": "city", "count": 1, "within_streak_of": "s", "citation": "x.y"},
            BASE,
            {
                "id": "a",
                "kind": "any_of",
                "citation": "x.y",
                "options": [
                    [{"id": "c", "kind": "title_count", "titles": ["HTXSNV"], "count": 1, "within_streak_of": "s", "citation": "x.y"}],
                    [{"id": "f", "kind": "fact_true", "fact": "hero", "citation": "x.y"}],
                ],
            },
        ]
    )
    assert [c.id for c in conds] == ["i", "s", "a"]
    assert isinstance(conds[2], AnyOf)
    assert referenced_titles(conds) == {"CSTD_CS", "HTXSNV"}
    assert referenced_facts(conds) == {"hero"}


# --- the shipped catalogue --------------------------------------------------------------------


def test_shipped_catalogue_conditions_parse() -> None:
    catalogue = load_catalogue()
    for rs in catalogue.rulesets:
        known = set(rs.history_titles) | {a.code for a in rs.awards}
        for award in rs.awards:
            # every award states its rules for each kind of nominee it is for (possibly none yet)
            assert set(award.eligibility) == set(award.nominee_kinds), award.code
            for kind, raw in award.eligibility.items():
                conds = parse_conditions(raw)
                assert referenced_titles(conds) <= known
                for cond in conds:
                    assert cond.citation


def test_shipped_ttldxs_facts(ruleset: RuleSet) -> None:
    conds = parse_conditions(ruleset.award("TTLDXS").eligibility["collective"])
    assert referenced_facts(conds) == {"all_members_completed_tasks", "advanced_worker_share", "has_grassroots_fighter"}


def _copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rulesets"
    shutil.copytree(RULESETS_DIR, rules)
    return rules


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unknown_title_code_in_a_condition_fails_naming_the_award(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    _edit(rules / "2024.1.yaml", "titles: [CSTD_CS]\n          years: 3", "titles: [CSTD_XX]\n          years: 3")
    with pytest.raises(ConfigError) as err:
        load_catalogue(rules)
    assert "2024.1.yaml" in err.value.file
    assert "CSTD_TP" in str(err.value) and "'CSTD_XX'" in str(err.value)


def test_title_of_the_wrong_nominee_kind_fails(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    _edit(rules / "2024.1.yaml", "titles: [CSTD_CS]\n          years: 3", "titles: [TTLDTT]\n          years: 3")
    with pytest.raises(ConfigError, match=r"CSTD_TP.*'TTLDTT' is not for individual nominees"):
        load_catalogue(rules)


def test_malformed_condition_fails_naming_file_award_and_field(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    _edit(rules / "2024.1.yaml", "min_scope: city", "min_scope: planet")
    with pytest.raises(ConfigError) as err:
        load_catalogue(rules)
    assert "2024.1.yaml" in err.value.file
    assert "CSTD_TP" in err.value.problem
    assert "conditions[1].min_scope" in err.value.problem


def test_rules_for_a_kind_the_award_is_not_for_fail(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    _edit(rules / "2024.1.yaml", "      collective:\n        - id: ttldxs_all_completed", "      individual:\n        - id: ttldxs_all_completed")
    with pytest.raises(ConfigError, match=r"TTLDXS: eligibility\.individual: the award is not for individual"):
        load_catalogue(rules)


# --- properties -------------------------------------------------------------------------------

CODES = ("CSTD_CS", "HTXSNV", "HTTNV", "LDTT", "BK_TP", "CSTD_TP")
years_st = st.integers(min_value=2012, max_value=2027)
titles_st = st.lists(st.builds(TitleRecord, years_st, st.sampled_from(CODES)), max_size=25)
initiative_st = st.builds(
    Initiative, years_st, st.sampled_from(["A", "B", "C"]), st.sampled_from(["grassroots", "city", "national"]), st.booleans()
)
streak_st = st.builds(
    lambda titles, years, ending, every: parse_conditions(
        [
            {
                "id": "s",
                "kind": "consecutive_titles",
                "titles": titles,
                "years": years,
                "ending": ending,
                "every": every,
                "citation": "x.y",
            }
        ]
    ),
    st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True),
    st.integers(1, 5),
    st.sampled_from(["nomination_year", "previous_year"]),
    st.integers(1, 3),
)


@settings(max_examples=200)
@given(streak_st, titles_st, st.builds(TitleRecord, years_st, st.sampled_from(CODES)), st.integers(2020, 2027))
def test_adding_a_title_never_breaks_a_passing_streak(conds, titles, extra, year) -> None:
    before = check(conds, NomineeRecord("individual", tuple(titles)), year)
    after = check(conds, NomineeRecord("individual", (*titles, extra)), year)
    assert not before.passed or after.passed


@settings(max_examples=200)
@given(streak_st, titles_st, st.integers(2020, 2027))
def test_a_streak_fails_exactly_when_a_required_year_is_missing_and_names_it(conds, titles, year) -> None:
    (cond,) = conds
    assert isinstance(cond, ConsecutiveTitles)
    held = {t.year for t in titles if t.title in cond.titles}
    missing = [y for y in cond.required_years(year) if y not in held]
    result = check(conds, NomineeRecord("individual", tuple(titles)), year)
    assert result.passed is (not missing)
    if missing:
        listed = ", ".join(map(str, missing))
        assert f"năm {listed} (" in result.unmet[0].message_vi
        assert f"for {listed} (" in result.unmet[0].message_en


PASSING = [c for c in CASES if c.passes and c.kind == "individual"]
dense_titles_st = st.lists(st.sets(st.sampled_from(CODES)), min_size=15, max_size=15).map(
    lambda per_year: [TitleRecord(2012 + i, code) for i, codes in enumerate(per_year) for code in sorted(codes)]
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PASSING),
    st.booleans(),
    dense_titles_st,
    st.lists(initiative_st, max_size=4),
    st.lists(st.one_of(st.builds(TitleRecord, years_st, st.sampled_from(CODES)), initiative_st), min_size=1, max_size=3),
)
def test_more_history_never_makes_a_shipped_rule_fail(case, seeded, noise, initiatives, extra) -> None:
    """Seeded from a passing case (plus noise) or from a random dense history; then add more."""
    conds = parse_conditions(catalogue().version("2025.7").award(case.award).eligibility[case.kind])
    titles = [*case.record.titles, *noise] if seeded else noise
    initiatives = [*case.record.initiatives, *initiatives] if seeded else initiatives
    before = check(conds, NomineeRecord("individual", tuple(titles), tuple(initiatives)), YEAR)
    if seeded:
        assert before.passed  # noise alone never breaks a passing record either
    titles += [e for e in extra if isinstance(e, TitleRecord)]
    initiatives += [e for e in extra if isinstance(e, Initiative)]
    after = check(conds, NomineeRecord("individual", tuple(titles), tuple(initiatives)), YEAR)
    assert not before.passed or after.passed
    for f in after.unmet + after.met:
        assert unicodedata.is_normalized("NFC", f.message_vi)
        assert unicodedata.is_normalized("NFC", f.message_en)
