"""`--since` / `--until` (DOMAIN.md §10): the half-open time range `[since, until)` a run annotates.

A record outside the range is counted in `filtered_out` and nothing else is done with it (it is not
judged, grouped or written); dead letters are never filtered. Bounds and record times compare at
millisecond precision: a bound given with microseconds is cut to its millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = ["TimeFilter", "parse_bound"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class TimeFilter:
    """Epoch milliseconds: `since` included, `until` excluded; None leaves that side open."""

    since_ms: int | None = None
    until_ms: int | None = None

    def __post_init__(self) -> None:
        if self.since_ms is not None and self.until_ms is not None and self.since_ms >= self.until_ms:
            raise ValueError("the range is empty: since must be earlier than until")

    def contains(self, time_ms: int) -> bool:
        """Whether a record of that time is annotated."""
        if self.since_ms is not None and time_ms < self.since_ms:
            return False
        return self.until_ms is None or time_ms < self.until_ms

    def bounds(self) -> tuple[int | float, int | float]:
        """(low, high) for the hot path's one chained comparison `low <= t < high`; open sides infinite."""
        low: int | float = self.since_ms if self.since_ms is not None else float("-inf")
        high: int | float = self.until_ms if self.until_ms is not None else float("inf")
        return low, high


def parse_bound(text: str) -> int:
    """Epoch milliseconds of an ISO 8601 time: `2009-12-10T21:40:10.500Z`, `…+01:00`, `2009-12-10`
    (midnight UTC); a time without an offset is UTC. ValueError when it is not one."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time such as 2009-12-10T21:40:10Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // _MS
