"""The served application freezes what start-up built out of the garbage collector's sweeps
(service/api/lifespan.py: a full sweep paused every request for 100-400 ms); an application a test
builds around its own engine leaves the collector alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from service.api.app import create_app
from service.db import reset_default_engine


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # this test process keeps collecting everything


@pytest.fixture
def served_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TDKT_DATABASE_URL", f"sqlite:///{tmp_path / 'tdkt.db'}")
    reset_default_engine()
    yield
    reset_default_engine()


def test_the_served_app_freezes_its_start_up_objects(unfrozen: None, served_database: None) -> None:
    app = create_app()  # as uvicorn's factory calls it
    assert gc.get_freeze_count() == 0
    with TestClient(app):  # runs the start-up
        frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules, routes and catalogue, not a handful of objects


def test_an_app_on_a_given_engine_leaves_the_collector_alone(unfrozen: None) -> None:
    with TestClient(create_app(create_engine("sqlite://"))):
        assert gc.get_freeze_count() == 0
