"""What a served application does at start-up (uvicorn's lifespan)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI


@contextlib.asynccontextmanager
async def frozen_start_up(app: FastAPI) -> AsyncIterator[None]:
    """Leave what start-up built (modules, routes, the catalogue: ~190k objects) out of the
    garbage collector's sweeps. A full sweep walked them all and stopped every request for
    100-400 ms at random (workload 4: the p99 of every page, even an empty one, was such a
    pause); frozen, a sweep walks only what requests made since."""
    gc.collect()
    gc.freeze()
    yield
