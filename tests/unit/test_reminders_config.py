"""config/reminders.yaml and its loader: the shipped file, the offset rule, errors naming file and entry."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.reminders import DEFAULT_PATH, load_reminders
from service.outbox import Backoff


def test_the_shipped_file_has_5_and_1_working_days_with_reasons() -> None:
    config = load_reminders()
    assert config.working_days == (1, 5) and config.max_offset == 5
    assert config.citation and all(o.rationale for o in config.offsets)


@pytest.mark.parametrize(("remaining", "offset"), [(9, None), (6, None), (5, 5), (3, 5), (2, 5), (1, 1), (0, 1)])
def test_the_nearest_offset_at_or_above_what_is_left(remaining: int, offset: int | None) -> None:
    assert load_reminders().offset_for(remaining) == offset


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reminders.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "entry", "problem"),
    [
        ("offsets: [{working_days: 5, rationale: x}]", "(top level).citation", "Field required"),
        ("citation: c\noffsets: []", "(top level).offsets", "at least 1 item"),
        ("citation: c\noffsets: [{working_days: 5, rationale: a}, {working_days: -1, rationale: b}]", "offsets[1].working_days", "greater than or equal to 0"),
        ("citation: c\noffsets: [{working_days: 5, rationale: a}, {working_days: 5, rationale: b}]", "offsets[1].working_days", "listed twice (already at offsets[0])"),
        ("citation: c\noffsets: [{working_days: 5}]", "offsets[0].rationale", "Field required"),
        ("citation: c\noffsets: [{working_days: 5, rationale: a, days: 3}]", "offsets[0].days", "Extra inputs"),
        ("citation: c\noffsets: [{working_days: 5, rationale: \"" + unicodedata.normalize("NFD", "Nhắc") + "\"}]", "offsets[0].rationale", "NFC"),
        ("- just a list", "(file)", "expected a mapping"),
    ],
)
def test_errors_name_the_file_and_the_entry(tmp_path: Path, body: str, entry: str, problem: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_reminders(path)
    assert caught.value.file == str(path)
    assert caught.value.entry == entry
    assert problem in caught.value.problem


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_reminders(tmp_path / "nope.yaml")
    assert DEFAULT_PATH.name == "reminders.yaml"


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=timedelta(minutes=1), factor=2, cap=timedelta(minutes=10))
    assert [backoff.delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
