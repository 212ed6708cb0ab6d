"""A tiny OpenAPI Overlay 1.0 applier for the tests: the JSONPath subset statuslens writes.

Targets are `$` followed by `['name']` and `[index]` steps (bracket notation, `\\'` and `\\\\` escaped); each must
select exactly one node, else the test fails. `update` merges an object into an object (recursively,
as the Overlay spec says) and appends to an array; `remove: true` deletes the node from its parent.
`oas_patch_apply` and `overlay_schema_errors` ask a real Overlay tool (oas-patch, a dev dependency)
the same: what it makes of the overlay, and whether the overlay is valid against the 1.0 JSON Schema.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from jsonschema import Draft202012Validator
from oas_patch.overlay import apply_overlay as oas_patch_overlay  # type: ignore[import-untyped]
from oas_patch.validator import load_schema  # type: ignore[import-untyped]

__all__ = ["apply_overlay", "oas_patch_apply", "overlay_schema_errors", "parse_target"]

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


def oas_patch_apply(doc: Any, overlay: dict[str, Any]) -> Any:
    """The document as oas-patch 0.6.0 applies the overlay to it (a copy; `doc` is left alone)."""
    return oas_patch_overlay(copy.deepcopy(doc), overlay)


def overlay_schema_errors(overlay: dict[str, Any]) -> list[str]:
    """What the Overlay 1.0.0 JSON Schema (as oas-patch ships it) says is wrong with `overlay`."""
    validator = Draft202012Validator(load_schema("overlay_schema_1.0.0.yml"))
    return [error.message for error in validator.iter_errors(overlay)]
