"""Reading the YAML data files under ``config/`` and turning pydantic errors into ConfigError."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from config.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "file not found") from None
    except (yaml.YAMLError, ValueError) as exc:
        # PyYAML raises a bare ValueError for an impossible date such as 2023-02-30.
        raise ConfigError(path, "(file)", f"not valid YAML: {exc}") from None


def parse(model: type[M], data: Any, *, file: Path, entry: str) -> M:
    """Validate ``data`` as ``model``; on failure name the file, the entry and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        field = f"{entry}.{where}" if where else entry
        raise ConfigError(file, field, first["msg"]) from None
