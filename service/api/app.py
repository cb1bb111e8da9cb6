"""The FastAPI application: ``create_app()`` (uvicorn factory, ``tdkt serve``)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api import admission, errors, observability
from service.api.lifespan import frozen_start_up
from service.api.routes import (
    admin,
    auth,
    campaigns,
    certificates,
    cluster_years,
    council_sessions,
    decisions,
    documents,
    eligibility,
    exports,
    nominations,
    ops,
    reference,
    reviews,
    spreadsheets,
    statistics,
)
from service.api.routes import rulesets as ruleset_routes
from service.db import default_engine
from service import web

DESCRIPTION = """
API of **tdkt**, the award-nomination workflow of Hà Nội's emulation and commendation system
("thi đua, khen thưởng"). Sign in with `POST /auth/token` (the *Authorize* button), then act on
nominations with `POST /nominations/{id}/actions/{action}`. Every error has the same shape:
`{"error": {"code", "message_vi", "message_en", "details"}}`.
"""


class RefuseNulInQuery:
    """A NUL character (``%00``) in a query parameter is bad input (422), not a database error
    (PostgreSQL cannot compare text holding U+0000)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope.get("query_string", b""):
            response = errors.error_response(
                422, "invalid_request", "Tham số truy vấn không được chứa ký tự NUL (%00).",
                "Query parameters must not contain the NUL character (%00).",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(engine: Engine | None = None) -> FastAPI:
    """The application. Called with no engine it is uvicorn's factory in a server process (its
    engine from the settings, its start-up objects frozen out of the garbage collector); tests
    pass their engine and keep the collector as it is (freezing in a long test process would
    keep every later-dropped app alive)."""
    app = FastAPI(title="tdkt", version="0.1.0", description=DESCRIPTION,
                  lifespan=frozen_start_up if engine is None else None)
    app.state.engine = engine or default_engine()
    errors.install(app)
    app.add_middleware(RefuseNulInQuery)
    capacity = admission.pool_capacity(app.state.engine)
    if capacity is not None:  # more requests in flight than connections can deadlock the thread pool
        app.add_middleware(admission.AdmitAtPoolCapacity, capacity=capacity)
    app.add_middleware(observability.RequestContext)  # outermost: ids and latency for every answer
    observability.configure_logging()
    routers = (
        auth.router,
        nominations.router,
        nominations.attachments_router,
        reference.router,
        eligibility.router,
        decisions.router,
        admin.router,
        ops.router,
        ruleset_routes.router,
        cluster_years.router,  # the cluster's year: scoring, honouring ballot, minutes
        council_sessions.router,
        documents.router,  # produced documents, scoped like their nomination
        reviews.router,  # revocation consequences: titles and review tasks
        certificates.router,
        exports.router,
        spreadsheets.router,
        statistics.router,
        campaigns.router,
    )
    for router in routers:
        app.include_router(router)
    web.install(app)  # the server-rendered pages (/web/…, /static/…)
    return app
