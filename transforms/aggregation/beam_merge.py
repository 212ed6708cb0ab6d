"""One Beam CombineFn for every value that merges into itself (`Counts`, `CauseFacts`, a stream `Pane`).

Such values are their own accumulators: a chunk's value is added by `merge`, accumulators merge the
same way, and the result is the accumulator. Beam lets `merge_accumulators` grow and return its first
accumulator, so nothing is copied; the others are only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic

import apache_beam as beam

from statuslens.transforms.model.mergeable import M, merged

__all__ = ["MergeFn"]


class MergeFn(beam.CombineFn, Generic[M]):
    """Values of one type -> their merge (in any order: the types' merges are associative and commutative)."""

    def __init__(self, empty: Callable[[], M]) -> None:
        self.empty = empty  # the type itself, so the combiner pickles by reference

    def create_accumulator(self) -> M:
        return self.empty()

    def add_input(self, acc: M, value: M) -> M:
        return acc.merge(value)

    def merge_accumulators(self, accumulators: Iterable[M]) -> M:
        found = merged(accumulators)
        return found if found is not None else self.empty()

    def extract_output(self, acc: M) -> M:
        return acc
