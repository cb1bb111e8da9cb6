"""The one error raised when configuration data is wrong.

Loading config must fail fast and say exactly where: the file, the entry inside it, the line
(and column) of that entry in the file when known, and what is wrong, so an admin editing YAML
can fix it without reading Python.
"""

from __future__ import annotations

from pathlib import Path


class ConfigError(ValueError):
    def __init__(
        self, file: Path | str, entry: str, problem: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        self.line = line  # 1-based, as editors number lines
        self.column = column  # 1-based
        where = ""
        if line is not None:
            where = f" (line {line}, column {column})" if column is not None else f" (line {line})"
        super().__init__(f"{self.file}: {entry}{where}: {problem}")
