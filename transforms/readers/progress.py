"""What the readers have read so far, for the command's progress line, across worker processes.

The multi-process runner's workers are separate processes, so each process that reads keeps its own
tally and now and then (at most every `WRITE_EVERY` seconds, checked once per chunk of 2,000 lines)
rewrites one small JSON file in a folder the command made and polls (pipelines/progress.py):
`{"records": N, "position": {KEY: raw file offset of an input being read}, "done": [KEY, …]}`. A file
is replaced atomically (written beside, then renamed), so the reader of the folder never sees half of
one. Nothing of this runs unless the command asked for progress: readers get no folder otherwise.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import IO, Any, ClassVar

import orjson

__all__ = ["WRITE_EVERY", "ReadProgress", "input_key"]

WRITE_EVERY = 0.25  # seconds between two writes of a process's file


def input_key(path: str, start: int) -> str:
    """One input of a run (a file, or a range of one from `start`), as both sides name it."""
    return f"{start}:{path}"


class ReadProgress:
    """The tally of one process for one progress folder (`shared` gives every reader of the process the
    same one; the local runner may read on several threads)."""

    _shared: ClassVar[dict[str, ReadProgress]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, folder: str) -> None:
        self.pid = os.getpid()
        self.path = os.path.join(folder, f"{self.pid}-{id(self):x}.json")
        self.records = 0
        self._handles: dict[str, IO[bytes]] = {}
        self._positions: dict[str, int] = {}
        self._done: list[str] = []
        self._lock = threading.Lock()
        self._next_write = 0.0
        self._broken = not os.path.isdir(folder)  # a remote worker: nothing to tell, nothing to fail

    @classmethod
    def shared(cls, folder: str) -> ReadProgress:
        with cls._shared_lock:
            found = cls._shared.get(folder)
            if found is None or found.pid != os.getpid():  # none yet, or one inherited by a fork
                found = cls._shared[folder] = cls(folder)
            return found

    def opened(self, key: str, handle: Any) -> Any:
        """Remember the raw file of an input being read (its offset is how far reading got); returns it."""
        with self._lock:
            self._handles[key] = handle
        return handle

    def read(self, key: str, items: int) -> None:
        """`items` more lines (or HAR entries) of the input `key` were read."""
        self.records += items
        now = time.monotonic()
        if now >= self._next_write:
            self._next_write = now + WRITE_EVERY
            self._write(key)

    def finished(self, key: str) -> None:
        """The input `key` was read to its end (told at once: the line counts whole files)."""
        with self._lock:
            self._handles.pop(key, None)
            self._positions.pop(key, None)
            self._done.append(key)
        self._write(None)

    def _write(self, key: str | None) -> None:
        if self._broken:
            return
        with self._lock:
            if key is not None and key in self._handles:
                with contextlib.suppress(OSError, ValueError):  # closed already: finished() follows
                    self._positions[key] = self._handles[key].tell()
            doc = {"records": self.records, "position": dict(self._positions), "done": list(self._done)}
            temp = self.path + ".tmp"
            try:
                with open(temp, "wb") as handle:
                    handle.write(orjson.dumps(doc))
                os.replace(temp, self.path)
            except OSError:
                self._broken = True  # the folder went away (the run is ending): stop telling
