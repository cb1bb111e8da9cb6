"""Serve every flow as a scheduled deployment (``python -m flows.serve``); runs until stopped.

Needs a Prefect server (PREFECT_API_URL); ``tdkt up`` starts one and this process beside it."""

from __future__ import annotations

from prefect import serve

from flows.registry import deployments


def main() -> None:
    serve(*deployments(), print_starting_message=True)


if __name__ == "__main__":
    main()
