"""Read one input file into chunks of lines (or HAR entries), streaming and with damage visible.

`read_input` only strings the steps together: open, detect the compression (`compression`), detect
the format (`formats`), cut the decompressed stream into chunks (`lines`, or `har` for a HAR
document), and say once what the file was (`InputInfo`, its damage included).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from statuslens.transforms.model.chunks import Chunk, InputInfo, Problem
from statuslens.transforms.readers.byte_window import ByteWindow
from statuslens.transforms.readers.compression import compression_of, open_decompressed
from statuslens.transforms.readers.formats import HAR, UNKNOWN, detect_format, is_har_name
from statuslens.transforms.readers.har import har_chunks, looks_like_har
from statuslens.transforms.readers.lines import LineReader, line_chunks

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_CHUNK_LINES",
    "DEFAULT_MAX_LINE_BYTES",
    "read_input",
]

DEFAULT_CHUNK_LINES = 2_000
DEFAULT_CHUNK_BYTES = 1 << 20
DEFAULT_MAX_LINE_BYTES = 1 << 20
_SNIFF_LINES = 50


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
    fmt = log_format or UNKNOWN
    damage: str | None = None
    try:
        raw = open_file(path)
    except OSError as exc:
        damage = f"cannot open: {exc.strerror or exc}"
        yield Chunk(path, fmt, 1, (Problem(damage, b"", damage=True),))
        yield InputInfo(path, fmt, compression, damage)
        return
    with raw:
        try:
            head = raw.read(8)
            raw.seek(0)
        except OSError as exc:  # EIO on the first read: one damaged input, not a failed run
            damage = f"cannot read: {exc.strerror or exc}"
            yield Chunk(path, fmt, 1, (Problem(damage, b"", damage=True),))
            yield InputInfo(path, fmt, compression, damage)
            return
        compression = compression_of(path, head)
        stream, problem = open_decompressed(raw, compression, head)
        if problem is not None:
            yield Chunk(path, fmt, first_line, (problem,))
            yield InputInfo(path, fmt, compression, problem.reason)
            return
        assert stream is not None
        if start or end is not None:
            stream = ByteWindow(stream, start, end, seekable=compression == "none")
        reader = LineReader(stream, max_line_bytes)
        # HAR files are always read as HAR (§6), --log-format or not.
        if is_har_name(path) or looks_like_har(reader):
            fmt = HAR
            yield from har_chunks(path, reader, chunk_lines)
        else:
            if log_format is None:
                fmt = detect_format(reader.peek_lines(_SNIFF_LINES))
            yield from line_chunks(path, fmt, reader, chunk_lines, chunk_bytes, first_line)
        damage = reader.damage
    yield InputInfo(path, fmt, compression, damage)
