"""The statutory clock ("thời hạn giải quyết"): working days used and left on a step, and the
pause while a dossier is returned to its unit ("tạm dừng tính thời hạn khi trả hồ sơ").

Pure functions over :class:`workflow.calendar.WorkingCalendar`; the service stores the due time
and records pauses in the audit trail, so the clock is rebuilt from data, never from memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.calendar import WorkingCalendar

# While a dossier is in one of these states the step's clock stands still; it resumes with the
# working days that were left when the dossier comes back.
PAUSING_STATES: frozenset[str] = frozenset({"returned"})


@dataclass(frozen=True)
class StepProgress:
    used: int  # working days elapsed since the step started
    left: int  # working days until the due date (negative when overdue)

    @property
    def overdue(self) -> bool:
        return self.left < 0


def remaining_days(calendar: WorkingCalendar, today: date, due: date) -> int:
    """Working days left until ``due`` (0 if it is today or past)."""
    return max(calendar.working_days_between(today, due), 0)


def progress(calendar: WorkingCalendar, started: date, due: date, today: date) -> StepProgress:
    used = calendar.working_days_between(started, today)
    left = calendar.working_days_between(today, due) if today <= due else -calendar.working_days_between(due, today)
    return StepProgress(used=used, left=left)
