"""Outbox drain ("gửi thư báo"): send queued e-mail over SMTP, with retries and backoff."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from service.db import default_engine
from service.outbox import drain_outbox as drain


@flow(name="outbox-drain", retries=0)
def outbox_drain(now: datetime | None = None) -> dict[str, object]:
    """Send what is due (as of ``now``, default the current time). Retries are per message
    (recorded in the outbox), not per flow run, so a failed run never resends what an earlier
    attempt delivered."""
    report = drain(default_engine(), now=now)
    get_run_logger().info(report.summary())
    if report.unknown or report.failed:
        create_table_artifact(
            key="outbox-attention",
            table=[{"outbox_id": i, "status": "unknown (check delivery)"} for i in report.unknown]
            + [{"outbox_id": i, "status": f"failed: {report.errors.get(i, '')}"} for i in report.failed],
            description="Thư cần quản trị viên kiểm tra / messages needing an admin's check",
        )
    return report.as_dict()
