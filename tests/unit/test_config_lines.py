"""A wrong value in any config file is reported with the file, the entry, the LINE and the reason.

Each case copies the shipped file(s), breaks one value, and expects the error to point at the
line (and column) where that value sits in the edited text; the expected position is found in
the text itself, not taken from the loader.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from config.calendar import load_calendar
from config.catalogue import load_catalogue
from config.demo_data import load_demo_people
from config.errors import ConfigError
from config.org import load_org
from config.pledges import load_pledges
from config.reminders import load_reminders
from config.yamlfiles import DATA_DIR


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle`` in ``text``."""
    at = text.index(needle)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, column


def copy_dir(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def break_file(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def load_case(tmp_path: Path, case: str) -> tuple[Callable[[], object], Path, str, str]:
    """(loader, broken file, its text, the text at the broken value) for one case."""
    if case == "calendar: impossible date":
        path = tmp_path / "vn-holidays.yaml"
        shutil.copy(DATA_DIR / "calendar" / "vn-holidays.yaml", path)
        return (lambda: load_calendar(path)), path, break_file(path, "{date: 2023-01-20,", "{date: 2023-02-30,"), "2023-02-30"
    if case == "calendar: date in the wrong year (checked in code)":
        path = tmp_path / "vn-holidays.yaml"
        shutil.copy(DATA_DIR / "calendar" / "vn-holidays.yaml", path)
        return (lambda: load_calendar(path)), path, break_file(path, "{date: 2023-01-20,", "{date: 2024-01-20,"), "2024-01-20"
    if case == "rule set: quota not a number":
        folder = copy_dir(DATA_DIR / "rulesets", tmp_path / "rulesets")
        path = folder / "2024.1.yaml"
        return (lambda: load_catalogue(folder)), path, break_file(path, "count: 1,", "count: mot,"), "mot,"
    if case == "rule set that extends another: quorum not a number":
        folder = copy_dir(DATA_DIR / "rulesets", tmp_path / "rulesets")
        path = folder / "2025.7.yaml"
        return (lambda: load_catalogue(folder)), path, break_file(path, "quorum: 0.6667", "quorum: lots"), "lots"
    if case == "rule set: unknown SLA step":
        folder = copy_dir(DATA_DIR / "rulesets", tmp_path / "rulesets")
        path = folder / "2024.1.yaml"
        # The check is on the whole mapping, which starts at its first key: the inserted one.
        return (lambda: load_catalogue(folder)), path, break_file(path, "\ndefault_sla:\n", "\ndefault_sla:\n  no_such_step: 3\n"), "no_such_step"
    if case == "rule set: unknown SLA step in an award":
        folder = copy_dir(DATA_DIR / "rulesets", tmp_path / "rulesets")
        path = folder / "2024.1.yaml"
        return (lambda: load_catalogue(folder)), path, break_file(path, "sla: { appraisal: 5,", "sla: { no_such_step: 4, appraisal: 5,"), "{ no_such_step"
    if case == "org units: unknown field":
        folder = copy_dir(DATA_DIR / "org", tmp_path / "org")
        path = folder / "units.yaml"
        return (lambda: load_org(folder)), path, break_file(path, "  - code: TT_XTDT\n", "  - code: TT_XTDT\n    colour: blue\n"), "blue"
    if case == "reminders: negative offset":
        path = tmp_path / "reminders.yaml"
        shutil.copy(DATA_DIR / "reminders.yaml", path)
        return (lambda: load_reminders(path)), path, break_file(path, "working_days: 1\n", "working_days: -1\n"), "-1"
    if case == "demo people: year not a number":
        folder = copy_dir(DATA_DIR / "demo", tmp_path / "demo")
        path = folder / "people.yaml"
        return (lambda: load_demo_people(folder, org=load_org())), path, break_file(path, "{year: 2023, title: LDTT}", "{year: hai, title: LDTT}"), "hai"
    if case == "cluster pledge: quorum not a number":
        folder = copy_dir(DATA_DIR / "clusters", tmp_path / "clusters")
        path = folder / "pledge-2026.yaml"
        return (lambda: load_pledges(folder, org=load_org())), path, break_file(path, "ballot_quorum: 0.6667", "ballot_quorum: most"), "most"
    raise AssertionError(case)


CASES = [
    "calendar: impossible date",
    "calendar: date in the wrong year (checked in code)",
    "rule set: quota not a number",
    "rule set that extends another: quorum not a number",
    "rule set: unknown SLA step",
    "rule set: unknown SLA step in an award",
    "org units: unknown field",
    "reminders: negative offset",
    "demo people: year not a number",
    "cluster pledge: quorum not a number",
]


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_value_is_reported_at_its_line(case: str, tmp_path: Path) -> None:
    load, path, text, needle = load_case(tmp_path, case)
    line, column = position(text, needle)
    with pytest.raises(ConfigError) as caught:
        load()
    error = caught.value
    assert error.file == str(path), str(error)
    assert error.entry not in ("(file)", ""), str(error)
    assert (error.line, error.column) == (line, column), str(error)
    assert f"(line {error.line}, column {error.column})" in str(error) and error.problem in str(error)


def test_an_error_from_data_not_read_from_the_file_has_no_line(tmp_path: Path) -> None:
    # parse() is also given data built in code; it must not invent a position for it.
    from pydantic import BaseModel

    from config.yamlfiles import parse

    class Shape(BaseModel):
        n: int

    with pytest.raises(ConfigError) as caught:
        parse(Shape, {"n": "x"}, file=tmp_path / "nowhere.yaml", entry="(file)")
    assert caught.value.line is None and caught.value.column is None
    assert str(caught.value) == f"{tmp_path / 'nowhere.yaml'}: (file).n: Input should be a valid integer, unable to parse string as an integer"
