"""Spreadsheet exports are the same bytes for the same content, whenever they are made: two
downloads of one ballot's minutes a second apart must not differ (fixed document dates and zip
entry times in service.nominee_import.workbook_bytes)."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook, load_workbook

from service.nominee_import import workbook_bytes


def _workbook() -> Workbook:
    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Năm"])
    workbook.active.append(["Nguyễn Thị Thu Hà", 2026])
    return workbook


def test_the_same_content_gives_the_same_bytes_at_different_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    first = workbook_bytes(_workbook())
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)  # three years later
    second = workbook_bytes(_workbook())
    assert first == second
    sheet = load_workbook(io.BytesIO(first)).active
    assert [c.value for c in sheet[2]] == ["Nguyễn Thị Thu Hà", 2026]


def test_different_content_gives_different_bytes() -> None:
    other = _workbook()
    other.active.append(["Trần Văn Nam", 2025])
    assert workbook_bytes(other) != workbook_bytes(_workbook())
