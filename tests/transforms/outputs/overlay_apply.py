"""A tiny OpenAPI Overlay 1.0 applier for the tests: the JSONPath subset statuslens writes.

Targets are `$` followed by `['name']` and `[index]` steps (bracket notation, `\\'` and `\\\\` escaped); each must
select exactly one node, else the test fails. `update` merges an object into an object (recursively,
as the Overlay spec says) and appends to an array; `remove: true` deletes the node from its parent.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["apply_overlay", "parse_target"]

_STEP_RE = re.compile(r"\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")


def parse_target(target: str) -> list[str | int]:
    assert target.startswith("$"), target
    rest, names = target[1:], list[str | int]()
    while rest:
        match = _STEP_RE.match(rest)
        assert match is not None, f"unsupported JSONPath step in {target!r}"
        if match.group(2) is not None:
            names.append(int(match.group(2)))
        else:
            names.append(re.sub(r"\\(.)", r"\1", match.group(1)))
        rest = rest[match.end() :]
    return names


def _child_key(node: Any, name: str | int) -> Any:
    if isinstance(name, int):
        assert isinstance(node, list) and name < len(node), (node, name)
        return name
    if isinstance(node, dict):
        if name in node:
            return name
        if name.isdecimal() and int(name) in node:  # YAML reads an unquoted `200:` as a number
            return int(name)
    raise AssertionError(f"no {name!r} in the target document")


def apply_overlay(doc: Any, overlay: dict[str, Any]) -> Any:
    assert overlay["overlay"] == "1.0.0" and overlay["info"]["title"] and overlay["actions"]
    for action in overlay["actions"]:
        names = parse_target(action["target"])
        parent, node = None, doc
        key: Any = None
        for name in names:
            key = _child_key(node, name)
            parent, node = node, node[key]
        if action.get("remove"):
            assert parent is not None
            del parent[key]
        else:
            _merge(node, action["update"])
    return doc


def _merge(node: Any, update: Any) -> None:
    if isinstance(node, list):
        node.append(update)
        return
    assert isinstance(node, dict) and isinstance(update, dict), (node, update)
    for name, value in update.items():
        if isinstance(node.get(name), dict) and isinstance(value, dict):
            _merge(node[name], value)
        else:
            node[name] = value
