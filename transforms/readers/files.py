"""Read one input file into chunks of lines (or HAR entries), streaming and with damage visible.

Beam's own text source returns the readable half of a truncated gzip without a word and decodes
whole files as UTF-8; this reader streams decompressed bytes (flat memory, gzip/bzip2/xz by magic
bytes or extension), keeps invalid UTF-8 a per-line matter, caps line length, and turns a damaged
archive into one `Problem` naming the file and the reason, after every line read in full.
"""

from __future__ import annotations

import bisect
import bz2
import itertools
import lzma
import zlib
from collections.abc import Iterator
from typing import IO, Any, Protocol

from statuslens.transforms.model.chunks import Chunk, InputInfo, Problem
from statuslens.transforms.readers.formats import HAR, detect_format, is_har_name
from statuslens.transforms.readers.har import HarError, har_entries

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_CHUNK_LINES",
    "DEFAULT_MAX_LINE_BYTES",
    "read_input",
]

DEFAULT_CHUNK_LINES = 2_000
DEFAULT_CHUNK_BYTES = 1 << 20
DEFAULT_MAX_LINE_BYTES = 1 << 20
MAX_HAR_BYTES = 256 << 20
_BLOCK = 1 << 20
_RAW_BLOCK = 64 << 10
_SNIFF_LINES = 50
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
_EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}


def read_input(
    path: str,
    log_format: str | None = None,
    *,
    opener: Any = None,
    start: int = 0,
    end: int | None = None,
    first_line: int = 1,
    chunk_lines: int = DEFAULT_CHUNK_LINES,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[Chunk | InputInfo]:
    """Yield the file's chunks, then exactly one InputInfo.

    `opener(path)` returns a binary file object (Beam's FileSystems.open on workers; plain `open`
    by default). A damaged file yields its good lines, then one chunk holding the damage Problem.
    `start`/`end` bound the decompressed bytes read (an incremental run's new lines), and
    `first_line` numbers the first of them.
    """
    open_file = opener or (lambda p: open(p, "rb"))  # noqa: SIM115 - closed below
    compression = "none"
    fmt = log_format or "unknown"
    damage: str | None = None
    try:
        raw = open_file(path)
    except OSError as exc:
        damage = f"cannot open: {exc.strerror or exc}"
        yield Chunk(path, fmt, 1, (Problem(damage, b"", damage=True),))
        yield InputInfo(path, fmt, compression, damage)
        return
    with raw:
        head = raw.read(8)
        raw.seek(0)
        compression = compression_of(path, head)
        stream, problem = _decompressed(raw, compression, path, head)
        if problem is not None:
            yield Chunk(path, fmt, first_line, (problem,))
            yield InputInfo(path, fmt, compression, problem.reason)
            return
        assert stream is not None
        if start or end is not None:
            stream = _Window(stream, start, end, seekable=compression == "none")
        reader = _LineReader(stream, max_line_bytes)
        # HAR files are always read as HAR (§6), --log-format or not.
        if is_har_name(path) or _looks_like_har(reader):
            fmt = HAR
            yield from _har_chunks(path, reader, chunk_lines)
        else:
            if log_format is None:
                fmt = detect_format(reader.peek_lines(_SNIFF_LINES))
            yield from _line_chunks(path, fmt, reader, chunk_lines, chunk_bytes, first_line)
        damage = reader.damage
    yield InputInfo(path, fmt, compression, damage)


def compression_of(path: str, head: bytes) -> str:
    """gzip, bzip2, xz, zstd or none: by magic bytes first, by file name second."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    lowered = path.lower()
    for ext, name in _EXTENSIONS.items():
        if lowered.endswith(ext):
            return name
    return "none"


class _Readable(Protocol):
    """What the line reader needs of a stream: a file, a decompressor or a byte window."""

    def read(self, size: int = ..., /) -> bytes: ...


def _decompressed(raw: IO[bytes], compression: str, path: str, head: bytes) -> tuple[_Readable | None, Problem | None]:
    if compression == "none":
        return raw, None
    expected = {name: magic for magic, name in _MAGIC}[compression]
    if not head.startswith(expected):
        reason = f"not {compression} data although the name says so"
        return None, Problem(reason, head, damage=True)
    if compression == "zstd":
        return None, Problem("zstd compression is not supported", head, damage=True)
    return StreamingDecompressor(raw, compression), None


class StreamingDecompressor:
    """Decompresses gzip/bzip2/xz (multi-member too) a block at a time, bounded in output size.

    Unlike `gzip.GzipFile`, which discards what it decompressed in a read that then hits the end of
    a truncated file, this returns every byte it could decompress before raising EOFError, so a
    damaged archive keeps all its complete lines.
    """

    def __init__(self, raw: IO[bytes], kind: str) -> None:
        self._raw = raw
        self._kind = kind
        self._decoder: Any = self._new_decoder()
        self._input = b""

    def _new_decoder(self) -> Any:
        if self._kind == "gzip":
            return zlib.decompressobj(31)
        if self._kind == "bzip2":
            return bz2.BZ2Decompressor()
        return lzma.LZMADecompressor()

    def _read_raw(self) -> bytes:
        return self._raw.read(_RAW_BLOCK)

    def read(self, size: int = _BLOCK) -> bytes:
        """Up to `size` decompressed bytes; b"" at a clean end; EOFError where the data stops short."""
        size = size if size and size > 0 else _BLOCK
        while True:
            decoder = self._decoder
            if decoder.eof:
                rest = decoder.unused_data + self._input
                self._input = b""
                while not rest.strip(b"\0"):  # nothing, or zero padding after the last member
                    rest = self._read_raw()
                    if not rest:
                        return b""
                self._decoder = self._new_decoder()
                self._input = rest.lstrip(b"\0") if self._kind == "gzip" else rest
                continue
            if self._kind == "gzip":
                if not self._input:
                    self._input = self._read_raw()
                    if not self._input:
                        raise EOFError("compressed data ends before its end-of-stream marker")
                out: bytes = decoder.decompress(self._input, size)
                self._input = decoder.unconsumed_tail
            else:
                data = b""
                if decoder.needs_input:
                    data, self._input = (self._input or self._read_raw()), b""
                    if not data:
                        raise EOFError("compressed data ends before its end-of-stream marker")
                out = decoder.decompress(data, size)
            if out:
                return out

    def close(self) -> None:
        self._raw.close()


class _Window:
    """The decompressed bytes [start, end) of a stream (end None: to the end)."""

    def __init__(self, stream: Any, start: int, end: int | None, seekable: bool) -> None:
        self._stream = stream
        self._left = None if end is None else max(0, end - start)
        if seekable:
            stream.seek(start)
        else:
            remaining = start
            while remaining > 0:
                skipped = stream.read(min(_BLOCK, remaining))
                if not skipped:
                    break
                remaining -= len(skipped)

    def read(self, size: int = _BLOCK) -> bytes:
        if self._left is not None:
            if self._left <= 0:
                return b""
            size = min(size, self._left)
        data: bytes = self._stream.read(size)
        if self._left is not None:
            self._left -= len(data)
        return data


class _LineReader:
    """Lines of a byte stream, with lookahead for sniffing and a damage reason if reading broke."""

    def __init__(self, stream: _Readable, max_line_bytes: int) -> None:
        self._stream = stream
        self._max = max_line_bytes
        self._pending: list[bytes | Problem] = []
        self._buffer = b""
        self._skipping: bytes | None = None  # the start of a too-long line being skipped
        self.damage: str | None = None
        self.tail = b""  # the partial line cut off by damage
        self._eof = False

    def read_all(self, limit: int) -> bytes:
        """The rest of the stream as one block (HAR), bounded by `limit`."""
        parts = [line + b"\n" for line in self._pending if isinstance(line, bytes)]
        self._pending = []
        parts.append(self._buffer)
        self._buffer = b""
        size = sum(len(part) for part in parts)
        # One read() returns a block, not the rest: loop to the end, where a truncated archive raises.
        try:
            while size <= limit:
                block = self._stream.read(min(_BLOCK, limit + 1 - size))
                if not block:
                    break
                parts.append(block)
                size += len(block)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            self.damage = _damage_reason(exc)
        self._eof = True
        return b"".join(parts)

    def peek_lines(self, count: int) -> list[bytes]:
        while sum(1 for x in self._pending if isinstance(x, bytes) and x.strip()) < count and self._fill():
            pass
        return [x for x in self._pending if isinstance(x, bytes)][: count * 4]

    def __iter__(self) -> Iterator[bytes | Problem]:
        for block in self.blocks():
            yield from block

    def blocks(self) -> Iterator[list[bytes | Problem]]:
        """The items in the lists they were read in (one per block read): no per-line generator step."""
        while True:
            if self._pending:
                block, self._pending = self._pending, []
                yield block
            if not self._fill():
                if self._pending:
                    continue
                return

    def _fill(self) -> bool:
        """Read one block into `_pending`; False at the end (or the damage) of the stream."""
        if self._eof:
            return False
        try:
            block = self._stream.read(_BLOCK)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            self.damage = _damage_reason(exc)
            self.tail = (self._skipping or self._buffer)[:1024]
            self._buffer = b""
            self._eof = True
            self._pending.append(Problem(self.damage, self.tail, damage=True))
            return True
        if not block:
            self._eof = True
            if self._skipping is not None:
                self._pending.append(_too_long(self._skipping, self._max))
                self._skipping = None
            elif self._buffer:
                self._pending.append(self._buffer)
                self._buffer = b""
            return bool(self._pending)
        if self._skipping is not None:
            newline = block.find(b"\n")
            if newline == -1:
                return True
            self._pending.append(_too_long(self._skipping, self._max))
            self._skipping = None
            block = block[newline + 1 :]
        lines = block.split(b"\n")
        if self._buffer:  # the line cut at the end of the previous block (not the whole block copied)
            lines[0] = self._buffer + lines[0]
        self._buffer = lines.pop()
        if lines and max(map(len, lines)) <= self._max:
            self._pending.extend(lines)
        else:
            for line in lines:
                self._pending.append(line if len(line) <= self._max else _too_long(line, self._max))
        if len(self._buffer) > self._max:
            self._skipping = self._buffer[:1024]
            self._buffer = b""
        return True


def _too_long(start: bytes, limit: int) -> Problem:
    return Problem(f"line longer than {limit} bytes", start[:1024])


def _damage_reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "truncated archive: compressed data ends before its end-of-stream marker"
    return f"corrupt compressed data: {exc}"


def _looks_like_har(reader: _LineReader) -> bool:
    for line in reader.peek_lines(1):
        text = line.lstrip(b"\xef\xbb\xbf").strip()
        if text:
            return text == b"{" or text.startswith(b'{"log"') or text.startswith(b'{ "log"')
    return False


def _har_chunks(path: str, reader: _LineReader, chunk_lines: int) -> Iterator[Chunk]:
    data = reader.read_all(MAX_HAR_BYTES)
    if reader.damage is not None:
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    if len(data) > MAX_HAR_BYTES:
        reader.damage = f"HAR file larger than {MAX_HAR_BYTES} bytes"
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    try:
        entries = har_entries(data)
    except HarError as exc:
        reader.damage = str(exc)
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    del data
    step = max(1, chunk_lines // 4)
    for start in range(0, len(entries), step):
        yield Chunk(path, HAR, start + 1, tuple(entries[start : start + step]))


def _line_chunks(
    path: str, fmt: str, reader: _LineReader, chunk_lines: int, chunk_bytes: int, first: int = 1
) -> Iterator[Chunk]:
    """Chunks of at most `chunk_lines` items, each closed at the item that brings it to `chunk_bytes`
    (a Problem counts 1,024 bytes); cut from whole read blocks with C-level sums, not item by item."""
    items: list[bytes | Problem] = []
    size = 0
    for block in reader.blocks():
        start = 0
        while start < len(block):
            piece = block[start : start + chunk_lines - len(items)]
            try:
                sizes = list(map(len, piece))  # type: ignore[arg-type]
            except TypeError:  # a Problem among the lines
                sizes = [len(item) if isinstance(item, bytes) else 1024 for item in piece]
            totals = list(itertools.accumulate(sizes, initial=size))[1:]
            cut = bisect.bisect_left(totals, chunk_bytes)
            if cut < len(piece):
                piece = piece[: cut + 1]
            items.extend(piece)
            size = totals[len(piece) - 1]
            start += len(piece)
            if len(items) >= chunk_lines or size >= chunk_bytes:
                yield Chunk(path, fmt, first, tuple(items))
                first += len(items)
                items, size = [], 0
    if items:
        yield Chunk(path, fmt, first, tuple(items))
