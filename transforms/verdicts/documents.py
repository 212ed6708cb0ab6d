"""YAML and JSON documents read with bounds: size, nesting and what aliases expand to.

Catalogs and OpenAPI specs are files people hand to statuslens, sometimes from elsewhere. A few KB of
YAML aliases can stand for billions of nodes (an "alias bomb"): nothing that walks or prints the
result would finish. So the node graph is measured before anything is built from it, and a document
whose aliases expand past a fixed budget is refused. Errors say where (line, column) and what kind of
problem, never the text around it: a referenced file may be one that should not be shown.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import yaml

from statuslens.transforms.errors import CatalogError

__all__ = ["MAX_ALIAS_NODES", "MAX_DOCUMENT_BYTES", "MAX_YAML_BYTES", "load_document", "read_capped"]

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # the largest public specs are under 10 MB
# YAML costs about 3 s a MB to load here (PyYAML's resolver and constructor are Python even over
# libyaml), JSON a hundredth of that: a larger document is asked for as JSON, which every spec tool writes.
MAX_YAML_BYTES = 1024 * 1024
MAX_ALIAS_NODES = 200_000  # nodes that aliases may add beyond the document's own
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_capped(path: Path, what: str, cap: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file of at most `cap` bytes; CatalogError otherwise (a FIFO would hang)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise CatalogError(f"{path}: cannot read {what}: not a regular file")
        if info.st_size > cap:
            raise CatalogError(f"{path}: {what} is {info.st_size} bytes; the limit is {cap}")
        with path.open("rb") as handle:
            raw = handle.read(cap + 1)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    if len(raw) > cap:
        raise CatalogError(f"{path}: {what} is over {cap} bytes")
    return raw


def load_document(raw: bytes, origin: str, *, detail: bool = True) -> Any:
    """The YAML (or JSON) document in `raw`. `detail=False` leaves even the kind of problem out of an
    error (for files met through a $ref: only where, never what the file says)."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise CatalogError(f"{origin}: document is over {MAX_DOCUMENT_BYTES} bytes")
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        if text.lstrip()[:1] in ("{", "["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                pass  # YAML flow style also starts so; YAML says where it is wrong
        if len(raw) > MAX_YAML_BYTES:
            raise CatalogError(
                f"{origin}: a YAML document of {len(raw)} bytes; the limit is {MAX_YAML_BYTES} "
                f"(as JSON it may have up to {MAX_DOCUMENT_BYTES})"
            )
        return _load_yaml(text, origin)
    except RecursionError:
        raise CatalogError(f"{origin}: document is nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = f": {_short(exc.problem)}" if detail and exc.problem else ""
        raise CatalogError(f"{origin}: not valid YAML or JSON{where}{what}") from None
    except yaml.YAMLError:
        raise CatalogError(f"{origin}: not valid YAML or JSON") from None


def _load_yaml(text: str, origin: str) -> Any:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, origin)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_aliases(root: yaml.Node, origin: str) -> None:
    """Refuse a node graph whose aliases stand for more than MAX_ALIAS_NODES extra nodes, or a cycle."""
    expanded: dict[int, int] = {}  # id(node) -> nodes it stands for, counted once per use
    distinct = 0
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            active.discard(key)
            size = 1 + sum(expanded[id(child)] for child in _children(node))
            expanded[key] = size
            if size > distinct + MAX_ALIAS_NODES:
                raise CatalogError(f"{origin}: YAML aliases expand to more than {MAX_ALIAS_NODES} extra nodes")
            continue
        if key in expanded:
            continue
        if key in active:
            raise CatalogError(f"{origin}: a YAML alias refers to the node that contains it")
        active.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _short(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= 120 else shown[:117] + "..."
