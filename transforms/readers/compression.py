"""Compression: which one a file uses, its decompressed bytes as a stream, and damage as a `Problem`.

Beam's own text source returns the readable half of a truncated gzip without a word; this streams
gzip/bzip2/xz (found by magic bytes, then by extension) a block at a time with flat memory, keeps
every byte decompressed before the data stops short, and names the damage in words a summary shows.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from typing import IO, Any, Protocol

from statuslens.transforms.model.chunks import Problem

__all__ = [
    "DECOMPRESSION_ERRORS",
    "READ_BLOCK",
    "SUSPECT",
    "Readable",
    "StreamingDecompressor",
    "compression_of",
    "damage_reason",
    "open_decompressed",
]

READ_BLOCK = 1 << 20  # decompressed bytes asked of a stream per read
_RAW_BLOCK = 64 << 10
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
_EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}
# What reading a damaged archive raises, from the decompressors or the file beneath them.
DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError)


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


class Readable(Protocol):
    """What the line reader needs of a stream: a file, a decompressor or a byte window."""

    def read(self, size: int = ..., /) -> bytes: ...


def open_decompressed(raw: IO[bytes], compression: str, head: bytes) -> tuple[Readable | None, Problem | None]:
    """The decompressed stream of `raw`, or the damage Problem when it cannot be decompressed at all."""
    if compression == "none":
        return raw, None
    expected = {name: magic for magic, name in _MAGIC}[compression]
    if not head.startswith(expected):
        reason = f"not {compression} data although the name says so"
        return None, Problem(reason, head, damage=True)
    if compression == "zstd":
        return None, Problem("zstd compression is not supported", head, damage=True)
    return StreamingDecompressor(raw, compression), None


SUSPECT = "the records read from this file are suspect"


def damage_reason(exc: BaseException) -> str:
    """The words for one of DECOMPRESSION_ERRORS raised while reading."""
    if isinstance(exc, EOFError):
        return "truncated archive: compressed data ends before its end-of-stream marker"
    if isinstance(exc, OSError) and exc.errno:  # the file beneath: EIO and the like, not the data
        return f"read error: {exc.strerror or exc}; reading stopped there"
    # Corrupt data (a flipped byte) is found where the decoder trips or at the checksum at the end,
    # after it may have handed out garbage: nothing read from the file can be trusted.
    return f"corrupt compressed data: {exc}; {SUSPECT}"


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

    def read(self, size: int = READ_BLOCK) -> bytes:
        """Up to `size` decompressed bytes; b"" at a clean end; EOFError where the data stops short."""
        size = size if size and size > 0 else READ_BLOCK
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
