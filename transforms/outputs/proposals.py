"""Proposed table rows: the undocumented findings in the seed table's own columns.

Each row is (Code | Subcode | Applies to | Status Message), ready to paste into the docs; the
"applies to" cell reuses the table's vocabulary (`POSTs to R`, `R or R`, `All resources`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from statuslens.transforms.model.groups import normalize_message

__all__ = ["ProposedRow", "propose_rows"]

_MAX_NAMED_RESOURCES = 3


@dataclass(frozen=True)
class ProposedRow:
    code: int
    subcode: Any
    applies_to: str
    message: str
    count: int
    verdicts: tuple[str, ...]


def propose_rows(anomalies: Iterable[dict[str, Any]]) -> list[ProposedRow]:
    """One row per (code, subcode, message) among non-documented groups, most frequent first."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for group in anomalies:
        message = group["message"] or ""
        key = (
            group["status_code"],
            str(group["sub_code"]) if group["sub_code"] is not None else "",
            normalize_message(message),
        )
        entry = merged.setdefault(
            key,
            {
                "code": group["status_code"],
                "subcode": group["sub_code"],
                "message": message,
                "count": 0,
                "methods": set(),
                "resources": set(),
                "verdicts": set(),
            },
        )
        entry["count"] += group["count"]
        entry["methods"].add(group["method"])
        entry["resources"].add(group["resource"])
        entry["verdicts"].add(group["verdict"])
    rows = [
        ProposedRow(
            code=e["code"],
            subcode=e["subcode"],
            applies_to=_applies_to(e["methods"], e["resources"]),
            message=e["message"],
            count=e["count"],
            verdicts=tuple(sorted(e["verdicts"])),
        )
        for e in merged.values()
    ]
    rows.sort(key=lambda r: (-r.count, r.code, str(r.subcode), normalize_message(r.message)))
    return rows


def _applies_to(methods: set[str], resources: set[str]) -> str:
    where = "All resources" if len(resources) > _MAX_NAMED_RESOURCES else " or ".join(sorted(resources))
    if len(methods) == 1:
        method = next(iter(methods))
        if method != "GET":
            plural = method.capitalize().upper() + "s"
            return plural if where == "All resources" else f"{plural} to {where}"
    return where
