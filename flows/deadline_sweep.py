"""Deadline sweep ("rà soát hạn xử lý"): expire, close notice windows, escalate — from DB state."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from service.db import default_engine
from service.sweeps import sweep_deadlines


@flow(name="deadline-sweep", retries=2, retry_delay_seconds=60, log_prints=False)
def deadline_sweep(now: datetime | None = None) -> dict[str, list[int]]:
    """Act on every overdue step, open ballots due to open and close those due to close. Safe to run twice; a sweep that
    missed days catches up."""
    report = sweep_deadlines(default_engine(), now=now)
    rows = (
        [{"nomination": i, "outcome": "expired"} for i in report.expired]
        + [{"nomination": i, "outcome": "notice closed"} for i in report.notices_closed]
        + [{"nomination": i, "outcome": "escalated"} for i in report.escalated]
        + [{"nomination": "—", "outcome": f"cluster ballot #{i} opened on schedule"} for i in report.ballots_opened]
        + [{"nomination": "—", "outcome": f"cluster ballot #{i} closed and counted"} for i in report.ballots_closed]
        + [{"nomination": i, "outcome": f"skipped: {why}"} for i, why in report.skipped]
    )
    create_table_artifact(key="deadline-sweep", table=rows or [{"nomination": "—", "outcome": "nothing due"}],
                          description="Hồ sơ quá hạn đã xử lý trong lần rà soát này / overdue steps acted on")
    get_run_logger().info("sweep: %d expired, %d notices closed, %d escalated, %d skipped",
                          len(report.expired), len(report.notices_closed), len(report.escalated), len(report.skipped))
    return {"expired": report.expired, "notices_closed": report.notices_closed, "escalated": report.escalated,
            "ballots_opened": report.ballots_opened, "ballots_closed": report.ballots_closed}
