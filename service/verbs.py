"""Firing an action by name: maps what a caller gives (reason, outcome, tally, document number…)
to the keyword arguments of the action's verb in :mod:`service.nominations`.

The API and the CLI both go through :func:`perform`, so an action that carries extra rules in its
verb (the eligibility check at submission, the quota place taken when a cluster honours a unit,
the decision record of a signature) is never fired around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlmodel import Session

from service import nominations as verbs
from service.actors import Actor
from service.errors import InvalidInput
from service.models import Nomination
from workflow.nomination import EVENT_LABELS


@dataclass(frozen=True)
class ActionInput:
    """Everything an action may need; which fields apply depends on the action."""

    reason: str | None = None
    passed: bool | None = None  # outcome of a ballot, consultation, notice or central decision
    tally: dict[str, int] | None = None
    bodies: list[str] | None = None
    opinions: dict[str, str] | None = None
    note: str | None = None
    document_number: str | None = None
    signed_on: date | None = None
    signer: str | None = None


def _outcome(given: ActionInput, action: str) -> bool:
    if given.passed is None:
        vi, en = EVENT_LABELS[action]
        raise InvalidInput(f"Thao tác «{vi}» cần trường passed (true/false).", f"'{en}' needs the field passed (true/false).")
    return given.passed


def _signature(given: ActionInput, action: str) -> dict[str, Any]:
    missing = [f for f in ("document_number", "signed_on", "signer") if getattr(given, f) is None]
    if missing:
        vi, en = EVENT_LABELS[action]
        raise InvalidInput(f"Thao tác «{vi}» cần {', '.join(missing)}.", f"'{en}' needs {', '.join(missing)}.")
    return {"signed_on": given.signed_on, "signer": given.signer}


ACTIONS: dict[str, Callable[[ActionInput], dict[str, Any]]] = {
    "submit": lambda g: {},
    "endorse": lambda g: {},
    "open_cluster_review": lambda g: {},
    "receive": lambda g: {},
    "start_appraisal": lambda g: {},
    "send_to_council": lambda g: {},
    "submit_for_signature": lambda g: {},
    "send_back": lambda g: {"reason": g.reason or ""},
    "return_for_completion": lambda g: {"reason": g.reason or ""},
    "reject": lambda g: {"reason": g.reason or ""},
    "decline": lambda g: {"reason": g.reason or ""},
    "withdraw": lambda g: {"reason": g.reason or ""},
    "expire": lambda g: {"reason": g.reason or ""},
    "resubmit": lambda g: {"note": g.note},
    "request_consultation": lambda g: {"bodies": g.bodies or []},
    "publish_notice": lambda g: {"where": g.note},
    "record_cluster_result": lambda g: {"honoured": _outcome(g, "record_cluster_result"), "reason": g.reason, "tally": g.tally},
    "record_consultation": lambda g: {"favourable": _outcome(g, "record_consultation"), "reason": g.reason, "opinions": g.opinions},
    "close_notice": lambda g: {"objection_upheld": not _outcome(g, "close_notice"), "reason": g.reason},
    "record_council_result": lambda g: {"passed": _outcome(g, "record_council_result"), "reason": g.reason, "tally": g.tally},
    "decide": lambda g: {"decision_number": g.document_number, **_signature(g, "decide")},
    "forward": lambda g: {"submission_number": g.document_number, **_signature(g, "forward")},
    "record_central_result": lambda g: (
        {"approved": True, "decision_number": g.document_number, **_signature(g, "record_central_result")}
        if _outcome(g, "record_central_result") else {"approved": False, "reason": g.reason}
    ),
    "revoke": lambda g: {"reason": g.reason or "", "decision_number": g.document_number, **_signature(g, "revoke")},
}
assert set(ACTIONS) == set(EVENT_LABELS), "every machine event needs a verb mapping"


def perform(
    session: Session, nomination_id: int, action: str, *, actor: Actor, given: ActionInput,
    expected_version: int | None = None,
) -> Nomination:
    if action not in ACTIONS:
        raise InvalidInput(f"Không có thao tác «{action}».", f"There is no action {action!r}.")
    verb = getattr(verbs, action)
    return verb(session, nomination_id, actor=actor, expected_version=expected_version, **ACTIONS[action](given))
