"""The FastAPI application: ``create_app()`` (uvicorn factory, ``tdkt serve``)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from service.api import errors
from service.api.routes import admin, auth, decisions, eligibility, nominations, reference
from service.db import default_engine

DESCRIPTION = """
API of **tdkt**, the award-nomination workflow of Hà Nội's emulation and commendation system
("thi đua, khen thưởng"). Sign in with `POST /auth/token` (the *Authorize* button), then act on
nominations with `POST /nominations/{id}/actions/{action}`. Every error has the same shape:
`{"error": {"code", "message_vi", "message_en", "details"}}`.
"""


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(title="tdkt", version="0.1.0", description=DESCRIPTION)
    app.state.engine = engine or default_engine()
    errors.install(app)
    for router in (auth.router, nominations.router, nominations.attachments_router, reference.router,
                   eligibility.router, decisions.router, admin.router):
        app.include_router(router)
    return app
