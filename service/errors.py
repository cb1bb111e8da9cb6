"""Errors the service raises on purpose. Each says, in Vietnamese and English, what went wrong
with which nomination and what to do next; entrypoints map them to HTTP statuses / exit codes."""

from __future__ import annotations

from workflow.errors import WorkflowError


class ServiceError(WorkflowError):
    http_status = 400
    # Facts an API client can act on (e.g. the current state and version), shown as "details".
    details: dict = {}


class NotFound(ServiceError):
    http_status = 404


class Forbidden(ServiceError):
    http_status = 403


class InvalidInput(ServiceError):
    http_status = 422


class StaleVersion(ServiceError):
    """Someone else changed the nomination since the caller read it."""

    http_status = 409

    def __init__(self, nomination_id: int, expected: int, current: int, state: str) -> None:
        self.nomination_id = nomination_id
        self.expected = expected
        self.current = current
        self.state = state
        super().__init__(
            f"Hồ sơ #{nomination_id} vừa được người khác cập nhật (phiên bản {current}, bạn đang xem "
            f"phiên bản {expected}). Hãy tải lại hồ sơ rồi thực hiện lại.",
            f"Nomination #{nomination_id} was changed by someone else (version {current}; you had "
            f"version {expected}). Reload it and try again.",
        )


class NotEligible(InvalidInput):
    """The nominee does not meet the award's conditions; ``findings`` lists each unmet one."""

    def __init__(self, message_vi: str, message_en: str, findings: list) -> None:
        self.findings = findings
        super().__init__(message_vi, message_en)


class Conflict(ServiceError):
    """The request clashes with the current state of something other than a nomination's version."""

    http_status = 409


class NotAVoter(Forbidden):
    """The actor may not vote in this ballot (not a member unit of the cluster, not a council member)."""


class AlreadyVoted(Conflict):
    """The voter already cast its paper in this ballot; a second paper is refused."""


class QuotaExceeded(Conflict):
    """Proposing would go beyond the award's quota; ``capacity`` and ``uses`` say what holds it."""

    def __init__(self, message_vi: str, message_en: str, *, capacity: int, uses: list[dict]) -> None:
        self.capacity = capacity
        self.uses = uses
        super().__init__(message_vi, message_en)


class NotADraft(Conflict):
    """Only a draft can be edited; the nomination has moved on."""

    def __init__(self, nomination_id: int, state: str, version: int, state_vi: str, state_en: str) -> None:
        self.details = {"nomination_id": nomination_id, "current_state": state, "current_version": version}
        super().__init__(
            f"Hồ sơ #{nomination_id} đang «{state_vi}»; chỉ dự thảo mới sửa được.",
            f"Nomination #{nomination_id} is {state_en.lower()}; only drafts can be edited.",
        )
