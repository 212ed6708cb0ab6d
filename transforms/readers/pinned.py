"""Files held open by the process that planned them, so a run reads the file it planned.

Cron plans byte ranges by path, then the pipeline opens the paths. A logrotate `mv` in between made
the run read the new, empty `access.log` while the old file's offset still advanced: its records
were lost for good. The planner keeps a descriptor of every file it planned here; the reader opens
that descriptor's file (`/proc/self/fd/N`: the same inode, renamed or even deleted), not the name.
Only in the process that pinned them: a worker process finds nothing here and opens the path.
"""

from __future__ import annotations

import os
import threading
from typing import IO

__all__ = ["open_pinned", "pin_all", "unpin_all"]

_LOCK = threading.Lock()
_PINNED: dict[str, int] = {}


def pin_all(fds: dict[str, int]) -> None:
    """Hold these descriptors (path -> fd, owned from now on) until `unpin_all`."""
    with _LOCK:
        for path, fd in fds.items():
            old = _PINNED.pop(path, None)
            if old is not None:
                os.close(old)
            _PINNED[path] = fd


def unpin_all() -> None:
    with _LOCK:
        for fd in _PINNED.values():
            os.close(fd)
        _PINNED.clear()


def open_pinned(path: str) -> IO[bytes] | None:
    """A new handle on the pinned file of `path` (its own offset), or None when it is not pinned."""
    with _LOCK:
        fd = _PINNED.get(path)
        if fd is None:
            return None
        try:
            return open(f"/proc/self/fd/{fd}", "rb")
        except OSError:
            return os.fdopen(os.dup(fd), "rb")  # no /proc: a shared offset, but read with seeks
