"""A window on a decompressed stream: the bytes a split of a large file or an incremental run reads."""

from __future__ import annotations

from typing import Any

from statuslens.transforms.readers.compression import READ_BLOCK

__all__ = ["ByteWindow"]


class ByteWindow:
    """The decompressed bytes [start, end) of a stream (end None: to the end)."""

    def __init__(self, stream: Any, start: int, end: int | None, seekable: bool) -> None:
        self._stream = stream
        self._left = None if end is None else max(0, end - start)
        if seekable:
            stream.seek(start)
        else:
            remaining = start
            while remaining > 0:
                skipped = stream.read(min(READ_BLOCK, remaining))
                if not skipped:
                    break
                remaining -= len(skipped)

    def read(self, size: int = READ_BLOCK) -> bytes:
        if self._left is not None:
            if self._left <= 0:
                return b""
            size = min(size, self._left)
        data: bytes = self._stream.read(size)
        if self._left is not None:
            self._left -= len(data)
        return data
