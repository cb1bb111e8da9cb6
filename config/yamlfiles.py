"""Reading the YAML data files under ``config/`` and turning pydantic errors into ConfigError."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from config.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent

M = TypeVar("M", bound=BaseModel)


class _StringDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings."""


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            try:
                return yaml.safe_load(fh)
            except ValueError:
                # PyYAML turns an unquoted 2023-02-30 into a bare ValueError with no position.
                # Re-read with dates as strings so validation names the exact entry instead.
                fh.seek(0)
                return yaml.load(fh, Loader=_StringDateLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "file not found") from None
    except yaml.YAMLError as exc:
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
