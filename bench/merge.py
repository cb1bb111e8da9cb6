"""``python -m bench.merge docs/benchmarks.md OTHER.json…``: fold the results of separate runs
(e.g. the 1M-row sweep run on its own) into a report: each (workload, database) of a later file
replaces the report's, and the report lists every command that contributed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.report import write_report
from bench.runner import WORKLOADS


def merge(out: Path, others: list[Path]) -> None:
    twin = out.with_suffix(".json")
    report = json.loads(twin.read_text())
    order = {w.key: i for i, w in enumerate(WORKLOADS)}
    for path in others:
        other = json.loads(path.read_text())
        done = {(r["workload"], r["database"]) for r in other["results"]}
        report["results"] = sorted([r for r in report["results"] if (r["workload"], r["database"]) not in done] + other["results"],
                                   key=lambda r: (order.get(r["workload"], 99), r["database"]))
        report.setdefault("later_runs", []).append(
            f"`{other['command']}` (finished {other['machine']['when']}, load average when it ended "
            f"{', '.join(str(x) for x in other['machine'].get('load_average_at_end', other['machine'].get('load_average_at_start', [])))}) replaced the rows of "
            + ", ".join(f"workload {w} on {d}" for w, d in sorted(done)))
    twin.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    write_report(report, out)


if __name__ == "__main__":
    merge(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
