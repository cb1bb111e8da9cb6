"""Loading ``config/reminders.yaml``: how many working days before a deadline reminders go out.

Checked on load: at least one offset, each a whole number of working days from 0 to 60, none
listed twice, each with a rationale; text in NFC. Errors are :class:`ConfigError` naming the
file and the entry (``offsets[1].working_days``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from config.errors import ConfigError
from config.yamlfiles import DATA_DIR, NfcText, parse, read_yaml

DEFAULT_PATH = DATA_DIR / "reminders.yaml"
# A reminder further ahead than about three working months is not a reminder.
MAX_OFFSET = 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderOffset(_Strict):
    working_days: int = Field(ge=0, le=MAX_OFFSET)
    rationale: NfcText


class _FileShape(_Strict):
    citation: NfcText
    confirm: bool = False
    # Items are parsed one by one below so errors can name "offsets[i]".
    offsets: list[Any] = Field(min_length=1)


class ReminderConfig(_Strict):
    citation: str
    confirm: bool
    offsets: tuple[ReminderOffset, ...]

    @property
    def working_days(self) -> tuple[int, ...]:
        """The offsets, smallest first."""
        return tuple(sorted(o.working_days for o in self.offsets))

    @property
    def max_offset(self) -> int:
        return max(self.working_days)

    def offset_for(self, remaining: int) -> int | None:
        """The reminder due when ``remaining`` working days are left: the nearest offset at or
        above it (so a late sweep sends "1 day left", never a stale "5 days left"), or None."""
        return next((k for k in self.working_days if k >= remaining), None)


def read_reminders_file(path: Path) -> ReminderConfig:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, "(file)", "expected a mapping with keys citation, confirm, offsets")
    shape = parse(_FileShape, data, file=path, entry="(top level)")
    offsets: list[ReminderOffset] = []
    first_at: dict[int, str] = {}
    for i, raw in enumerate(shape.offsets):
        entry = f"offsets[{i}]"
        offset = parse(ReminderOffset, raw, file=path, entry=entry)
        if offset.working_days in first_at:
            raise ConfigError(
                path, f"{entry}.working_days",
                f"offset {offset.working_days} is listed twice (already at {first_at[offset.working_days]})",
            )
        first_at[offset.working_days] = entry
        offsets.append(offset)
    return ReminderConfig(citation=shape.citation, confirm=shape.confirm, offsets=tuple(offsets))


@lru_cache(maxsize=1)
def _load_default() -> ReminderConfig:
    return read_reminders_file(DEFAULT_PATH)


def load_reminders(path: Path | None = None) -> ReminderConfig:
    """The reminder offsets from ``path`` (default: the shipped reminders.yaml, read once)."""
    if path is None:
        return _load_default()
    return read_reminders_file(path)
