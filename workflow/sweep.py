"""What happens when a step's deadline passes ("quá hạn"), by state.

A draft not sent by the filing deadline, or a returned dossier not completed in time, expires;
a public-notice window closes when its time is up; any other overdue step is escalated to the
next responsible person (who that is comes from config/escalation.yaml).
"""

from __future__ import annotations

from typing import Literal

Outcome = Literal["expire", "close_notice", "escalate"]

_AUTOMATIC: dict[str, Outcome] = {
    "draft": "expire",
    "awaiting_unit_head": "expire",
    "returned": "expire",
    "in_public_notice": "close_notice",
}


def when_overdue(state: str) -> Outcome:
    return _AUTOMATIC.get(state, "escalate")


EXPIRY_REASON = (
    "Quá hạn {deadline} mà hồ sơ chưa được gửi đi; hồ sơ hết hiệu lực (có thể lập hồ sơ mới nếu đợt còn mở).",
    "Past its deadline of {deadline} without being sent on; the nomination expired.",
)
