"""Values that merge into themselves (`Counts`, `CauseFacts`, a stream `Pane`, a group's parts, a
proposed row's evidence): merged in any order, so a combiner or a bundle can hold partial ones."""

from __future__ import annotations

from typing import Protocol, TypeVar

__all__ = ["M", "Mergeable"]


class Mergeable(Protocol):
    def merge(self: M, other: M) -> M: ...


M = TypeVar("M", bound=Mergeable)
