"""Values that merge into themselves (`Counts`, `CauseFacts`, a stream `Pane`, a group's parts, a
proposed row's evidence): merged in any order, so a combiner or a bundle can hold partial ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["M", "Mergeable", "merged"]


class Mergeable(Protocol):
    def merge(self: M, other: M) -> M: ...


M = TypeVar("M", bound=Mergeable)


def merged(values: Iterable[M]) -> M | None:
    """The values merged into the first one (None for none); the others are only read. A combiner's
    accumulators (Beam lets the first grow) or a shuffle's decoded values."""
    found = iter(values)
    first = next(found, None)
    if first is not None:
        for other in found:
            first = first.merge(other)
    return first
