"""Many readers at once against a real uvicorn on the embedded SQLite database: every request is
answered, none fails waiting for the single connection (service/api/admission.py).

Without the admission gate, 50 concurrent readers deadlocked FastAPI's 40 threads against the
one-connection SQLite pool until the pool timed out and answered 500 (bench/findings.md)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from service.api.admission import pool_capacity
from service.db import make_engine
from service.demo import DEMO_PASSWORD
from service.web.live import demo_server

READERS = 60  # more than the thread pool (40) and far more than SQLite's one connection


async def _read_all(base: str, tokens: list[str]) -> Counter[int]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        async def one(i: int) -> int:
            token = tokens[i % len(tokens)]
            response = await client.get("/nominations", params={"limit": 50}, headers={"Authorization": f"Bearer {token}"})
            return response.status_code

        return Counter(await asyncio.gather(*(one(i) for i in range(READERS))))


def test_sixty_concurrent_readers_are_all_answered_on_sqlite(tmp_path: Path) -> None:
    assert pool_capacity(make_engine(f"sqlite:///{tmp_path / 'probe.db'}")) == 1
    with demo_server(tmp_path) as base:
        tokens = [
            httpx.post(f"{base}/auth/token", data={"username": name, "password": DEMO_PASSWORD}).json()["access_token"]
            for name in ("ban.tdkt", "cb.sogddt", "cum7.truong")
        ]
        statuses = asyncio.run(_read_all(base, tokens))
    assert statuses == Counter({200: READERS}), statuses
