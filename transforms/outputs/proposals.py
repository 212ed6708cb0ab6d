"""Proposed table rows: the undocumented findings in the seed table's own columns.

Each row is (Code | Subcode | Applies to | Status Message), ready to paste into the docs; the
"applies to" cell reuses the table's vocabulary (`POSTs to R`, `R or R`, `All resources`). The
causes (DOMAIN.md §8) shape a row: a response from the gateway, or one the rate limit explains, applies
to `All resources`; a rate-limited row's note names the limit ("more than 4 calls per second per
consumer"), a transient one's says "intermittent: retried successfully". A row whose groups have no
cause and did not come from the gateway is exactly what the table's columns alone would say.
Groups an --expect file names (DOMAIN.md §10) are known and accepted, so they are never proposed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from statuslens.transforms.model.causes import RateLimitCause, TransientCause
from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.cause_words import INTERMITTENT, limit_phrase

__all__ = ["Evidence", "ProposedRow", "RowKey", "evidence_of", "propose_rows", "row_of"]

_MAX_NAMED_RESOURCES = 3
_ALL = "All resources"


@dataclass(frozen=True)
class ProposedRow:
    code: int
    subcode: int | str | None
    applies_to: str
    message: str
    count: int
    verdicts: tuple[str, ...]
    note: str = ""  # what the causes add, shown after the message ("" when nothing)


RowKey = tuple[int, str, str]  # (code, subcode as text, normalized message): one proposed row


@dataclass
class Evidence:
    """The groups that one row would document: one (code, subcode, normalized message). Evidence of
    one row key merges in any order (the message kept is the one of the earliest group in
    anomalies.jsonl's order, as a pass over the sorted groups keeps it)."""

    code: int
    subcode: int | str | None
    message: str  # as first seen
    normalized: str
    count: int = 0
    methods: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    verdicts: set[str] = field(default_factory=set)
    gateway: bool = False  # a group's records came from the gateway
    limit: int | None = None  # the rate limit that explains a group, the first one seen
    transient: bool = False  # a group was retried successfully
    # The anomalies.jsonl order of the groups whose message and limit are kept: the first group's
    # message, and the limit of the first group that has one.
    first: tuple[Any, ...] = ()
    limit_first: tuple[Any, ...] = ()

    def order(self) -> tuple[Any, ...]:
        """The rows' order: most records first, then code, subcode and message."""
        return (-self.count, self.code, str(self.subcode), self.normalized)

    def merge(self, other: Evidence) -> Evidence:
        """Both rows' evidence in this one, whatever the order the groups come in."""
        if other.first < self.first:
            self.message, self.subcode, self.first = other.message, other.subcode, other.first
        if other.limit is not None and (self.limit is None or other.limit_first < self.limit_first):
            self.limit, self.limit_first = other.limit, other.limit_first
        self.count += other.count
        self.methods |= other.methods
        self.resources |= other.resources
        self.verdicts |= other.verdicts
        self.gateway = self.gateway or other.gateway
        self.transient = self.transient or other.transient
        return self


def propose_rows(anomalies: Iterable[AnomalyGroup], expected: Collection[str] = ()) -> list[ProposedRow]:
    """One row per (code, subcode, message) among non-documented groups, most frequent first;
    the groups whose id is in `expected` add nothing."""
    merged: dict[RowKey, Evidence] = {}
    for group in anomalies:
        if expected and group.id in expected:
            continue
        row_key, evidence = evidence_of(group)
        found = merged.get(row_key)
        merged[row_key] = evidence if found is None else found.merge(evidence)
    return [row_of(e) for e in sorted(merged.values(), key=Evidence.order)]


def evidence_of(group: AnomalyGroup) -> tuple[RowKey, Evidence]:
    """The row a group would be documented by, and what the group says of it (merged per row key)."""
    key = group.key
    row_key = (key.status_code, str(key.sub_code) if key.sub_code is not None else "", key.message)
    entry = Evidence(key.status_code, key.sub_code, group.message or "", key.message, group.count)
    entry.methods.add(key.method)
    entry.resources.add(key.resource)
    entry.verdicts.add(key.verdict)
    entry.gateway = _from_gateway(group)
    entry.first = group.sort_key()
    for cause in group.causes:
        if isinstance(cause, RateLimitCause) and entry.limit is None:
            entry.limit, entry.limit_first = cause.limit, entry.first
        entry.transient = entry.transient or isinstance(cause, TransientCause)
    return row_key, entry


def row_of(e: Evidence) -> ProposedRow:
    """The proposed row of one row key's merged evidence."""
    return ProposedRow(
        code=e.code,
        subcode=e.subcode,
        applies_to=_ALL if e.gateway or e.limit is not None else _applies_to(e.methods, e.resources),
        message=e.message,
        count=e.count,
        verdicts=tuple(sorted(e.verdicts)),
        note=_note(e),
    )


def _from_gateway(group: AnomalyGroup) -> bool:
    """The gateway answered, not the API behind it: a `gateway` body or a gateway code in a sample."""
    return any(s.body_format == "gateway" or s.gateway_code for s in group.samples)


def _note(evidence: Evidence) -> str:
    parts = [limit_phrase(evidence.limit)] if evidence.limit is not None else []
    if evidence.transient:
        parts.append(INTERMITTENT)
    return "; ".join(parts)


def _applies_to(methods: set[str], resources: set[str]) -> str:
    where = _ALL if len(resources) > _MAX_NAMED_RESOURCES else " or ".join(sorted(resources))
    if len(methods) == 1:
        method = next(iter(methods))
        if method != "GET":
            plural = method.capitalize().upper() + "s"
            return plural if where == _ALL else f"{plural} to {where}"
    return where
