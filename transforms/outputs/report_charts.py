"""The report's charts as data: the run's records over time per verdict and per status code, where the
groups' bursts and rate-limited seconds fall, and one group's own timeline.

Built from the timelines the job counted (`Counts.timeline`, `AnomalyGroup.timeline`, a rate-limit
cause's `over_limit`: transforms/model/timeline.py), never from records. `report.html` draws them
(html_charts.py); `report.md` writes the coarser `table` version as a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import ClassVar

from statuslens.transforms.model.causes import BurstCause, RateLimitCause
from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.model.timeline import MAX_BUCKETS, WIDTHS_MS, Timeline
from statuslens.transforms.verdicts.classify import DOCUMENTED, VERDICTS

__all__ = [
    "ANOMALOUS",
    "CODES_SHOWN",
    "TABLE_ROWS",
    "Charts",
    "GroupChart",
    "Series",
    "build_charts",
    "group_chart",
]

ANOMALOUS = tuple(v for v in VERDICTS if v != DOCUMENTED)
CODES_SHOWN = 8  # the most frequent codes get a colour each; the rest are "other"
TABLE_ROWS = 24  # report.md's table of the run over time
Series = tuple[tuple[str, tuple[int, ...]], ...]  # (name, count per bucket)


@dataclass(frozen=True)
class Charts:
    """Buckets `start + i` of `width_ms` for i < `buckets`; every series has one count per bucket.

    `verdicts`: the records of each verdict (documented first); `codes`: the records of each of the
    most frequent effective codes, then `other`; `bursts`: whether a burst episode of a ranked group
    overlaps the bucket; `over_limit`: the ranked groups' records over the rate limit."""

    width_ms: int
    start: int
    buckets: int
    verdicts: Series
    codes: Series
    bursts: tuple[bool, ...]
    over_limit: tuple[int, ...]
    table: Charts | None = None  # the same at most TABLE_ROWS buckets (report.md's table)
    title: ClassVar[str] = "Over time"

    def bucket_ms(self, i: int) -> int:
        """When bucket `i` starts (epoch ms)."""
        return (self.start + i) * self.width_ms


@dataclass(frozen=True)
class GroupChart:
    """One group at its report's buckets: its records, its bursts and its records over the rate limit."""

    counts: tuple[int, ...]
    bursts: tuple[bool, ...]
    over_limit: tuple[int, ...]


def build_charts(run: Timeline, groups: Sequence[AnomalyGroup], cap: int = MAX_BUCKETS) -> Charts | None:
    """The charts of a run whose records `run` counted by (second, verdict, code); None when it is empty."""
    timeline = run.fitted(cap)
    span = timeline.span()
    if span is None:
        return None
    start, buckets = span[0], span[1] - span[0] + 1
    by_verdict = timeline.totals(1)
    by_code = timeline.totals(2)
    verdicts = tuple((v, _row(by_verdict, v, start, buckets)) for v in VERDICTS)
    ranked = _ranked_codes(by_code.values())
    codes = [(str(c), _row(by_code, c, start, buckets)) for c in ranked[:CODES_SHOWN]]
    if len(ranked) > CODES_SHOWN:
        rest = set(ranked[CODES_SHOWN:])
        other = tuple(sum(n for c, n in by_code.get(start + i, {}).items() if c in rest) for i in range(buckets))
        codes.append(("other", other))
    level = timeline.level
    bursts = [False] * buckets
    over = [0] * buckets
    for group in groups:
        mine = _group(group, level, start, buckets, timeline.width_ms)
        bursts = [a or b for a, b in zip(bursts, mine.bursts, strict=True)]
        over = [a + b for a, b in zip(over, mine.over_limit, strict=True)]
    table = build_charts(run, groups, TABLE_ROWS) if cap > TABLE_ROWS else None
    return Charts(timeline.width_ms, start, buckets, verdicts, tuple(codes), tuple(bursts), tuple(over), table)


def group_chart(charts: Charts, group: AnomalyGroup) -> GroupChart:
    """`group` at the buckets of `charts` (its timeline is never coarser than the run's)."""
    level = _level_of(group.timeline, charts.width_ms)
    return _group(group, level, charts.start, charts.buckets, charts.width_ms)


def _group(group: AnomalyGroup, level: int, start: int, buckets: int, width_ms: int) -> GroupChart:
    counts = _row(group.timeline.at_level(level).totals(), None, start, buckets)
    bursts = [False] * buckets
    over = (0,) * buckets
    for cause in group.causes:
        if isinstance(cause, BurstCause):
            for episode in cause.episodes:
                first = _epoch_ms(episode.start) // width_ms - start
                last = _epoch_ms(episode.end) // width_ms - start
                for i in range(max(first, 0), min(last, buckets - 1) + 1):
                    bursts[i] = True
        elif isinstance(cause, RateLimitCause):
            over = _row(cause.over_limit.at_level(level).totals(), None, start, buckets)
    return GroupChart(counts, tuple(bursts), over)


def _level_of(timeline: Timeline, width_ms: int) -> int:
    return max(timeline.level, WIDTHS_MS.index(width_ms))


def _row(totals: dict[int, dict[object, int]], name: object, start: int, buckets: int) -> tuple[int, ...]:
    return tuple(totals.get(start + i, {}).get(name, 0) for i in range(buckets))


def _ranked_codes(buckets: Iterable[dict[object, int]]) -> list[object]:
    """Codes by records descending, then code."""
    total: dict[object, int] = {}
    for counts in buckets:
        for code, n in counts.items():
            total[code] = total.get(code, 0) + n
    return sorted(total, key=lambda c: (-total[c], str(c)))


def _epoch_ms(text: str) -> int:
    """§6's time format back to epoch ms (`2009-12-10T21:40:10.000Z`)."""
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (stamp - _EPOCH) // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
