"""Lines: a byte stream cut into lines and the lines into chunks, with damage kept in its place.

Invalid UTF-8 stays a per-line matter (lines are bytes), a line longer than the cap becomes one
`Problem` (its first KiB, redacted with the secrets named anywhere in the line: `LongLine`) and reading
goes on, and a stream that breaks off ends in one damage `Problem` after every
line read in full. Work is done per read block with C-level splits and sums, not per line.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from typing import cast

from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.readers.compression import DECOMPRESSION_ERRORS, READ_BLOCK, Readable, damage_reason
from statuslens.transforms.redact import collect_secrets, scrub

__all__ = [
    "BLANK_CHUNK_LINES",
    "SECRET_SCAN_BYTES",
    "SNIFF_BYTES",
    "BlankRun",
    "LineReader",
    "LongLine",
    "line_chunks",
]

# How much of one too-long line is searched for the secrets its kept start may hold; a line longer than
# this keeps no start at all (it could not be checked). The carry is what a block keeps of the one
# before, so that a `name=value` cut by a block boundary is still seen whole.
SECRET_SCAN_BYTES = 64 << 20
# How far format sniffing reads ahead for its non-blank lines; a file with none in its first 4 MiB is
# detected from what was found (none: `unknown`, every later line a dead letter, blank ones counted).
SNIFF_BYTES = 1 << 20
# A run of empty lines among others is cut into chunks this long, not into chunks of 2,000 lines.
BLANK_CHUNK_LINES = 1 << 20
_CARRY = 4096


class LongLine:
    """The start of a too-long line being skipped, redacted with the secrets named later in it.

    `oauth_token=` may come after the first KiB while its value also sits in it (repeated, or in
    another parameter): each skipped block is searched for secrets and the kept start scrubbed.
    """

    __slots__ = ("_carry", "_scanned", "head")

    def __init__(self, start: bytes) -> None:
        self.head = start[:1024]
        self._carry = b""
        self._scanned = 0
        self.feed(start)

    def feed(self, block: bytes) -> None:
        """Search the next part of the line (up to SECRET_SCAN_BYTES in all)."""
        if not self.head:
            return
        self._scanned += len(block)
        if self._scanned > SECRET_SCAN_BYTES:
            self.head = b""
            return
        self.head = _scrub_named_in(self.head, self._carry + block)
        self._carry = block[-_CARRY:]

    def problem(self, limit: int) -> Problem:
        return Problem(f"line longer than {limit} bytes", self.head)


def _scrub_named_in(head: bytes, part: bytes) -> bytes:
    """`head` without the secrets that `part` (more of the same line) names."""
    if b"=" not in part and b"%" not in part and b"@" not in part:
        return head
    secrets = collect_secrets(part.decode("utf-8", "surrogateescape"))
    if not secrets:
        return head
    return scrub(head.decode("utf-8", "surrogateescape"), secrets).encode("utf-8", "surrogateescape")


class BlankRun:
    """`count` empty lines in a row, read as whole blocks of newlines: one item, not `count` of them."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


class LineReader:
    """Lines of a byte stream (bytes, Problems, and a BlankRun for read blocks of newlines only), with
    lookahead for sniffing and a damage reason if reading broke."""

    def __init__(self, stream: Readable, max_line_bytes: int) -> None:
        self._stream = stream
        self._max = max_line_bytes
        self._pending: list[bytes | Problem | BlankRun] = []
        self._marks: list[int] = []  # where the BlankRuns of _pending are (blocks() yields each alone)
        self._buffer = b""
        self._skipping: LongLine | None = None  # a too-long line being skipped
        self.damage: str | None = None
        self.tail = b""  # the partial line cut off by damage
        self._eof = False
        self._peeked = 0  # bytes read by _fill so far (peek_lines stops at SNIFF_BYTES)

    def read_all(self, limit: int) -> bytes:
        """The rest of the stream as one block (HAR), bounded by `limit`."""
        parts = [
            line + b"\n" if isinstance(line, bytes) else b"\n" * line.count
            for line in self._pending
            if not isinstance(line, Problem)
        ]
        self._pending, self._marks = [], []
        parts.append(self._buffer)
        self._buffer = b""
        size = sum(len(part) for part in parts)
        # One read() returns a block, not the rest: loop to the end, where a truncated archive raises.
        try:
            while size <= limit:
                block = self._stream.read(min(READ_BLOCK, limit + 1 - size))
                if not block:
                    break
                parts.append(block)
                size += len(block)
        except DECOMPRESSION_ERRORS as exc:
            self.damage = damage_reason(exc)
        self._eof = True
        return b"".join(parts)

    def peek_lines(self, count: int) -> list[bytes]:
        """Up to `count * 4` lines ahead (at least `count` non-blank where there are), not consumed.

        Bounded: it reads at most SNIFF_BYTES ahead and counts each block's lines once, so a file of
        blank lines (50 MB of newlines) is neither buffered whole nor rescanned at every block."""
        found = checked = runs = 0
        while found < count:
            # C-level counts per new block (a line of spaces counts, detection skips it later).
            new = self._pending[checked:]
            found += len(new) - new.count(b"") - (len(self._marks) - runs)
            checked, runs = len(self._pending), len(self._marks)
            if found >= count or self._peeked >= SNIFF_BYTES or not self._fill():
                break
        wanted, seen = count * 4, 0  # of the first `wanted` items (a Problem counts one, a BlankRun its lines)
        lines: list[bytes] = []
        for item in self._pending:
            if seen >= wanted:
                break
            if isinstance(item, BlankRun):
                lines += [b""] * min(item.count, wanted - seen)
            elif isinstance(item, bytes):
                lines.append(item)
            seen += item.count if isinstance(item, BlankRun) else 1
        return lines

    def __iter__(self) -> Iterator[bytes | Problem]:
        for block in self.blocks():
            for item in block:
                if isinstance(item, BlankRun):
                    yield from itertools.repeat(b"", item.count)
                else:
                    yield item

    def blocks(self) -> Iterator[list[bytes | Problem | BlankRun]]:
        """The items in the lists they were read in (one per block read): no per-line generator step."""
        while True:
            if self._pending:
                block, marks, self._pending, self._marks = self._pending, self._marks, [], []
                if not marks:
                    yield block
                    continue
                start = 0
                for mark in marks:  # lines, then the run alone, then the lines after it
                    if mark > start:
                        yield block[start:mark]
                    yield block[mark : mark + 1]
                    start = mark + 1
                if start < len(block):
                    yield block[start:]
            if not self._fill():
                if self._pending:
                    continue
                return

    def _fill(self) -> bool:
        """Read one block into `_pending`; False at the end (or the damage) of the stream."""
        if self._eof:
            return False
        try:
            block = self._stream.read(READ_BLOCK)
        except DECOMPRESSION_ERRORS as exc:
            self.damage = damage_reason(exc)
            self.tail = self._skipping.head if self._skipping is not None else self._buffer[:1024]
            self._buffer = b""
            self._eof = True
            self._pending.append(Problem(self.damage, self.tail, damage=True))
            return True
        self._peeked += len(block)
        if not block:
            self._eof = True
            if self._skipping is not None:
                self._pending.append(self._skipping.problem(self._max))
                self._skipping = None
            elif self._buffer:
                self._pending.append(self._buffer)
                self._buffer = b""
            return bool(self._pending)
        if self._skipping is not None:
            newline = block.find(b"\n")
            if newline == -1:
                self._skipping.feed(block)
                return True
            self._skipping.feed(block[:newline])
            self._pending.append(self._skipping.problem(self._max))
            self._skipping = None
            block = block[newline + 1 :]
        if not self._buffer and block.count(b"\n") == len(block):  # newlines only: one count, no list
            pending = self._pending
            if pending and isinstance(pending[-1], BlankRun):
                pending[-1].count += len(block)
            else:
                self._marks.append(len(pending))
                pending.append(BlankRun(len(block)))
            return True
        lines = block.split(b"\n")
        if self._buffer:  # the line cut at the end of the previous block (not the whole block copied)
            lines[0] = self._buffer + lines[0]
        self._buffer = lines.pop()
        if lines and max(map(len, lines)) <= self._max:
            self._pending.extend(lines)
        else:
            for line in lines:
                self._pending.append(line if len(line) <= self._max else LongLine(line).problem(self._max))
        if len(self._buffer) > self._max:
            self._skipping = LongLine(self._buffer)
            self._buffer = b""
        return True


def line_chunks(
    path: str, fmt: str, reader: LineReader, chunk_lines: int, chunk_bytes: int, first: int = 1
) -> Iterator[Chunk]:
    """Chunks of at most `chunk_lines` items, each closed at the item that brings it to `chunk_bytes`
    (a Problem counts 1,024 bytes); cut from whole read blocks with C-level sums, not item by item."""
    items: list[bytes | Problem] = []
    size = 0
    for block in reader.blocks():
        start = 0
        while start < len(block):
            marker = block[start]
            if isinstance(marker, BlankRun):  # whole blocks of newlines: one chunk that counts them
                if items:
                    yield Chunk(path, fmt, first, tuple(items))
                    first += len(items)
                    items, size = [], 0
                yield Chunk(path, fmt, first, (), blank=marker.count)
                first += marker.count
                start += 1
                continue
            run = _blank_run(block, start, chunk_lines)
            if run:  # thousands of empty lines: a few big chunks, counted at C speed downstream
                if items:
                    yield Chunk(path, fmt, first, tuple(items))
                    first += len(items)
                    items, size = [], 0
                for begin in range(start, start + run, BLANK_CHUNK_LINES):
                    piece = block[begin : min(begin + BLANK_CHUNK_LINES, start + run)]
                    yield Chunk(path, fmt, first, tuple(piece))
                    first += len(piece)
                start += run
                continue
            piece = block[start : start + chunk_lines - len(items)]
            try:
                sizes = list(map(len, piece))  # type: ignore[arg-type]
            except TypeError:  # a Problem among the lines
                sizes = [len(item) if isinstance(item, bytes) else 1024 for item in piece]
            totals = list(itertools.accumulate(sizes, initial=size))[1:]
            cut = bisect.bisect_left(totals, chunk_bytes)
            if cut < len(piece):
                piece = piece[: cut + 1]
            items.extend(cast("list[bytes | Problem]", piece))  # blocks() yields a BlankRun alone
            size = totals[len(piece) - 1]
            start += len(piece)
            if len(items) >= chunk_lines or size >= chunk_bytes:
                yield Chunk(path, fmt, first, tuple(items))
                first += len(items)
                items, size = [], 0
    if items:
        yield Chunk(path, fmt, first, tuple(items))


def _blank_run(block: list[bytes | Problem | BlankRun], start: int, step: int) -> int:
    """How many empty lines from `start`, in whole slices of `step`, `2 * step`, …: 0 unless at least
    `step` (one C-level count of `step` items per chunk in the common case)."""
    run = 0
    while start + run + step <= len(block) and block[start + run : start + run + step].count(b"") == step:
        run += step
        step *= 2
    return run
