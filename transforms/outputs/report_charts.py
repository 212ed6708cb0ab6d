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
    "ChartMarks",
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


class ChartMarks:
    """What the run's charts draw of its ranked groups, merged over all of them in a size that does
    not grow with their number: the time spans of their burst episodes (coalesced; past
    `EXACT_SPANS` of them, marked on a timeline instead, which reads the same for episodes within the
    run, since its width is then never coarser than the run's), and their records over the rate limit
    (a timeline, summed)."""

    __slots__ = ("bursts", "over_limit", "spans")
    EXACT_SPANS = 1024

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []  # (first ms, last ms) of burst episodes, coalesced
        self.bursts = Timeline()  # a cell per bucket a burst episode overlaps (its count means nothing)
        self.over_limit = Timeline()

    @classmethod
    def of(cls, groups: Iterable[AnomalyGroup]) -> ChartMarks:
        marks = cls()
        for group in groups:
            marks.add(group)
        return marks

    def add(self, group: AnomalyGroup) -> None:
        for cause in group.causes:
            if isinstance(cause, BurstCause):
                self._spans([(_epoch_ms(e.start), _epoch_ms(e.end)) for e in cause.episodes])
            elif isinstance(cause, RateLimitCause):
                self.over_limit.merge(cause.over_limit)

    def merge(self, other: ChartMarks) -> ChartMarks:
        self._spans(other.spans)
        self.bursts.merge(other.bursts)
        self.over_limit.merge(other.over_limit)
        return self

    def burst_buckets(self, level: int, start: int, buckets: int) -> list[bool]:
        """Whether a burst episode overlaps each of the chart's buckets (at `level`, from `start`)."""
        width = WIDTHS_MS[level]
        marked = [bool(n) for n in _row(self.bursts.at_level(level).totals(), None, start, buckets)]
        for first_ms, last_ms in self.spans:
            for i in range(max(first_ms // width - start, 0), min(last_ms // width - start, buckets - 1) + 1):
                marked[i] = True
        return marked

    def _spans(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for first, last in sorted([*self.spans, *spans]):
            if merged and first <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
            else:
                merged.append((first, last))
        if len(merged) <= self.EXACT_SPANS:
            self.spans = merged
            return
        self.spans = []
        for first, last in merged:
            self._mark(first, last)

    def _mark(self, first_ms: int, last_ms: int) -> None:
        bursts = self.bursts
        bursts.add(first_ms)
        bursts.add(last_ms)  # the timeline now spans both: marking the buckets between moves nothing
        width = bursts.width_ms
        for bucket in range(first_ms // width, last_ms // width + 1):
            bursts.cells.setdefault((bucket,), 1)


def build_charts(run: Timeline, groups: Sequence[AnomalyGroup] | ChartMarks, cap: int = MAX_BUCKETS) -> Charts | None:
    """The charts of a run whose records `run` counted by (second, verdict, code), with the marks of
    its ranked groups (or the groups themselves); None when it is empty."""
    marks = groups if isinstance(groups, ChartMarks) else ChartMarks.of(groups)
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
    bursts = marks.burst_buckets(level, start, buckets)
    over = _row(marks.over_limit.at_level(level).totals(), None, start, buckets)
    table = build_charts(run, marks, TABLE_ROWS) if cap > TABLE_ROWS else None
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
