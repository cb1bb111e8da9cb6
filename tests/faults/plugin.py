"""Counting faults and attacks: what was tried, what was lost, what was let through.

Every fault test asks for the ``tally`` fixture and, for each fault it injects or attack it
makes, calls ``tally.tried(...)``; a lost acknowledged write is ``tally.lost(...)`` and an
attack that got in is ``tally.let_through(...)`` (the test also fails — the tally is what the
report prints). Sizes come from ``TDKT_FAULTS_SCALE``: ``ci`` (default, part of the normal test
command) or ``full`` (``python -m tests.faults.report``).

Loaded as a pytest plugin (``-p tests.faults.plugin``) the figures are written at the end of the
session to ``TDKT_FAULTS_JSON``; tests named in ``COUNTED_ELSEWHERE`` (attacks already covered by
the e2e and integration suites) are counted from their outcomes, one try per case run.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

SCALE_ENV = "TDKT_FAULTS_SCALE"
JSON_ENV = "TDKT_FAULTS_JSON"


def full_scale() -> bool:
    return os.environ.get(SCALE_ENV, "ci") == "full"


def size(ci: int, full: int) -> int:
    """``ci`` in the normal test command, ``full`` in the report run."""
    return full if full_scale() else ci


@dataclass
class Row:
    group: str
    fault: str
    tried: int = 0
    lost: int = 0
    let_through: int = 0
    notes: list[str] = field(default_factory=list)
    failed_tests: list[str] = field(default_factory=list)


ROWS: dict[tuple[str, str], Row] = {}


class Tally:
    """The counters of one test; ``group`` is the report section (Racing writers, Crashes, …)."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid
        self.used: set[tuple[str, str]] = set()

    def _row(self, group: str, fault: str) -> Row:
        key = (group, fault)
        self.used.add(key)
        return ROWS.setdefault(key, Row(group, fault))

    def tried(self, group: str, fault: str, n: int = 1) -> None:
        self._row(group, fault).tried += n

    def note(self, group: str, fault: str, text: str) -> None:
        """A fact for the report (e.g. how many writes were acknowledged), not a count."""
        self._row(group, fault).notes.append(text)

    def lost(self, group: str, fault: str, n: int = 1, note: str | None = None) -> None:
        row = self._row(group, fault)
        row.lost += n
        if note:
            row.notes.append(note)

    def let_through(self, group: str, fault: str, n: int = 1, note: str | None = None) -> None:
        row = self._row(group, fault)
        row.let_through += n
        if note:
            row.notes.append(note)


# Attacks covered by tests outside tests/faults (not duplicated here): test (or file) → row.
# Each case run is one try; a failed case is one attack let through.
COUNTED_ELSEWHERE: dict[str, tuple[str, str]] = {
    "tests/e2e/test_api_refusals.py::test_a_token_with_a_flipped_signature_byte_is_refused": ("Hostile input", "JWT with a flipped signature byte"),
    "tests/e2e/test_api_refusals.py::test_an_expired_token_is_refused": ("Hostile input", "Expired JWT"),
    "tests/e2e/test_api_refusals.py::test_alg_none_and_foreign_tokens_are_refused": ("Hostile input", "JWT with alg: none or a foreign key"),
    "tests/e2e/test_api_refusals.py::test_sign_in_is_refused_after_repeated_failures_even_with_the_right_password": ("Hostile input", "Password guessing (sign-in rate limit)"),
    "tests/e2e/test_api_refusals.py::test_an_unknown_user_and_a_wrong_password_look_the_same": ("Hostile input", "User enumeration at sign-in"),
    "tests/e2e/test_api_refusals.py::test_an_oversized_upload_gets_413_and_stores_nothing": ("Hostile input", "Oversized upload"),
    "tests/e2e/test_api_refusals.py::test_a_wrong_content_type_gets_415_and_stores_nothing": ("Hostile input", "Mislabelled upload (type vs content)"),
    "tests/e2e/test_api_refusals.py::test_malformed_requests_get_422_in_the_one_error_shape": ("Hostile input", "Malformed request bodies"),
    "tests/e2e/test_authorization_matrix.py": ("Authorization", "Role × scope matrix over every route"),
    "tests/integration/test_quotas.py::test_racing_proposals_cannot_overrun_the_quota": ("Racing writers", "Racing quota reservations (threads, one engine each)"),
    "tests/integration/test_outbox.py::test_concurrent_drains_never_send_a_message_twice": ("Crashes", "Concurrent outbox drains (no duplicate e-mail)"),
    "tests/integration/test_outbox.py::test_crash_between_send_and_mark_is_not_resent_and_is_reported": ("Crashes", "Drain crash between SMTP send and mark (in process)"),
}

OUTCOMES: dict[str, list[str]] = defaultdict(list)  # nodeid → outcomes of its phases that failed


def _counted_elsewhere(nodeid: str) -> tuple[str, str] | None:
    for prefix, row in COUNTED_ELSEWHERE.items():
        if nodeid.startswith(prefix):
            return row
    return None


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Tally:
    t = Tally(request.node.nodeid)
    request.node._faults_tally = t  # noqa: SLF001 - read back in the report hook
    return t


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        OUTCOMES[report.nodeid].append(report.when)
    if report.when != "teardown":
        return
    failed = bool(OUTCOMES.get(report.nodeid))
    row_key = _counted_elsewhere(report.nodeid)
    if row_key is not None:
        row = ROWS.setdefault(row_key, Row(*row_key))
        row.tried += 1
        if failed:
            row.let_through += 1
            row.failed_tests.append(report.nodeid)


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> None:
    if call.when == "call" and call.excinfo is not None:
        t: Tally | None = getattr(item, "_faults_tally", None)
        for key in (t.used if t else ()):
            ROWS[key].failed_tests.append(item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get(JSON_ENV)
    if not out:
        return
    data = {
        "scale": "full" if full_scale() else "ci",
        "exitstatus": int(exitstatus),
        "tests": session.testscollected,
        "failed": session.testsfailed,
        "rows": [asdict(r) for r in sorted(ROWS.values(), key=lambda r: (r.group, r.fault))],
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
