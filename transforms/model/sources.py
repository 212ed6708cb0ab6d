"""Where a record came from, as the outputs write it: `path:N`, `path:entryN`, or `path` alone.

Lines are numbered from 1, HAR entries too (`capture.har:entry3`); the one dead letter that stands
for a damaged input names the file alone. Batch, cron, ship and stream all write and read sources
through `SourceRef`, so a record shipped to Pub/Sub keeps the name it has in a batch run.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["HAR_ENTRY", "SourceRef", "source_prefix"]

HAR_ENTRY = ":entry"


class SourceRef(NamedTuple):
    """A record's place: `number` None for a whole input; `entry` True for a HAR entry."""

    path: str
    number: int | None = None
    entry: bool = False

    def __str__(self) -> str:
        if self.number is None:
            return self.path
        return f"{self.path}{HAR_ENTRY if self.entry else ':'}{self.number}"

    @classmethod
    def parse(cls, text: str, entry: bool = False) -> SourceRef:
        """The inverse of `str()`; `entry` says which separator to look for (the format is HAR).
        Text that names no number is a whole input."""
        path, separator, number = text.rpartition(HAR_ENTRY if entry else ":")
        if not separator or not (number.isascii() and number.isdigit()):
            return cls(text)
        return cls(path, int(number), entry)


def source_prefix(path: str, entry: bool) -> str:
    """`path:` or `path:entry`: what a chunk's items share, joined with each index on the hot path."""
    return path + (HAR_ENTRY if entry else ":")
