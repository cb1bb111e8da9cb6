"""Stateful schemathesis run of the OpenAPI schema: sequences of calls where later calls reuse
what earlier ones returned (a created nomination's id, a campaign's id, …), following the links
schemathesis infers between operations. Checks on every call: no 5xx, and the response conforms
to the schema (status code, content type, headers, body).

Sizes: a few short scenarios in the normal test command, more and longer ones with
``TDKT_FAULTS_SCALE=full``. Every call made is counted in the report (``docs/reliability.md``).
Each scenario starts from the demo database (one per kind of database, restored from its
snapshot), so a failing sequence replays the same way when hypothesis shrinks it.
"""

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
from tests.faults.plugin import Tally, size

GROUP = "Hostile input"
FAULT = "Stateful API call sequences (schemathesis, linked operations): 5xx or schema violation"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]

# Built at import (no database needed); pointed at the test's demo database before any call.
APP = create_app(create_engine("sqlite://"))  # replaced below, never connected
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
Machine = schema.as_state_machine()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stateful_engine(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("stateful") / "tdkt.db"
        shutil.copy(sqlite_template, db)
        eng = make_engine(f"sqlite:///{db}")
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
    yield put_demo(eng)
    eng.dispose()


def test_the_machine_follows_links_between_operations() -> None:
    # Without links every call would be independent and this would be the stateless run again.
    links = [name for name in vars(Machine) if "__" in name and not name.startswith(("_", "RANDOM"))]
    assert any(name.startswith("POST_nominations___201") for name in links), links[:20]


@pytest.mark.parametrize("user", ["admin", "cb.sogddt", "cum7.truong"])
def test_stateful_call_sequences_get_no_5xx_and_conform_to_the_schema(
    user: str, stateful_engine: Engine, tally: Tally
) -> None:
    APP.state.engine = stateful_engine
    token, _ = issue_token(user, get_api_settings())
    calls: list[tuple[str, int]] = []
    linked = 0  # calls whose parameters came from an earlier response through a link

    class Run(Machine):  # type: ignore[valid-type, misc]
        def setup(self) -> None:
            # Each scenario starts from the demo: hypothesis replays choice sequences while it
            # explores and shrinks, and a database changed by earlier scenarios would answer a
            # replay differently ("inconsistent data generation") instead of reproducing it.
            put_demo(stateful_engine)

        def step(self, input: Any) -> Any:  # noqa: A002 - schemathesis' name
            nonlocal linked
            if input.transition is not None and input.applied_parameters:
                linked += 1
            return super().step(input)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response: Any, case: Any) -> None:
            calls.append((f"{case.method.upper()} {case.path}", response.status_code))

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    try:
        Run.run(settings=settings(
            max_examples=size(4, 50), stateful_step_count=size(6, 15), deadline=None,
            suppress_health_check=list(HealthCheck), derandomize=True,
        ))
    except BaseException as exc:
        tally.tried(GROUP, FAULT, len(calls))
        tally.let_through(GROUP, FAULT, note=f"{user} on {stateful_engine.dialect.name}: {str(exc)[:300]}")
        raise
    tally.tried(GROUP, FAULT, len(calls))
    reached = {op for op, _ in calls}
    statuses: dict[int, int] = {}
    for _, status in calls:
        statuses[status] = statuses.get(status, 0) + 1
    tally.note(GROUP, FAULT, f"{user} on {stateful_engine.dialect.name}: {len(calls)} calls over {len(reached)} operations, {linked} reusing an earlier "
                             f"response's values; statuses {dict(sorted(statuses.items()))}")
    assert calls, "the state machine made no call"
