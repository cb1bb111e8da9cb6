"""Property-based run of the OpenAPI schema (schemathesis): every operation, a bounded number of
generated requests, signed in as an admin, a unit's submitter and the demo cluster's head; no 5xx, and every response
conforms to the schema (status code, content type, headers, body).

The generated requests change data at random, so they share one demo database per kind of
database for the whole module (fresh data per case is not the point here; the API must hold
whatever state the previous cases left)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from service.api.app import create_app
from service.api.security import issue_token
from service.api.settings import get_api_settings
from service.db import make_engine
from tests.e2e.conftest import put_demo

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]

# The schema is read at import (building it needs no database); the app is pointed at the demo
# database of the running test before any generated request.
APP = create_app(create_engine("sqlite://"))  # replaced below, never connected
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def schema_engine(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One demo database per kind for the module (the integration fixtures' template and server)."""
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("schemathesis") / "tdkt.db"
        shutil.copy(sqlite_template, db)
        eng = make_engine(f"sqlite:///{db}")
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
    yield put_demo(eng)
    eng.dispose()


@pytest.fixture(autouse=True)
def _app_on_demo_database(schema_engine: Engine) -> None:
    APP.state.engine = schema_engine


@schema.parametrize()
@pytest.mark.parametrize("user", ["admin", "cb.sogddt", "cum7.truong"])  # the cluster head reaches the year's writes
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_conforms_to_its_schema(case: Any, user: str) -> None:
    # A token as POST /auth/token issues it (signing in is covered by the other e2e tests, and
    # an argon2 check per operation would only cost time).
    token, _ = issue_token(user, get_api_settings())
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
