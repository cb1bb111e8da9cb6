"""The ``Prefer`` request header (RFC 7240) for the write routes.

``Prefer: return=minimal`` asks for the nomination's own fields (what a list item holds: state,
version, labels) instead of the full detail (timeline, attachments, documents, overlaps, next
actions, clock). A client that drives many actions — a batch import, a scanner at the board's
desk — needs only the new version for its next ``If-Match``, and the detail costs four more
reads per action. The default stays ``return=representation``: the full detail."""

from __future__ import annotations

MINIMAL = "return=minimal"


def wants_minimal(prefer: str | None) -> bool:
    """Whether ``Prefer`` asks for ``return=minimal`` (among other preferences, any case; the
    value may be quoted). Unknown preferences are ignored, as RFC 7240 §2 asks."""
    if not prefer:
        return False
    for item in prefer.split(","):
        name, _, value = item.split(";", 1)[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
            return True
    return False
