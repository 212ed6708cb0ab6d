"""What is new in a log folder since the last run: file identities, offsets and the plan.

A file is recognised by its content, not its name: a hash of the first bytes of its decompressed
data (`access.log` -> `access.log.1` -> `access.log.2.gz` keeps one identity). For each identity the
manifest remembers how many decompressed bytes and lines were consumed and whether the file is
finished (an immutable archive read to its end). A plan lists, per file, the byte range to read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from statuslens.transforms.readers.compression import StreamingDecompressor, compression_of
from statuslens.transforms.readers.formats import is_har_name

__all__ = ["FileState", "Manifest", "PlannedRead", "fingerprint", "plan_reads", "read_head"]

HEAD_BYTES = 1024
_BLOCK = 1 << 20


@dataclass
class FileState:
    """One content identity in the manifest."""

    fingerprint: str
    prefix_len: int
    offset: int = 0  # decompressed bytes consumed (always at a line boundary)
    lines: int = 0  # lines consumed, so line numbers continue across runs
    done: bool = False  # an immutable file read to its end: nothing more will come
    path: str = ""  # where it was last seen (informational)


@dataclass(frozen=True)
class PlannedRead:
    """Read `path` from decompressed byte `start` (line `first_line`) to `end` (None: to its end)."""

    path: str
    start: int
    end: int | None
    first_line: int
    identity: str
    prefix_len: int
    compressed: bool  # read as a whole (an archive or a HAR file): done once read
    new_offset: int | None  # for plain files: the offset after this read; archives: read to the end
    new_lines: int | None


@dataclass
class Manifest:
    files: dict[str, FileState]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Manifest:
        return cls({key: FileState(**value) for key, value in doc.items()})

    def to_json(self) -> dict[str, Any]:
        return {key: asdict(value) for key, value in sorted(self.files.items())}

    def record(self, read: PlannedRead) -> None:
        """Remember a finished read: archives are done, plain files advance to their new offset."""
        state = self.files.get(read.identity)
        if state is None:
            state = self.files[read.identity] = FileState(read.identity, read.prefix_len)
        state.path = read.path
        if read.compressed:
            state.done = True
        else:
            assert read.new_offset is not None and read.new_lines is not None
            state.offset, state.lines = read.new_offset, read.new_lines

    def match(self, head: bytes) -> FileState | None:
        """The known identity whose fingerprint covers this head, if any (longest prefix wins)."""
        best: FileState | None = None
        for state in self.files.values():
            covers = state.prefix_len <= len(head) and fingerprint(head[: state.prefix_len]) == state.fingerprint
            if covers and (best is None or state.prefix_len > best.prefix_len):
                best = state
        return best


def fingerprint(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest()


def read_head(path: str) -> tuple[bytes, str]:
    """The first HEAD_BYTES of the decompressed content, and the compression."""
    with open(path, "rb") as raw:
        magic = raw.read(8)
        raw.seek(0)
        compression = compression_of(path, magic)
        if compression == "none":
            return raw.read(HEAD_BYTES), compression
        try:
            stream = StreamingDecompressor(raw, compression)
            head = b""
            while len(head) < HEAD_BYTES:
                block = stream.read(HEAD_BYTES - len(head))
                if not block:
                    break
                head += block
        except Exception:  # a damaged archive still has an identity: its raw bytes
            raw.seek(0)
            head = raw.read(HEAD_BYTES)
        return head, compression


def plan_reads(
    paths: Iterable[str], manifest: Manifest, now: float, settle_seconds: float, partial_after: float | None = None
) -> tuple[list[PlannedRead], list[str]]:
    """(reads to do, notes on files skipped) for the files currently matched by the inputs.

    A plain file's unterminated last line is read once the file has not changed for
    `partial_after` seconds (default: `settle_seconds`; infinity never reads it, like tail -F)."""
    partial_after = settle_seconds if partial_after is None else partial_after
    candidates: dict[str, list[tuple[str, bytes, str, os.stat_result]]] = {}
    notes: list[str] = []
    for path in sorted(paths):
        try:
            info = os.stat(path)
            head, compression = read_head(path)
        except OSError as exc:
            notes.append(f"{path}: cannot read: {exc.strerror}")
            continue
        if not head:
            continue  # empty: nothing to read, no identity yet
        settled = now - info.st_mtime >= settle_seconds
        whole = compression != "none" or is_har_name(path)  # read once, to the end, when settled
        if whole and not settled:
            notes.append(f"{path}: modified less than the settle time ago; waits for the next run")
            continue
        known = manifest.match(head)
        identity = known.fingerprint if known else fingerprint(head)
        candidates.setdefault(identity, []).append((path, head, compression, info))

    reads: list[PlannedRead] = []
    for identity, files in sorted(candidates.items()):
        # One identity, several files (a rotation caught mid-way): read the plain one, if any.
        files.sort(key=lambda f: (f[2] != "none", f[0]))
        path, head, compression, info = files[0]
        for other, *_ in files[1:]:
            notes.append(f"{other}: same content as {path}; read once")
        state = manifest.files.get(identity)
        if state is not None and state.done:
            continue
        start = state.offset if state else 0
        lines = state.lines if state else 0
        if compression != "none" or is_har_name(path):
            reads.append(PlannedRead(path, start, None, lines + 1, identity, len(head), True, None, None))
            continue
        settled = now - info.st_mtime >= partial_after
        if info.st_size < start:
            notes.append(f"{path}: shorter than what was read before (replaced); read from the start")
            start, lines = 0, 0
        end, count = _plain_end(path, start, info.st_size, include_partial=settled)
        if end > start:
            reads.append(PlannedRead(path, start, end, lines + 1, identity, len(head), False, end, lines + count))
    return reads, notes


def _plain_end(path: str, start: int, size: int, include_partial: bool) -> tuple[int, int]:
    """Where the complete lines after `start` end, and how many lines that is."""
    count = 0
    last_newline = -1
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start
        while position < size:
            block = handle.read(min(_BLOCK, size - position))
            if not block:
                break
            found = block.rfind(b"\n")
            if found != -1:
                count += block.count(b"\n")
                last_newline = position + found
            position += len(block)
    if include_partial and position > last_newline + 1 and position > start:
        return position, count + 1
    return (last_newline + 1 if last_newline >= 0 else start), count
