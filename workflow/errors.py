"""Typed domain errors. Each carries a Vietnamese and an English message for the user."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(message_en)


class TransitionRefused(WorkflowError):
    """The event is not allowed in the current state (or its guard refused it)."""

    def __init__(self, state: str, event: str, message_vi: str, message_en: str) -> None:
        self.state = state
        self.event = event
        super().__init__(message_vi, message_en)


class ReasonRequired(TransitionRefused):
    """The step needs a written reason (return, rejection, withdrawal, revocation…)."""


class UnknownState(WorkflowError):
    """A stored state value that the machine does not know (corrupt or foreign data)."""
