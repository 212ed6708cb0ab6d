"""What one firing (pane) of a stream window holds, and what the window has held so far.

A `Pane` is made per record (the stream's chunks are one message each) and panes merge like the
batch's partial results, so a combiner can lift: the records' counts, their anomaly groups' stats,
their cause facts (DOMAIN.md §8, transforms/aggregation/cause_facts.py), the 403 Developer Over Qps
answers per consumer-second (the rate-limit alert's figure) and the `--retime` shifts its records
came with (how to show a time on the log's own clock). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from statuslens.transforms.aggregation.analyzer import ChunkResult
from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.groups import GroupKey, GroupStats, normalize_message
from statuslens.transforms.model.records import AnnotatedRecord

__all__ = ["OVER_QPS_CODE", "OVER_QPS_MESSAGE", "Pane", "is_over_qps", "pane_of"]

OVER_QPS_CODE = "ERR_403_DEVELOPER_OVER_QPS"
OVER_QPS_MESSAGE = "developer over qps"


def is_over_qps(record: AnnotatedRecord) -> bool:
    """A 403 Developer Over Qps answer of the gateway: its gateway code, or the message with a 403."""
    return record.gateway_code == OVER_QPS_CODE or (
        record.status_code == 403 and normalize_message(record.message or "") == OVER_QPS_MESSAGE
    )


@dataclass
class Pane:
    """Records of one window firing (or, merged, of a window so far). Not frozen: merged in place."""

    counts: Counts = field(default_factory=Counts)
    groups: dict[GroupKey, GroupStats] = field(default_factory=dict)
    facts: CauseFacts = field(default_factory=CauseFacts)
    over_qps: dict[tuple[str, int], int] = field(default_factory=dict)  # (consumer, second) -> answers
    shifts: set[int] = field(default_factory=set)  # ms a `--retime` replay added to its records' times

    def merge(self, other: Pane) -> Pane:
        self.counts.merge(other.counts)
        for key, stats in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = GroupStats.merged([stats])
            else:
                mine.merge(stats)
        self.facts.merge(other.facts)
        for second, answers in other.over_qps.items():
            self.over_qps[second] = self.over_qps.get(second, 0) + answers
        self.shifts |= other.shifts
        return self

    @property
    def shift_ms(self) -> int | None:
        """The one shift of these records, or None (not retimed, or replays with different shifts)."""
        return next(iter(self.shifts)) if len(self.shifts) == 1 else None


def pane_of(result: ChunkResult, shift_ms: int | None = None) -> Pane:
    """The pane of one analysed chunk; `shift_ms` is what `--retime` added to its records' times."""
    pane = Pane(counts=result.stats, facts=result.causes, shifts={shift_ms} if shift_ms else set())
    for key, sample in result.groups:
        stats = pane.groups.get(key)
        if stats is None:
            stats = pane.groups[key] = GroupStats()
        stats.add(*sample)
        order, record, _ = sample
        if record.consumer and is_over_qps(record):
            second = (record.consumer, order[0] // 1000)
            pane.over_qps[second] = pane.over_qps.get(second, 0) + 1
    return pane
