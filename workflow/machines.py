"""Every state machine of the domain, by name, as a mermaid diagram (``tdkt diagram``)."""

from __future__ import annotations

from typing import Callable

from workflow import nomination

# Cluster-year and council-session machines join this table when they are built (issue 3).
MACHINES: dict[str, Callable[[], str]] = {
    "nomination": nomination.mermaid,
}
