"""Deadline reminders ("nhắc hạn"): queue one outbox message per step, offset and role."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from sqlmodel import Session

from service.db import default_engine
from service.reminders import queue_deadline_reminders


@flow(name="deadline-reminders", retries=2, retry_delay_seconds=60)
def deadline_reminders(now: datetime | None = None) -> int:
    """Queue reminders at the configured working-day offsets; re-running queues nothing new."""
    with Session(default_engine()) as session:
        queued = queue_deadline_reminders(session, now=now)
    get_run_logger().info("queued %d reminders", queued)
    return queued
