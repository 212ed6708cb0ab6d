"""The counts of a run (or of a stream window): what `summary.json` adds up, merged part by part.

Each chunk's analysis makes one `Counts`; a combiner merges them (`merge` is associative and
commutative, so Beam may combine in any order on any worker); the summary reads the merged one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from statuslens.transforms.model.timeline import Timeline

__all__ = ["Counts", "InputCounts"]

K = TypeVar("K")


@dataclass(slots=True)
class InputCounts:
    """One input's share: its annotated records, its dead letters (damage included) and its records
    outside --since/--until."""

    records: int = 0
    dead_letter: int = 0
    filtered_out: int = 0


@dataclass(slots=True)
class Counts:
    """`records_in == records_annotated + dead_letter + filtered_out` holds for every merge of parts
    that each keep it (`filtered_out`: records outside --since/--until, DOMAIN.md §10; 0 without them)."""

    records_in: int = 0
    records_annotated: int = 0
    dead_letter: int = 0
    blank_lines: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    status_codes: dict[int, int] = field(default_factory=dict)
    inputs: dict[str, InputCounts] = field(default_factory=dict)
    filtered_out: int = 0
    # (calendar second bucket, verdict, effective code) -> records, for the report's charts only.
    timeline: Timeline = field(default_factory=Timeline)
    # Dead letters by reason_kind (transforms/model/dead_letters.py); they add up to `dead_letter`.
    dead_letter_reasons: dict[str, int] = field(default_factory=dict)

    def merge(self, other: Counts) -> Counts:
        """Add `other` into this one; returns self."""
        self.records_in += other.records_in
        self.records_annotated += other.records_annotated
        self.dead_letter += other.dead_letter
        self.blank_lines += other.blank_lines
        self.filtered_out += other.filtered_out
        _add(self.verdicts, other.verdicts)
        _add(self.flags, other.flags)
        _add(self.status_codes, other.status_codes)
        self.timeline.merge(other.timeline)
        _add(self.dead_letter_reasons, other.dead_letter_reasons)
        for path, theirs in other.inputs.items():
            mine = self.inputs.get(path)
            if mine is None:
                mine = self.inputs[path] = InputCounts()
            mine.records += theirs.records
            mine.dead_letter += theirs.dead_letter
            mine.filtered_out += theirs.filtered_out
        return self

    @classmethod
    def merged(cls, parts: Iterable[Counts]) -> Counts:
        out = cls()
        for part in parts:
            out.merge(part)
        return out


def _add(into: dict[K, int], other: dict[K, int]) -> None:
    for key, value in other.items():
        into[key] = into.get(key, 0) + value
