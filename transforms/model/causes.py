"""Why an anomaly group happens (DOMAIN.md §8) and who sends it: the shapes, and their JSON form.

Every group in `anomalies.jsonl` carries `causes` (a list, empty when none applies, in the order
rate_limit, transient, burst) and `top_consumers` (who sent its records). The rules that decide
them live in transforms/aggregation/causes.py; this module only says what a cause is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from statuslens.transforms.model.timeline import Timeline

__all__ = [
    "TOP_CONSUMERS",
    "BurstCause",
    "Cause",
    "ConsumerShare",
    "Episode",
    "RateLimitCause",
    "TransientCause",
    "cause_json",
]

TOP_CONSUMERS = 5  # consumers listed per group, most records first


@dataclass(frozen=True)
class RateLimitCause:
    """At least half of the group's records that have a consumer came in calendar seconds where their
    consumer sent more than `limit` records."""

    limit: int
    records: int  # the group's records over the limit
    share: float  # records / count, 3 decimals
    peak_calls_per_second: int
    # When the records over the limit came, for the report's timeline; not a figure of anomalies.jsonl.
    over_limit: Timeline = field(default_factory=Timeline, compare=False, repr=False)


@dataclass(frozen=True)
class TransientCause:
    """At least half of the group's records that have a consumer were retried successfully."""

    records: int  # the group's records retried successfully
    share: float
    median_retry_seconds: float


@dataclass(frozen=True)
class Episode:
    """A run of 5+ of the group's records with gaps of at most 300 s (times in §6's format)."""

    start: str
    end: str
    records: int


@dataclass(frozen=True)
class BurstCause:
    """At least 80% of the group's records lie in episodes; at most 10 listed, largest first."""

    episodes: tuple[Episode, ...]


Cause = RateLimitCause | TransientCause | BurstCause

_NAMES: dict[type, str] = {RateLimitCause: "rate_limit", TransientCause: "transient", BurstCause: "burst"}


def cause_json(cause: Cause) -> dict[str, Any]:
    """`{"cause": "rate_limit", "limit": 4, …}`: the name first, then the figures in declared order."""
    if isinstance(cause, BurstCause):
        return {"cause": "burst", "episodes": [dict(vars(e)) for e in cause.episodes]}
    if isinstance(cause, RateLimitCause):
        return {
            "cause": "rate_limit",
            "limit": cause.limit,
            "records": cause.records,
            "share": cause.share,
            "peak_calls_per_second": cause.peak_calls_per_second,
        }
    return {"cause": _NAMES[type(cause)], **vars(cause)}


@dataclass(frozen=True)
class ConsumerShare:
    """One of a group's top consumers: its records in the group, and their share of the group's count."""

    consumer: str
    records: int
    share: float  # records / count, 3 decimals
