"""What makes two files one: the head hash, the bytes just before the consumed offset, the inode.

A hash of the first KiB alone takes two different files that start alike (the same banner, the same
first requests) for one, and the second is never read. The identity of a consumed part is therefore
three facts: the head's hash, the hash of the KiB that ends where reading stopped (`tail`), and the
(device, inode) pairs the content was seen under. A plain file is the same as a known one when its
head and its bytes before the known offset match; an inode already seen for that content is checked
the same cheap way (an inode can be reused). An archive seen under its inode is immutable, so it is
not decompressed again; an unseen archive is decompressed up to the offset once to check its tail.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import IO

from statuslens.transforms.readers.compression import DECOMPRESSION_ERRORS, StreamingDecompressor, compression_of

__all__ = ["HEAD_BYTES", "TAIL_BYTES", "Probe", "content_digest", "fingerprint", "head_of", "tail_hash"]

HEAD_BYTES = 1024
TAIL_BYTES = 1024
_BLOCK = 1 << 20


def fingerprint(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest()


def _decompressed(handle: IO[bytes], compression: str) -> IO[bytes] | StreamingDecompressor:
    handle.seek(0)
    return handle if compression == "none" else StreamingDecompressor(handle, compression)


def tail_hash(handle: IO[bytes], compression: str, offset: int) -> str:
    """The hash of the decompressed bytes [offset - TAIL_BYTES, offset), or "" when there are fewer."""
    begin = max(0, offset - TAIL_BYTES)
    want = offset - begin
    try:
        if compression == "none":
            handle.seek(begin)
            data = handle.read(want)
        else:
            stream, position, parts = _decompressed(handle, compression), 0, []
            while position < offset:
                block = stream.read(_BLOCK)
                if not block:
                    break
                low, high = max(begin - position, 0), min(offset - position, len(block))
                if low < high:
                    parts.append(block[low:high])
                position += len(block)
            data = b"".join(parts)
    except DECOMPRESSION_ERRORS:
        return ""
    return fingerprint(data) if len(data) == want else ""


def content_digest(handle: IO[bytes], compression: str) -> str:
    """The hash of the whole decompressed content (only for new files whose heads collide)."""
    digest = hashlib.sha256()
    try:
        stream = _decompressed(handle, compression)
        while block := stream.read(_BLOCK):
            digest.update(block)
    except DECOMPRESSION_ERRORS:
        digest.update(b"\x00damaged")
    return digest.hexdigest()


def head_of(raw: IO[bytes], path: str) -> tuple[bytes, str]:
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


@dataclass
class Probe:
    """One open file being planned: its handle, inode and compression, with its hashes cached."""

    handle: IO[bytes]
    compression: str
    device: int
    inode: int
    _tails: dict[int, str] = field(default_factory=dict)
    _digest: str | None = None

    @classmethod
    def of(cls, handle: IO[bytes], compression: str) -> Probe:
        info = os.fstat(handle.fileno())
        return cls(handle, compression, info.st_dev, info.st_ino)

    @property
    def key(self) -> list[int]:
        return [self.device, self.inode]

    def tail(self, offset: int) -> str:
        if offset not in self._tails:
            self._tails[offset] = tail_hash(self.handle, self.compression, offset)
        return self._tails[offset]

    def digest(self) -> str:
        if self._digest is None:
            self._digest = content_digest(self.handle, self.compression)
        return self._digest
