"""Run the fault suite at full size and write ``docs/reliability.md``.

    python -m tests.faults.report            # full size (TDKT_FAULTS_SCALE=full), then the markdown
    python -m tests.faults.report --render   # only re-render from var/faults.json

Runs ``tests/faults`` plus the attacks already covered elsewhere (see
``tests.faults.plugin.COUNTED_ELSEWHERE``) with the counting plugin; the figures go to
``var/faults.json`` and the table to ``docs/reliability.md``. PostgreSQL rows need
``TDKT_TEST_POSTGRES_URL`` (``bash deploy/local.sh faults`` sets it when a server answers).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.faults.plugin import COUNTED_ELSEWHERE, JSON_ENV, SCALE_ENV

ROOT = Path(__file__).resolve().parents[2]
JSON_PATH = ROOT / "var" / "faults.json"
DOC_PATH = ROOT / "docs" / "reliability.md"
ORDER = ["Racing writers", "Crashes", "Clock", "Tamper evidence", "Hostile input", "Authorization"]


def run_suite() -> int:
    targets = ["tests/faults"] + sorted(COUNTED_ELSEWHERE)
    env = {**os.environ, SCALE_ENV: "full", JSON_ENV: str(JSON_PATH)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "tests.faults.plugin", "-p", "no:cacheprovider", *targets]
    print("running:", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def render(data: dict, started: str | None = None, seconds: float | None = None) -> str:  # type: ignore[type-arg]
    rows = data["rows"]
    groups = sorted({r["group"] for r in rows}, key=lambda g: (ORDER.index(g) if g in ORDER else len(ORDER), g))
    total_tried = sum(r["tried"] for r in rows)
    total_lost = sum(r["lost"] for r in rows)
    total_through = sum(r["let_through"] for r in rows)
    pg = "yes" if os.environ.get("TDKT_TEST_POSTGRES_URL") else "no (PostgreSQL rows absent)"
    lines = [
        "# Reliability and security figures",
        "",
        "Produced by `python -m tests.faults.report` (or `bash deploy/local.sh faults`), which runs the",
        "fault suite `tests/faults/` at full size (`TDKT_FAULTS_SCALE=full`) together with the attacks",
        "already covered by the e2e and integration suites, and counts every fault injected or attack",
        "made. **Lost** = an acknowledged write missing or half-applied afterwards, or a broken",
        "invariant (state = fold(audit), version = audit length, chains verify, quotas within",
        "capacity); **let through** = an attack or race that got a result it must not (a second",
        "winner, a 500, a forged entry not named, a file stored, a page of another unit). The target",
        "for both is zero. The normal test command runs the same tests at small sizes.",
        "",
        *([f"- {data['then']}"] if data.get("then") else []),
        f"- Run: {started or data.get('started', '?')} on {platform.node()} ({platform.system()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores shared); PostgreSQL: {pg}",
        f"- Tests: {data['tests']} collected, {data['failed']} failed (pytest exit status {data['exitstatus']})"
        + (f"; {seconds / 60:.1f} min" if seconds else ""),
        f"- **Total: {total_tried} tried, {total_lost} lost, {total_through} let through**",
        "",
    ]
    for group in groups:
        lines += [f"## {group}", "", "| Fault or attack | Tried | Lost | Let through |", "|---|---:|---:|---:|"]
        for r in (r for r in rows if r["group"] == group):
            lines.append(f"| {r['fault']} | {r['tried']} | {r['lost']} | {r['let_through']} |")
        notes = [f"- {r['fault']}: {n}" for r in rows if r["group"] == group for n in r["notes"][:3]]
        failed = [f"- failed: `{t}`" for r in rows if r["group"] == group for t in r["failed_tests"][:3]]
        lines += [""] + notes + failed + ([""] if notes or failed else [])
    lines += [
        "## Not covered here, or known limits",
        "",
        "- A crash between the action's commit and the Idempotency-Key record's update leaves the key",
        "  \"in progress\" (409) for good (service/idempotency.py, by design: never act twice). The client",
        "  must read the resource to learn the outcome; the crash test does exactly that.",
        "- The audit chains prove order and content, not completeness at the tail: someone with write",
        "  access to the database who deletes the last entries of a chain *and* rolls the nomination",
        "  row back to match is not detected (no external anchor of chain heads yet).",
        "- A delivered e-mail whose \"sent\" mark was lost in a crash is left \"unknown\" for an admin",
        "  to check in the mail log (at most once, by design); the drain test requeues only those the",
        "  mail log shows undelivered.",
        "- The stateless schemathesis run of the OpenAPI schema (tests/e2e/test_schemathesis.py, no 5xx,",
        "  no schema violation) is part of the normal test command, not of this report's run (time on a",
        "  shared 2-core machine); the stateful (linked) run, tests/faults/test_stateful_api.py, is counted",
        "  above under Hostile input.",
        "- Web pages: this run's escaping check covers the documents (DOCX/PDF) and the JSON API; the",
        "  pages are checked in a real browser by tests/browser/test_free_text_is_inert.py (script and",
        "  onerror payloads typed into every free-text field, every page showing them: no element, no",
        "  dialog), part of the normal test command and not counted here.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = datetime.now(UTC)
    status = 0
    if "--render" not in argv:
        status = run_suite()
    data = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    seconds = None if "--render" in argv else (datetime.now(UTC) - t0).total_seconds()
    if "--render" not in argv:
        data["started"] = started
        data["seconds"] = seconds
        JSON_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render(data, data.get("started"), data.get("seconds")), encoding="utf-8")
    print(f"wrote {DOC_PATH.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
