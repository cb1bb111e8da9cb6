"""The one error raised when configuration data is wrong.

Loading config must fail fast and say exactly where: the file, the entry inside it and what is
wrong, so an admin editing YAML can fix it without reading Python.
"""

from __future__ import annotations

from pathlib import Path


class ConfigError(ValueError):
    def __init__(self, file: Path | str, entry: str, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(f"{self.file}: {entry}: {problem}")
