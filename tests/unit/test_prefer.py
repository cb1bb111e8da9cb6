"""Parsing ``Prefer`` (RFC 7240): which headers ask for ``return=minimal``."""

from __future__ import annotations

import pytest

from service.api.prefer import wants_minimal


@pytest.mark.parametrize(("header", "minimal"), [
    (None, False),
    ("", False),
    ("return=minimal", True),
    ("Return=Minimal", True),
    ('return="minimal"', True),
    ("respond-async, return=minimal", True),
    ("return=minimal; foo=bar", True),
    ("  return = minimal  ", True),
    ("return=representation", False),
    ("returns=minimal", False),
    ("minimal", False),
    ("return", False),
    ("handling=lenient, wait=10", False),
])
def test_which_prefer_headers_ask_for_the_minimal_answer(header: str | None, minimal: bool) -> None:
    assert wants_minimal(header) is minimal
