"""Crash-safe file writes: temp file, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["atomic_write", "fsync_dir", "write_after_commit"]


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader sees the old bytes or the new, never a mix.

    A write that fails (a full disk, a folder that is not writable) leaves no temp file behind."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def write_after_commit(flag: str, path: Path, data: bytes) -> bool:
    """Write a file that only reports on a run already done (--metrics-file): a failure is a warning
    on stderr, never the run's failure (its results stand, its exit status too)."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        print(
            f"warning: {flag} {str(path)!r}: cannot write it ({exc.strerror or exc}); the run's results stand",
            file=sys.stderr,
        )
        return False
    return True
