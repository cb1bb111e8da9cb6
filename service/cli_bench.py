"""``tdkt bench``: the benchmark workloads of ``bench/`` (issue 8), the same as ``python -m bench``."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Benchmarks: run the workloads of bench/ and write docs/benchmarks.md.", no_args_is_help=True)


@app.command("run")
def run(
    size: str = typer.Option("tiny", help="tiny (seconds) | small | full (the issue's scale)"),
    only: str = typer.Option("", help="workloads to run, e.g. 1,3 (default: all)"),
    db: str = typer.Option("", help="databases: sqlite,postgresql (default: both)"),
    sizes: str = typer.Option("", help="per-workload sizes overriding --size, e.g. 3=full,4=full"),
    out: Path = typer.Option(Path("docs/benchmarks.md"), help="the report to write"),
) -> None:
    """Run the workloads (each in its own process) and write the report."""
    from bench.runner import run_all

    run_all(size, {w for w in only.split(",") if w} or None, {d for d in db.split(",") if d} or None, out,
            echo=typer.echo, overrides=dict(i.split("=", 1) for i in sizes.split(",") if i.strip()))
