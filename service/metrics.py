"""Prometheus metrics of the engine ("số liệu giám sát"), with no web framework in sight.

* ``tdkt_transitions_total{action, outcome}`` — every call of the one write path
  (:func:`service.transitions.apply_event`), counted by :func:`counted_transition`: ``applied``
  or the snake_case name of the refusal (``transition_refused``, ``stale_version``, ``forbidden``…),
  a small closed set, so the label cannot explode.
* ``tdkt_http_request_duration_seconds{method, route, status}`` — observed by the API middleware
  (``service/api/observability.py``); ``route`` is the route template, never the raw path.
* ``tdkt_outbox_backlog{status}`` and ``tdkt_oldest_overdue_seconds`` — read from the database
  when ``/metrics`` is scraped (:func:`refresh_database_gauges`), so every API worker reports the
  same values whichever one is scraped.

Counters and histograms are per process: with several API workers, scrape each one (the
multi-process run uses one port per worker) and sum in Prometheus.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any, Callable, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from sqlmodel import Session, func, select

from service.models import Nomination, OutboxMessage, utcnow
from workflow.errors import WorkflowError
from workflow.nomination import FINAL_STATES

TRANSITIONS = Counter("tdkt_transitions", "Calls of the one write path, by action and outcome.", ["action", "outcome"])
REQUEST_SECONDS = Histogram(
    "tdkt_http_request_duration_seconds", "HTTP request latency by route template.", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOX_BACKLOG = Gauge("tdkt_outbox_backlog", "Outbox messages not delivered yet, by status.", ["status"])
OLDEST_OVERDUE = Gauge("tdkt_oldest_overdue_seconds", "Age of the oldest overdue step of a live nomination (0 if none).")

# Statuses that still need the outbox drain or an admin ("unknown": sent or not, check by hand).
BACKLOG_STATUSES = ("pending", "sending", "unknown")

log = logging.getLogger("tdkt.transitions")
F = TypeVar("F", bound=Callable[..., Any])


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "applied"
    if isinstance(exc, WorkflowError):
        name = type(exc).__name__
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return "error"


def counted_transition(fn: F) -> F:
    """Count each call of the write path by action and outcome, and log it with the nomination id
    (the request id is added by the API's logging filter)."""

    @functools.wraps(fn)
    def wrapper(session: Session, nomination_id: int, event: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(session, nomination_id, event, *args, **kwargs)
        except BaseException as exc:
            outcome = outcome_of(exc)
            TRANSITIONS.labels(action=event, outcome=outcome).inc()
            log.info("transition refused", extra={"nomination_id": nomination_id, "action": event, "outcome": outcome})
            raise
        TRANSITIONS.labels(action=event, outcome="applied").inc()
        log.info("transition applied", extra={"nomination_id": nomination_id, "action": event, "outcome": "applied",
                                              "state": result.state, "version": result.version})
        return result

    return wrapper  # type: ignore[return-value]


def refresh_database_gauges(session: Session, now: datetime | None = None) -> None:
    """Outbox backlog and the oldest overdue item, read now (indexed columns: status, due_at)."""
    now = now or utcnow()
    counts = dict(session.exec(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_(BACKLOG_STATUSES))  # type: ignore[attr-defined]
        .group_by(OutboxMessage.status)
    ).all())
    for status in BACKLOG_STATUSES:
        OUTBOX_BACKLOG.labels(status=status).set(counts.get(status, 0))
    # ORDER BY … LIMIT 1 rather than MIN(): the column keeps its type (aware UTC) on SQLite too.
    oldest = session.exec(
        select(Nomination.due_at).where(
            Nomination.due_at < now, Nomination.state.not_in(sorted(FINAL_STATES)))  # type: ignore[operator, attr-defined]
        .order_by(Nomination.due_at).limit(1)  # type: ignore[arg-type]
    ).first()
    OLDEST_OVERDUE.set((now - oldest).total_seconds() if oldest is not None else 0)
