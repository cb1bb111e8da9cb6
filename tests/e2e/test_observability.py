"""Operators' view of the API: request ids in JSON logs, readiness, Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Callable
from datetime import timezone

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, func, select

from config.settings import get_settings
from service.metrics import BACKLOG_STATUSES
from service.models import Nomination, OutboxMessage, utcnow
from workflow.nomination import FINAL_STATES


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def json_log() -> Callable[[], list[dict]]:
    """The JSON lines the ``tdkt`` handler writes during the test."""
    handler = next(h for h in logging.getLogger("tdkt").handlers if getattr(h, "_tdkt_json_handler", False))
    buffer = io.StringIO()
    old = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(old)  # type: ignore[attr-defined]


def received(db: Session) -> Nomination:
    return db.exec(select(Nomination).where(Nomination.state == "received").order_by(Nomination.id)).first()  # type: ignore[return-value]


def test_request_id_and_nomination_id_reach_the_json_logs(client: TestClient, login, db: Session, json_log) -> None:  # type: ignore[no-untyped-def]
    n = received(db)
    db.commit()
    headers = {**login("ban.tdkt"), "X-Request-ID": "req-7-abc", "If-Match": f'"v{n.version}"'}
    r = client.post(f"/nominations/{n.id}/actions/start_appraisal", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["X-Request-ID"] == "req-7-abc"
    lines = [line for line in json_log() if line.get("request_id") == "req-7-abc"]
    access = [line for line in lines if line["logger"] == "tdkt.access"]
    assert access and access[0]["nomination_id"] == n.id and access[0]["status"] == 200
    assert access[0]["route"] == "/nominations/{nomination_id}/actions/{action}"
    transition = [line for line in lines if line["logger"] == "tdkt.transitions"]
    assert transition == [{**transition[0], "message": "transition applied", "nomination_id": n.id, "action": "start_appraisal",
                           "state": "in_appraisal", "outcome": "applied"}]
    # A header that is not a sane token is replaced by a fresh id, never echoed into the logs.
    r = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["X-Request-ID"] != "bad id\twith spaces" and len(r.headers["X-Request-ID"]) == 32


def test_metrics_count_transitions_by_action_and_outcome(client: TestClient, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    n = received(db)
    db.commit()
    before = scrape(client)
    board = login("ban.tdkt")
    assert client.post(f"/nominations/{n.id}/actions/decide", headers=board, json={}).status_code in (403, 409, 422)
    assert client.post(f"/nominations/{n.id}/actions/start_appraisal", headers=board).status_code == 200
    assert client.post(f"/nominations/{n.id}/actions/start_appraisal", headers=board).status_code == 409
    after = scrape(client)
    delta = lambda name, **labels: sample(after, name, **labels) - sample(before, name, **labels)  # noqa: E731
    assert delta("tdkt_transitions_total", action="start_appraisal", outcome="applied") == 1
    assert delta("tdkt_transitions_total", action="start_appraisal", outcome="transition_refused") == 1
    route = "/nominations/{nomination_id}/actions/{action}"
    assert delta("tdkt_http_request_duration_seconds_count", method="POST", route=route, status="200") == 1
    assert delta("tdkt_http_request_duration_seconds_count", method="POST", route=route, status="409") >= 1


def test_metrics_report_outbox_backlog_and_oldest_overdue_from_the_database(client: TestClient, db: Session) -> None:
    samples = scrape(client)
    now = utcnow()
    for status in BACKLOG_STATUSES:
        expected = db.exec(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)).one()
        assert sample(samples, "tdkt_outbox_backlog", status=status) == expected
    assert sample(samples, "tdkt_outbox_backlog", status="pending") > 0  # the demo's actions queued mail
    oldest = db.exec(select(Nomination.due_at).where(Nomination.due_at < now, Nomination.state.not_in(sorted(FINAL_STATES)))  # type: ignore[operator, attr-defined]
                     .order_by(Nomination.due_at)).first()  # type: ignore[arg-type]
    age = sample(samples, "tdkt_oldest_overdue_seconds")
    if oldest is None:
        assert age == 0
    else:
        expected_age = (now - oldest.astimezone(timezone.utc)).total_seconds()
        assert expected_age - 60 <= age <= expected_age + 1  # read a moment before the test's own clock


def test_ready_checks_the_database_and_the_prefect_api(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TDKT_PREFECT_API_URL", raising=False)
    get_settings.cache_clear()
    r = client.get("/ready")
    assert r.status_code == 200 and r.json() == {"status": "ready", "checks": {"database": "ok", "prefect": "not configured"}}
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    monkeypatch.setenv("TDKT_PREFECT_API_URL", f"http://127.0.0.1:{dead}/api")
    get_settings.cache_clear()
    try:
        r = client.get("/ready")
    finally:
        monkeypatch.delenv("TDKT_PREFECT_API_URL")
        get_settings.cache_clear()
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "not_ready" and "prefect" in error["message_en"]
    assert error["details"]["checks"]["database"] == "ok" and error["details"]["checks"]["prefect"].startswith("unreachable")
