"""Demo people and collective titles: the shipped files, the eligibility cases they are built
to show, and every load-time check."""

from __future__ import annotations

import copy
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from config.demo_data import (
    COLLECTIVE_HISTORY_TITLES,
    DEMO_DIR,
    KNOWN_HISTORY_TITLES,
    PERSON_HISTORY_TITLES,
    SCOPES,
    Person,
    load_collective_titles,
    load_demo_people,
)
from config.errors import ConfigError
from config.org import load_org

YEAR = 2026  # the demo year the cases are written for


def _by_code(people: tuple[Person, ...]) -> dict[str, Person]:
    return {p.code: p for p in people}


# --- shipped data


def test_shipped_people_load_and_are_cached():
    assert load_demo_people() is load_demo_people()
    people = _by_code(load_demo_people())
    assert len(people) == 25
    assert list(people) == sorted(people)
    units = load_org().units
    assert all(p.unit in units for p in people.values())
    assert {p.gender for p in people.values()} == {"male", "female"}
    assert 0 < sum(p.front_line for p in people.values()) < len(people)


def test_every_name_and_title_is_nfc():
    people = load_demo_people()
    texts = [t for p in people for t in (p.full_name, p.position_vi, *(i.title_vi for i in p.initiatives))]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    for name in ("people.yaml", "collective_titles.yaml"):
        assert unicodedata.is_normalized("NFC", (DEMO_DIR / name).read_text(encoding="utf-8")), name


def test_every_person_says_which_demo_case_they_are():
    lines = (DEMO_DIR / "people.yaml").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        if line.startswith("  - code:"):
            assert re.match(r"\s+# (CASE|OTHER)", _comment_start(lines, n)), line


def _comment_start(lines: list[str], n: int) -> str:
    # The first line of the comment block just above the entry.
    start = n
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return lines[start] if start < n else ""


def test_each_cstd_cs_year_has_ldtt_and_an_initiative():
    # CSTD_CS is given only to Advanced Workers with an initiative that year (Law art. 23).
    for person in load_demo_people():
        for year in person.years_with("CSTD_CS"):
            assert year in person.years_with("LDTT"), person.code
            assert any(i.year == year for i in person.initiatives), person.code


# Plain restatements of the catalogue's conditions, only to pin which person is which case.
def _wide(person: Person, years: range, at_least: str) -> list[int]:
    return [
        i.year
        for i in person.initiatives
        if i.certified and i.year in years and SCOPES.index(i.scope) >= SCOPES.index(at_least)
    ]


def _cstd_tp(p: Person) -> bool:
    window = range(YEAR - 2, YEAR + 1)
    return set(window) <= p.years_with("CSTD_CS") and bool(_wide(p, window, "city"))


def _bk_tp(p: Person) -> bool:
    window = range(YEAR - 1, YEAR + 1)
    if set(window) <= p.years_with("CSTD_CS"):
        return True
    return set(window) <= p.years_with("HTXSNV") and len(_wide(p, window, "grassroots")) >= 2


def _cstd_tq(p: Person) -> bool:
    # Two consecutive CSTD_TP titles are three years apart; the last one is for the year before.
    return {YEAR - 4, YEAR - 1} <= p.years_with("CSTD_TP") and bool(_wide(p, range(YEAR - 6, YEAR), "national"))


def _bk_ttg(p: Person) -> bool:
    streak = range(YEAR - 4, YEAR + 1)
    good = p.years_with("HTTNV") | p.years_with("HTXSNV")
    return (
        any(y < streak[0] for y in p.years_with("BK_TP"))
        and set(streak) <= good
        and len(p.years_with("CSTD_CS") & set(streak)) >= 3
    )


def test_demo_cases_for_city_emulation_fighter():
    people = _by_code(load_demo_people())
    # P014 (the national candidate) also meets the plain streak rule: it cannot tell that his
    # CSTD_CS years already counted towards his 2024 and 2025 titles.
    assert {c for c, p in people.items() if _cstd_tp(p)} == {"P001", "P002", "P003", "P019", "P014"}
    # missing one year of the streak, each with a city-scope initiative
    for code, missing in {"P004": 2025, "P020": 2026, "P024": 2024, "P005": 2024}.items():
        assert missing not in people[code].years_with("CSTD_CS")
        assert _wide(people[code], range(2023, 2027), "city")
    # the full streak and a city-scope initiative, but its certification is missing
    assert {2024, 2025, 2026} <= people["P025"].years_with("CSTD_CS")
    assert [i.certified for i in people["P025"].initiatives if i.scope == "city"] == [False]
    # the full streak but only grassroots initiatives
    for code in ("P006", "P007"):
        assert {2024, 2025, 2026} <= people[code].years_with("CSTD_CS")
        assert {i.scope for i in people[code].initiatives} == {"grassroots"}


def test_demo_cases_for_city_certificate_of_merit():
    people = _by_code(load_demo_people())
    by_fighter = {c for c, p in people.items() if {2025, 2026} <= p.years_with("CSTD_CS")}
    assert by_fighter == {
        "P001", "P002", "P003", "P005", "P006", "P007", "P008", "P014", "P019", "P021", "P024", "P025"
    }
    qualifying = {c for c, p in people.items() if _bk_tp(p)}
    assert qualifying == by_fighter | {"P009", "P010"}
    for code in ("P004", "P011", "P012", "P013", "P018", "P022"):
        assert code not in qualifying


def test_demo_cases_for_central_awards():
    people = _by_code(load_demo_people())
    assert {c for c, p in people.items() if _cstd_tq(p)} == {"P014"}
    assert {c for c, p in people.items() if _bk_ttg(p)} == {"P014", "P017"}


def test_shipped_collective_titles_include_seed_000_results():
    rows = load_collective_titles()
    seeded = {(r.unit, r.title) for r in rows if r.year == 2023 and r.source == "seed 000"}
    assert seeded == {
        ("SO_NV", "CO_TD_CP"),
        ("VP_UBND", "CO_TD_TP"),
        ("BAN_DT", "BK_TP"),
        ("SO_NGV", "BK_TP"),
        ("SO_TP", "BK_TP"),
        ("THANH_TRA", "BK_TP"),
    }
    assert {r.year for r in rows} == set(range(2021, 2026))


def test_collective_titles_are_plausible():
    rows = load_collective_titles()
    held = {(r.unit, r.year, r.title) for r in rows}
    for r in rows:
        if r.title in ("CO_TD_CP", "CO_TD_TP", "BK_TP"):
            assert (r.unit, r.year, "TTLDXS") in held, r
    org = load_org()
    for cluster in org.clusters:
        for flag in ("CO_TD_CP", "CO_TD_TP"):
            winners = [r for r in rows if r.year == cluster.year and r.title == flag and r.unit in cluster.members]
            assert len(winners) <= 1, (cluster.code, cluster.year, flag)


def test_title_constants():
    assert set(PERSON_HISTORY_TITLES) | set(COLLECTIVE_HISTORY_TITLES) == set(KNOWN_HISTORY_TITLES)
    assert "BK_TP" in PERSON_HISTORY_TITLES and "BK_TP" in COLLECTIVE_HISTORY_TITLES


# --- validation: each rule has a failing file


def _person(code: str = "P001", unit: str = "SO_NV") -> dict:
    return {
        "code": code, "full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1980, "unit": unit,
        "position_vi": "Chuyên viên", "front_line": True,
        "titles": [{"year": 2025, "title": "LDTT"}, {"year": 2025, "title": "CSTD_CS"}],
        "initiatives": [{"year": 2025, "title_vi": "Sáng kiến thử", "scope": "grassroots"}],
    }


PEOPLE = {"people": [_person("P001"), _person("P002"), _person("P003"), _person("P004"), _person("P005")]}
COLLECTIVE = {"collective_titles": [{"unit": "SO_NV", "year": 2024, "title": "TTLDXS"},
                                    {"unit": "SO_TP", "year": 2024, "title": "BK_TP"}]}


def _write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_base_fixtures_are_valid(tmp_path):
    _write(tmp_path, "people.yaml", PEOPLE)
    _write(tmp_path, "collective_titles.yaml", COLLECTIVE)
    assert [p.code for p in load_demo_people(tmp_path)] == ["P001", "P002", "P003", "P004", "P005"]
    assert len(load_collective_titles(tmp_path)) == 2


def _set(path: tuple, value):
    def edit(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


PEOPLE_CASES = [
    ("unknown unit", _set(("people", 4, "unit"), "SO_ZZ"), "people[4].unit", "'SO_ZZ'"),
    ("duplicate code", _set(("people", 2, "code"), "P001"), "people[2].code", "duplicate person P001"),
    ("duplicate year-title", lambda d: d["people"][1]["titles"].append({"year": 2025, "title": "LDTT"}),
     "people[1].titles[2]", "LDTT is listed twice for 2025"),
    ("unknown title", _set(("people", 0, "titles", 1, "title"), "CSTD_XX"), "people[0].titles[1].title", "'CSTD_XX'"),
    ("collective title on a person", _set(("people", 0, "titles", 1, "title"), "CO_TD_TP"),
     "people[0].titles[1].title", "'CO_TD_TP'"),
    ("title year too early", _set(("people", 3, "titles", 0, "year"), 1989), "people[3].titles[0].year", "1990"),
    ("title year too late", _set(("people", 3, "titles", 0, "year"), 2101), "people[3].titles[0].year", "2100"),
    ("initiative year", _set(("people", 0, "initiatives", 0, "year"), 1900), "people[0].initiatives[0].year", "1990"),
    ("unknown scope", _set(("people", 0, "initiatives", 0, "scope"), "district"),
     "people[0].initiatives[0].scope", "grassroots"),
    ("not NFC", _set(("people", 1, "full_name"), unicodedata.normalize("NFD", "Nguyễn Văn An")),
     "people[1].full_name", "NFC"),
    ("unknown field", _set(("people", 0, "nickname"), "An"), "people[0].nickname", "not permitted"),
]


@pytest.mark.parametrize(("edit", "entry", "words"), [c[1:] for c in PEOPLE_CASES], ids=[c[0] for c in PEOPLE_CASES])
def test_invalid_people_name_file_and_entry(tmp_path, edit, entry, words):
    data = copy.deepcopy(PEOPLE)
    edit(data)
    path = _write(tmp_path, "people.yaml", data)
    with pytest.raises(ConfigError) as info:
        load_demo_people(tmp_path)
    assert (info.value.file, info.value.entry) == (str(path), entry)
    assert words in info.value.problem


COLLECTIVE_CASES = [
    ("unknown unit", _set(("collective_titles", 1, "unit"), "SO_ZZ"), "collective_titles[1].unit", "'SO_ZZ'"),
    ("person title on a unit", _set(("collective_titles", 1, "title"), "CSTD_CS"),
     "collective_titles[1].title", "'CSTD_CS'"),
    ("duplicate row", lambda d: d["collective_titles"].append(dict(d["collective_titles"][0])),
     "collective_titles[2]", "SO_NV holds TTLDXS for 2024 twice"),
    ("year out of range", _set(("collective_titles", 0, "year"), 2200), "collective_titles[0].year", "2100"),
]


@pytest.mark.parametrize(("edit", "entry", "words"), [c[1:] for c in COLLECTIVE_CASES],
                         ids=[c[0] for c in COLLECTIVE_CASES])
def test_invalid_collective_titles_name_file_and_entry(tmp_path, edit, entry, words):
    data = copy.deepcopy(COLLECTIVE)
    edit(data)
    path = _write(tmp_path, "collective_titles.yaml", data)
    with pytest.raises(ConfigError) as info:
        load_collective_titles(tmp_path)
    assert (info.value.file, info.value.entry) == (str(path), entry)
    assert words in info.value.problem


def test_title_codes_can_be_passed_in(tmp_path):
    data = copy.deepcopy(PEOPLE)
    data["people"][0]["titles"] = [{"year": 2025, "title": "NEW_TITLE"}]
    _write(tmp_path, "people.yaml", data)
    with pytest.raises(ConfigError):
        load_demo_people(tmp_path)
    people = load_demo_people(tmp_path, known_titles={"NEW_TITLE", "LDTT", "CSTD_CS"})
    assert people[0].years_with("NEW_TITLE") == {2025}
