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


class _RecordingLoader(yaml.SafeLoader):
    """SafeLoader that remembers the YAML node each mapping and list was built from.

    Validation happens on the plain data later; the nodes let ``parse`` turn pydantic's error
    location back into the line and column of the offending value in the file.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.nodes: dict[int, tuple[Any, yaml.Node]] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        data = super().construct_object(node, deep=deep)
        if isinstance(data, (dict, list)) and id(data) not in self.nodes:
            # The object is kept next to its node so its id cannot be reused while recorded.
            self.nodes[id(data)] = (data, node)
        return data


class _StringDateLoader(_RecordingLoader):
    """Recording SafeLoader that leaves dates as strings."""


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# file -> {id(dict or list read from it): (that object, its YAML node)}, for the latest read of
# each file only, so memory stays bounded by the number of config files.
_NODES: dict[str, dict[int, tuple[Any, yaml.Node]]] = {}


def _load(fh: Any, loader_class: type[_RecordingLoader], path: Path) -> Any:
    loader = loader_class(fh)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    _NODES[str(path)] = loader.nodes
    return data


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            try:
                return _load(fh, _RecordingLoader, path)
            except ValueError:
                # PyYAML turns an unquoted 2023-02-30 into a bare ValueError with no position.
                # Re-read with dates as strings so validation names the exact entry instead.
                fh.seek(0)
                return _load(fh, _StringDateLoader, path)
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, "(file)", f"not valid YAML: {exc}") from None


def remember_as(data: Any, source: Any, file: Path) -> None:
    """Record that ``data`` (e.g. a merged copy) stands where ``source`` was read in ``file``."""
    nodes = _NODES.get(str(file), {})
    if id(source) in nodes:
        nodes[id(data)] = (data, nodes[id(source)][1])


def position(file: Path, data: Any, loc: tuple = ()) -> tuple[int, int] | None:
    """1-based (line, column) in ``file`` of ``data`` read from it, followed down ``loc``.

    ``loc`` is a path of mapping keys and list indexes (pydantic's error ``loc``). The deepest
    value found in the file wins: a missing field points at its entry, an unknown key at the key.
    Returns None when ``data`` did not come from ``file`` (e.g. built in code).
    """
    nodes = _NODES.get(str(file), {})
    found = nodes.get(id(data))
    if found is None or found[0] is not data:
        return None
    node = found[1]
    obj: Any = data
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            child = node.value[key]
        # A container that was rebuilt in code (merged, defaulted) has its own record, if any.
        obj = obj.get(key) if isinstance(obj, dict) else obj[key] if isinstance(obj, list) and isinstance(key, int) and 0 <= key < len(obj) else None
        recorded = nodes.get(id(obj)) if isinstance(obj, (dict, list)) else None
        if recorded is not None and recorded[0] is obj:
            child = recorded[1]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def error_at(file: Path, entry: str, problem: str, data: Any, *loc: Any) -> ConfigError:
    """A ConfigError for a check made in code on ``data`` read from ``file``, at ``data[loc…]``'s line."""
    at = position(file, data, loc)
    return ConfigError(file, entry, problem, line=at[0] if at else None, column=at[1] if at else None)


def parse(model: type[M], data: Any, *, file: Path, entry: str) -> M:
    """Validate ``data`` as ``model``; on failure name the file, the entry, the field and its line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in _named(first["loc"], data))
        field = f"{entry}.{where}" if where else entry
        at = position(file, data, tuple(first["loc"]))
        line, column = at if at else (None, None)
        raise ConfigError(file, field, first["msg"], line=line, column=column) from None


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
