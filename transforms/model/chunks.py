"""What a reader hands to the analysis: chunks of items, the problems among them, and per-input facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Chunk", "InputInfo", "Problem"]


@dataclass(frozen=True)
class Problem:
    """An input item that can only be a dead letter: a too-long line, or an input's damage."""

    reason: str
    raw: bytes
    damage: bool = False


@dataclass(frozen=True)
class Chunk:
    """Consecutive items of one file: lines (bytes) or HAR entries, numbered from `first`; or, with
    `blank` > 0 and no items, that many empty lines (a file of newlines is counted, not listed)."""

    path: str
    fmt: str
    first: int
    items: tuple[Any, ...]
    blank: int = 0

    @property
    def lines(self) -> int:
        """How many lines (or entries) the chunk stands for."""
        return len(self.items) + self.blank


@dataclass(frozen=True)
class InputInfo:
    """What the summary's `inputs` list says about a file, except its counts."""

    path: str
    format: str
    compression: str
    damaged: str | None
