"""``python -m bench``: run the benchmark workloads and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.runner import DEFAULT_OUT, run_all


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", default="tiny", help="tiny (seconds, CI) | small | full (the issue's scale)")
    parser.add_argument("--only", default="", help="workloads to run, e.g. 1,3 (default: all)")
    parser.add_argument("--db", default="", help="databases: sqlite,postgresql (default: both)")
    parser.add_argument("--sizes", default="", help="per-workload sizes overriding --size, e.g. 3=full,4=full")
    parser.add_argument("--merge", action="store_true", help="replace only these results in the existing report")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="the report to write (markdown)")
    args = parser.parse_args(argv)
    only = {w.strip() for w in args.only.split(",") if w.strip()} or None
    dbs = {d.strip() for d in args.db.split(",") if d.strip()} or None
    overrides = dict(item.split("=", 1) for item in args.sizes.split(",") if item.strip())
    run_all(args.size, only, dbs, Path(args.out), overrides=overrides, merge=args.merge)


if __name__ == "__main__":
    main()
