"""Readiness and metrics for operators ("vận hành"): ``/ready`` and ``/metrics``.

``/health`` (in ``admin.py``) says the process is alive; ``/ready`` says it can do its work: the
database answers and, when ``TDKT_PREFECT_API_URL`` is set, so does the Prefect API (the flows
and the deployment runs the API may start). A load balancer sends traffic only to ready workers.

``/metrics`` is public, like ``/health``: the Prometheus convention is to scrape it on the private
network, not through the public proxy (deploy/README.md says to block it there).
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from config.settings import get_settings
from service import metrics
from service.api.deps import SessionDep
from service.api.errors import ErrorResponse, error_response

router = APIRouter(tags=["health"])
PREFECT_TIMEOUT_SECONDS = 2.0


def _prefect_check() -> str:
    url = get_settings().prefect_api_url
    if not url:
        return "not configured"
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=PREFECT_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok" if response.status_code == 200 else f"HTTP {response.status_code}"


@router.get("/ready", responses={503: {"model": ErrorResponse}})
def ready(session: SessionDep) -> Any:
    """Readiness: 200 when the database and the Prefect API answer, 503 (one error shape) otherwise."""
    checks: dict[str, str] = {}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["prefect"] = _prefect_check()
    failing = {k: v for k, v in checks.items() if v not in ("ok", "not configured")}
    if failing:
        names = ", ".join(failing)
        return error_response(503, "not_ready", f"Hệ thống chưa sẵn sàng: không kết nối được {names}.",
                              f"Not ready: {names} not reachable.", {"checks": checks})
    return {"status": "ready", "checks": checks}


@router.get("/metrics", response_class=Response)
def prometheus_metrics(session: SessionDep) -> Response:
    """Prometheus text format: request latency, transitions, outbox backlog, oldest overdue item."""
    metrics.refresh_database_gauges(session)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
