"""Inputs that spread over worker processes: the size estimate, and large plain files split by line.

Beam's local runner parallelises over the elements of the first stage, so large uncompressed files
are split into line-aligned byte ranges (a gzip stream cannot be split; many archives spread over
the workers by themselves). Whether workers are used at all is pipelines/plan.py's decision.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

from statuslens.transforms.readers.beam_read import InputRange
from statuslens.transforms.readers.compression import compression_of
from statuslens.transforms.readers.formats import detect_format, is_har_name

__all__ = ["SPLIT_MIN_BYTES", "estimated_bytes", "split_inputs"]

# Plain files at least this big are split (pipelines/plan.py's threshold for using workers is the same).
SPLIT_MIN_BYTES = 32 << 20
_GZIP_RATIO = 8  # a rough decompressed/compressed ratio for access logs
_SNIFF_BYTES = 64 << 10
_SPLITTABLE = frozenset({"jsonl", "common", "combined", "combined_body"})


def estimated_bytes(paths: Sequence[str | InputRange]) -> int:
    """Decompressed bytes of the local inputs, roughly (archives by a typical ratio); remote ones count 0."""
    total = 0
    for item in paths:
        path = (item.source or item.path) if isinstance(item, InputRange) else item
        if "://" in path:
            continue
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as handle:
                compressed = compression_of(path, handle.read(8)) != "none"
        except OSError:
            continue  # unreadable: the reader makes it one damaged input
        total += size * _GZIP_RATIO if compressed else size
    return total


def split_inputs(paths: Sequence[str], workers: int, log_format: str | None) -> list[str | InputRange]:
    """Paths, with each large local plain file replaced by line-aligned ranges (at least four per worker,
    at most 16 MiB each, a multiple of the worker count); each range knows its first line number and
    the file's format."""
    out: list[str | InputRange] = []
    for path in paths:
        size = os.path.getsize(path) if "://" not in path and os.path.isfile(path) else 0
        if size < SPLIT_MIN_BYTES or is_har_name(path) or workers < 2:
            out.append(path)
            continue
        try:
            with open(path, "rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError:
            out.append(path)  # unreadable: the reader makes it one damaged input
            continue
        if compression_of(path, head[:8]) != "none":
            out.append(path)
            continue
        fmt = log_format or detect_format(head.split(b"\n")[:50])
        if fmt not in _SPLITTABLE and log_format is None:
            out.append(path)  # a HAR, or a head too odd to be sure: the whole file, read and detected as usual
            continue
        # A multiple of the worker count: the local runner deals elements out round-robin, so each
        # worker gets the same number of equal ranges.
        parts = max(workers * 4, -(-size // (16 << 20)))
        parts = -(-parts // workers) * workers
        out.extend(_ranges(path, size, parts, fmt))
    return out


def _ranges(path: str, size: int, parts: int, fmt: str) -> list[InputRange]:
    """Split points moved to the next line start; line numbers counted on the way."""
    bounds = [0]
    with open(path, "rb") as handle:
        for i in range(1, parts):
            handle.seek(size * i // parts)
            handle.readline()
            position = handle.tell()
            if bounds[-1] < position < size:
                bounds.append(position)
        bounds.append(size)
        ranges = []
        line = 1
        handle.seek(0)
        for start, end in itertools.pairwise(bounds):
            ranges.append(InputRange(path, start, end, line, fmt))
            line += _count_newlines(handle, start, end)
    return ranges


def _count_newlines(handle: object, start: int, end: int) -> int:
    """Newlines in [start, end), read into one reused buffer (no new bytes object per block)."""
    count = 0
    position = start
    handle.seek(start)  # type: ignore[attr-defined]
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    while position < end:
        size = min(len(buffer), end - position)
        got = handle.readinto(view[:size])  # type: ignore[attr-defined]
        if not got:
            break
        count += buffer.count(b"\n", 0, got)
        position += got
    return count
