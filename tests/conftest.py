"""Fixtures shared by every tier."""

from __future__ import annotations

from datetime import UTC, datetime

from typing import Callable, Iterator

import pytest

import service.ballot_schedule
import service.nominations
from service.db import reset_default_engine
from service.demo import DEMO_TODAY


@pytest.fixture
def process_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Point the process-wide settings and engine (what the CLI and the flows use) at a URL."""

    def use(url: str) -> None:
        monkeypatch.setenv("TDKT_DATABASE_URL", url)
        reset_default_engine()

    yield use
    reset_default_engine()


@pytest.fixture
def demo_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts created over HTTP are dated on the demo's day (campaign TK-2026 open, rule set
    2025.7 in force), so the tests do not depend on the machine's calendar."""
    at = datetime.combine(DEMO_TODAY, datetime.min.time(), tzinfo=UTC).replace(hour=3)
    monkeypatch.setattr(service.nominations, "utcnow", lambda: at)
    monkeypatch.setattr(service.ballot_schedule, "utcnow", lambda: at)  # "opens in the future" is judged on the demo's day
