"""Proposed table rows: the undocumented findings in the seed table's own columns.

Each row is (Code | Subcode | Applies to | Status Message), ready to paste into the docs; the
"applies to" cell reuses the table's vocabulary (`POSTs to R`, `R or R`, `All resources`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from statuslens.transforms.model.groups import AnomalyGroup

__all__ = ["ProposedRow", "propose_rows"]

_MAX_NAMED_RESOURCES = 3


@dataclass(frozen=True)
class ProposedRow:
    code: int
    subcode: int | str | None
    applies_to: str
    message: str
    count: int
    verdicts: tuple[str, ...]


@dataclass
class _Evidence:
    """The groups that one row would document: one (code, subcode, normalized message)."""

    code: int
    subcode: int | str | None
    message: str  # as first seen
    normalized: str
    count: int = 0
    methods: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    verdicts: set[str] = field(default_factory=set)


def propose_rows(anomalies: Iterable[AnomalyGroup]) -> list[ProposedRow]:
    """One row per (code, subcode, message) among non-documented groups, most frequent first."""
    merged: dict[tuple[int, str, str], _Evidence] = {}
    for group in anomalies:
        key = group.key
        row_key = (key.status_code, str(key.sub_code) if key.sub_code is not None else "", key.message)
        entry = merged.get(row_key)
        if entry is None:
            entry = merged[row_key] = _Evidence(key.status_code, key.sub_code, group.message or "", key.message)
        entry.count += group.count
        entry.methods.add(key.method)
        entry.resources.add(key.resource)
        entry.verdicts.add(key.verdict)
    evidence = sorted(merged.values(), key=lambda e: (-e.count, e.code, str(e.subcode), e.normalized))
    return [
        ProposedRow(
            code=e.code,
            subcode=e.subcode,
            applies_to=_applies_to(e.methods, e.resources),
            message=e.message,
            count=e.count,
            verdicts=tuple(sorted(e.verdicts)),
        )
        for e in evidence
    ]


def _applies_to(methods: set[str], resources: set[str]) -> str:
    where = "All resources" if len(resources) > _MAX_NAMED_RESOURCES else " or ".join(sorted(resources))
    if len(methods) == 1:
        method = next(iter(methods))
        if method != "GET":
            plural = method.capitalize().upper() + "s"
            return plural if where == "All resources" else f"{plural} to {where}"
    return where
