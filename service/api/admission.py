"""Admitting at most as many requests at once as the database pool has connections.

FastAPI runs sync dependencies and endpoints in a pool of 40 threads, and a request takes its
database connection in one thread (the session dependency) and goes on in another (the endpoint).
With more requests in flight than connections, every thread can end up waiting for a connection
held by a request whose next step is waiting for a thread: nothing moves until the pool times out
and the requests fail (measured: 50 concurrent readers on SQLite, whose pool has one connection —
``bench/findings.md``). Admitting requests at the pool's capacity turns that into a queue.
"""

from __future__ import annotations

import asyncio
import weakref

from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Receive, Scope, Send

# Answered without the database: liveness and static files must not wait behind a queue of readers.
UNGATED_PREFIXES = ("/health", "/static/")


def pool_capacity(engine: Engine) -> int | None:
    """Connections the engine can hand out at once (``None``: no fixed limit)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    return pool.size() + max(pool._max_overflow, 0)  # noqa: SLF001  (no public accessor)


class AdmitAtPoolCapacity:
    """ASGI middleware: an HTTP request waits for one of ``capacity`` slots, held until its
    response is sent (the session is closed by then)."""

    def __init__(self, app: ASGIApp, capacity: int) -> None:
        self.app = app
        self.capacity = capacity
        # One semaphore per event loop: an asyncio primitive belongs to the loop it first waits on
        # (uvicorn has one loop per process; test clients may start several).
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.capacity)
        return gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGATED_PREFIXES):
            await self.app(scope, receive, send)
            return
        async with self._gate():
            await self.app(scope, receive, send)
