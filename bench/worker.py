"""Child process of the runner: ``python -m bench.worker MODULE SIZE DATABASE OUT.json``.

Runs one workload's ``run(size, database)`` and writes its result with the process's peak
resident memory, so memory is measured per workload, not for the whole run."""

from __future__ import annotations

import importlib
import json
import signal
import sys
from pathlib import Path

from bench.common import SIZES, peak_rss_mib


def main() -> None:
    # Stopped (SIGTERM): unwind, so the throw-away database is dropped and servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    module, size, database, out = sys.argv[1:5]
    result = importlib.import_module(module).run(SIZES[size], database)
    data = result.as_dict()
    data["peak_rss_mib"] = peak_rss_mib()
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
