"""A memo for the hot path whose memory stays bounded whatever the input.

Logs repeat themselves (the same second, the same error body, the same path), so remembering a
parse pays; hostile logs repeat nothing and make every key as long as a line may be, so a memo
bounded only by its number of entries could grow to gigabytes. `BoundedMemo` is a plain dict (a
hit is one C-level `get`) that is emptied when either its entry count or the summed size of what
it holds would pass its limits; emptying rather than LRU keeps hits at full dict speed, and a log's
repetitions are recent, so the memo refills at once.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BoundedMemo"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """`memo.get(key)`; on a miss `memo.put(key, value, size)` (size: the key's characters or bytes)."""

    __slots__ = ("max_entries", "max_size", "size")  # no instance dict: `memo.get` resolves as fast as a dict's

    def __init__(self, max_entries: int, max_size: int) -> None:
        super().__init__()
        self.max_entries = max_entries
        self.max_size = max_size
        self.size = 0

    def clear(self) -> None:
        super().clear()
        self.size = 0

    def put(self, key: K, value: V, size: int) -> V:
        """Remember `value` under `key` unless `size` alone is over a tenth of the budget."""
        if size * 10 > self.max_size:
            return value
        if len(self) >= self.max_entries or self.size + size > self.max_size:
            self.clear()
        self[key] = value
        self.size += size
        return value
