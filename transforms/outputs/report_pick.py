"""What the reports need of a run's anomaly groups, held in a size that does not grow with their number.

The reports list the first groups of each kind and count the rest (report_model.MAX_ANOMALIES,
MAX_LISTED), and the charts need the bursts and over-the-limit records of every ranked group, not
the groups themselves. A `ReportPick` keeps exactly that — the first groups of anomalies.jsonl's order
that the report shows (ranked, expected, new), how many of each there are, and the charts' marks — and
merges with another pick in any order, so a combiner can lift it: 100,000 groups cost the writing
step what 300 do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.report_charts import ChartMarks

__all__ = ["ReportPick", "pick_of"]

_Item = TypeVar("_Item")


class ReportPick:
    """The first `ranked_limit` groups that are not expected, the first `listed_limit` expected
    groups (with their reasons) and new groups (cron), the count of each kind, and the chart marks of
    the ranked (not expected) groups."""

    __slots__ = ("expected", "expected_count", "listed_limit", "marks", "new", "new_count", "ranked", "ranked_count")

    def __init__(self, ranked_limit: int, listed_limit: int) -> None:
        self.listed_limit = listed_limit
        self.ranked: _Top[AnomalyGroup] = _Top(ranked_limit)
        self.expected: _Top[tuple[AnomalyGroup, str]] = _Top(listed_limit)
        self.new: _Top[AnomalyGroup] = _Top(listed_limit)
        self.ranked_count = self.expected_count = self.new_count = 0
        self.marks = ChartMarks()

    def add(self, group: AnomalyGroup, reason: str | None = None, new: bool = False) -> ReportPick:
        """One group; `reason`: an --expect entry names it; `new`: cron has not seen it before."""
        order = group.sort_key()
        if reason is None:
            self.ranked.add(order, group)
            self.ranked_count += 1
            self.marks.add(group)
        else:
            self.expected.add(order, (group, reason))
            self.expected_count += 1
        if new:
            self.new.add(order, group)
            self.new_count += 1
        return self

    def merge(self, other: ReportPick) -> ReportPick:
        self.ranked.merge(other.ranked)
        self.expected.merge(other.expected)
        self.new.merge(other.new)
        self.ranked_count += other.ranked_count
        self.expected_count += other.expected_count
        self.new_count += other.new_count
        self.marks.merge(other.marks)
        return self

    @property
    def ranked_groups(self) -> list[AnomalyGroup]:
        return self.ranked.items()

    @property
    def expected_groups(self) -> list[tuple[AnomalyGroup, str]]:
        return self.expected.items()

    @property
    def new_groups(self) -> list[AnomalyGroup]:
        return self.new.items()


def pick_of(
    groups: Iterable[AnomalyGroup],
    expected: Mapping[str, str] | None,
    known: Iterable[str] | None,
    ranked_limit: int,
    listed_limit: int,
) -> ReportPick:
    """The pick of a list of groups (`expected`: group id -> reason; `known`: cron's group ids)."""
    known_ids = None if known is None else set(known)
    pick = ReportPick(ranked_limit, listed_limit)
    for group in groups:
        reason = expected.get(group.id) if expected else None
        pick.add(group, reason, known_ids is not None and group.id not in known_ids)
    return pick


class _Top(list[tuple[tuple[object, ...], _Item]]):
    """The `limit` smallest (order, item) pairs seen: kept sorted at most twice the limit long."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def add(self, order: tuple[object, ...], item: _Item) -> None:
        self.append((order, item))
        if len(self) >= 2 * self.limit + 16:
            self._trim()

    def merge(self, other: _Top[_Item]) -> None:
        self.extend(other)
        self._trim()

    def items(self) -> list[_Item]:
        self._trim()
        return [item for _, item in self]

    def _trim(self) -> None:
        self.sort(key=_order)
        del self[self.limit :]


def _order(pair: tuple[tuple[object, ...], object]) -> tuple[object, ...]:
    return pair[0]
