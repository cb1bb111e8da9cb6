"""Request ids, structured JSON logs and request latency ("giám sát vận hành").

:class:`RequestContext` (pure ASGI middleware) gives every request an id — the caller's
``X-Request-ID`` if it is a sane token, a new one otherwise — returns it in the response header,
keeps it in a context variable while the request runs, observes the latency histogram by route
template, and writes one JSON access line with the request id and, where the route names one,
the nomination id. :class:`ContextFilter` adds both ids to every record logged meanwhile (e.g. the
write path's ``transition applied`` lines), so a request can be followed across the logs.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("tdkt_request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # never echo arbitrary header bytes into logs
_HANDLER_MARK = "_tdkt_json_handler"

access_log = logging.getLogger("tdkt.access")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        if not hasattr(record, "nomination_id"):
            record.nomination_id = None
        return True


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stdout for the ``tdkt`` loggers (once per process, however many apps)."""
    logger = logging.getLogger("tdkt")
    logger.setLevel(level.upper())
    if any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(nomination_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        timestamp=False,
    ))
    handler.addFilter(ContextFilter())
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.propagate = False


def _nomination_id(scope: Scope) -> int | None:
    value = (scope.get("path_params") or {}).get("nomination_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # the template, not the raw path
            metrics.REQUEST_SECONDS.labels(method=scope["method"], route=route, status=str(status)).observe(elapsed)
            access_log.info("request", extra={
                "method": scope["method"], "route": route, "path": scope.get("path"), "status": status,
                "duration_ms": round(elapsed * 1000, 2), "nomination_id": _nomination_id(scope),
            })
            REQUEST_ID.reset(token)
