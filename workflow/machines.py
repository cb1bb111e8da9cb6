"""Every state machine of the domain, by name, as a mermaid diagram (``tdkt diagram``)."""

from __future__ import annotations

from collections.abc import Callable

from workflow import cluster_year, council_session, nomination

MACHINES: dict[str, Callable[[], str]] = {
    "nomination": nomination.mermaid,
    "cluster_year": cluster_year.mermaid,
    "council_session": council_session.mermaid,
}
