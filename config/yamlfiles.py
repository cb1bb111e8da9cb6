"""Reading the YAML data files under ``config/`` and turning pydantic errors into ConfigError."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import unicodedata
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from config.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent

M = TypeVar("M", bound=BaseModel)


def _nfc(text: str) -> str:
    # Decomposed Vietnamese ("e" + combining marks) looks identical but compares unequal, which
    # breaks search and de-duplication; reject it at the door instead of normalising silently.
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError("text is not in Unicode NFC form; save it with composed characters")
    return text


NfcText = Annotated[str, Field(min_length=1), AfterValidator(_nfc)]


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
        where = ".".join(str(p) for p in _named(first["loc"], data))
        field = f"{entry}.{where}" if where else entry
        raise ConfigError(file, field, first["msg"]) from None


def _named(loc: tuple, data: Any) -> list[str]:
    """The error location, with list items that carry a ``code`` named by it: ``awards[CSTD_TP]``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            code = item.get("code") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{code or key}]"]
            node = item
            continue
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return parts
