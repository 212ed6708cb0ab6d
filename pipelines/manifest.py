"""What is new in a log folder since the last run: file identities, offsets and the plan.

A file is recognised by its content, not its name: a hash of the first bytes of its decompressed
data (`access.log` -> `access.log.1` -> `access.log.2.gz` keeps one identity). For each identity the
manifest remembers how many decompressed bytes and lines were consumed and whether the file is
finished (an immutable archive read to its end). A plan lists, per file, the byte range to read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from statuslens.pipelines.identity import Probe, fingerprint, head_of
from statuslens.transforms.readers.formats import is_har_name

__all__ = ["FileState", "Manifest", "PlannedRead", "plan_reads", "read_head"]

_BLOCK = 1 << 20
_MAX_SEEN = 8  # inodes remembered per identity (a file, its rotated names share one; copies add)


@dataclass
class FileState:
    """One content identity in the manifest."""

    fingerprint: str  # the head's hash
    prefix_len: int
    offset: int = 0  # decompressed bytes consumed (always at a line boundary)
    lines: int = 0  # lines consumed, so line numbers continue across runs
    done: bool = False  # an immutable file read to its end: nothing more will come
    path: str = ""  # where it was last seen (informational)
    tail: str = ""  # hash of the KiB before `offset` ("" for an archive read whole)
    seen: list[list[int]] | None = None  # (device, inode) it was read under; None: a state from before


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
    # What the identity is made of (not what is read): the head hash, the tail at new_offset, the inode.
    head_hash: str = field(default="", compare=False)
    tail: str = field(default="", compare=False)
    device: int = field(default=0, compare=False)
    inode: int = field(default=0, compare=False)


@dataclass
class Manifest:
    files: dict[str, FileState]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Manifest:
        return cls({key: FileState(**value) for key, value in doc.items()})

    def to_json(self) -> dict[str, Any]:
        return {key: asdict(value) for key, value in sorted(self.files.items())}

    def state_for(self, read: PlannedRead) -> FileState:
        """The read's identity, made on its first read."""
        state = self.files.get(read.identity)
        if state is None:
            head = read.head_hash or read.identity
            state = self.files[read.identity] = FileState(head, read.prefix_len, seen=[])
        state.path = read.path
        if read.inode:
            seen = [pair for pair in (state.seen or []) if pair != [read.device, read.inode]]
            state.seen = [*seen, [read.device, read.inode]][-_MAX_SEEN:]
        return state

    def record(self, read: PlannedRead) -> None:
        """Remember a finished read: archives are done, plain files advance to their new offset."""
        state = self.state_for(read)
        if read.compressed:
            state.done = True
        else:
            assert read.new_offset is not None and read.new_lines is not None
            state.offset, state.lines, state.tail = read.new_offset, read.new_lines, read.tail

    def match(self, head: bytes, probe: Probe | None = None) -> str | None:
        """The key of the known identity this file continues, if any.

        Its head must match (longest prefix first); then, for a state with inodes, the file's bytes
        before the consumed offset must too — except an archive already read under this inode."""
        found = [
            (key, state)
            for key, state in self.files.items()
            if state.prefix_len <= len(head) and fingerprint(head[: state.prefix_len]) == state.fingerprint
        ]
        found.sort(key=lambda item: (-item[1].prefix_len, probe is None or probe.key not in (item[1].seen or [])))
        for key, state in found:
            if probe is None or state.seen is None:
                return key  # a state written before identities had tails: the head decides, as then
            seen = probe.key in state.seen
            if seen and probe.compression != "none":
                return key
            if state.tail and probe.tail(state.offset) == state.tail:
                return key
            if seen and not state.tail:
                return key  # an offset saved mid-read (ship): the inode and the head decide
        return None


def read_head(path: str) -> tuple[bytes, str]:
    """The first HEAD_BYTES of the decompressed content, and the compression."""
    with open(path, "rb") as raw:
        return head_of(raw, path)


@dataclass
class _Candidate:
    path: str
    head: bytes
    info: os.stat_result
    probe: Probe


def plan_reads(
    paths: Iterable[str],
    manifest: Manifest,
    now: float,
    settle_seconds: float,
    partial_after: float | None = None,
    pins: dict[str, int] | None = None,
) -> tuple[list[PlannedRead], list[str]]:
    """(reads to do, notes on files skipped) for the files currently matched by the inputs.

    A plain file's unterminated last line is read once the file has not changed for
    `partial_after` seconds (default: `settle_seconds`; infinity never reads it, like tail -F).
    Each file is opened once and planned from that handle; with `pins`, a duplicate of the handle of
    every planned file is kept there by path, so the run reads the very file planned even if
    logrotate renames it meanwhile (the caller closes them)."""
    partial_after = settle_seconds if partial_after is None else partial_after
    candidates: dict[str, list[_Candidate]] = {}
    notes: list[str] = []
    handles = []
    try:
        for path in sorted(paths):
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):  # opening a FIFO would wait for a writer forever
                    notes.append(f"{path}: not a regular file (a FIFO or a device); skipped")
                    continue
                handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
                handles.append(handle)
                info = os.fstat(handle.fileno())
                head, compression = head_of(handle, path)
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
            probe = Probe(handle, compression, info.st_dev, info.st_ino)
            _place(candidates, manifest, manifest.match(head, probe), _Candidate(path, head, info, probe))
        return _plan(candidates, manifest, now, partial_after, notes, pins), notes
    finally:
        for handle in handles:
            handle.close()


def _place(candidates: dict[str, list[_Candidate]], manifest: Manifest, known: str | None, new: _Candidate) -> None:
    """File `new` under the identity it continues, or a new one.

    Two plain files (two inodes) never continue one state: the one it was read under keeps it and
    the other is a file of its own (a `cp` beside its original; copytruncate's copy is alone, since
    its original was cut), whichever comes first by name."""
    if known is not None and new.probe.compression == "none":
        others = candidates.get(known, [])
        rivals = [c for c in others if c.probe.compression == "none" and c.probe.key != new.probe.key]
        if rivals and new.probe.key not in (manifest.files[known].seen or []):
            known = None
        else:
            for rival in rivals:
                others.remove(rival)
                key = _new_identity(manifest, candidates, rival.head, rival.probe)
                candidates.setdefault(key, []).append(rival)
    identity = known or _new_identity(manifest, candidates, new.head, new.probe)
    candidates.setdefault(identity, []).append(new)


def _new_identity(manifest: Manifest, candidates: dict[str, list[_Candidate]], head: bytes, probe: Probe) -> str:
    """The key of a file no state continues: its head hash, made unique when another file has it.

    Two new files with one head are one only when they are one inode, or an archive and a file of
    the same whole content (a rotation caught half-way)."""
    base = fingerprint(head)
    n = 0
    while True:
        key = base if n == 0 else f"{base}.{n}"
        n += 1
        if key in manifest.files:
            continue
        others = candidates.get(key)
        if not others:
            return key
        other = others[0].probe
        if other.key == probe.key:
            return key
        if "none" in (other.compression, probe.compression) and other.compression == probe.compression:
            continue  # two plain files, two inodes: two files
        if other.digest() == probe.digest():
            return key


def _plan(
    candidates: dict[str, list[_Candidate]],
    manifest: Manifest,
    now: float,
    partial_after: float,
    notes: list[str],
    pins: dict[str, int] | None,
) -> list[PlannedRead]:
    reads: list[PlannedRead] = []
    for identity, files in sorted(candidates.items()):
        # One identity, several files (a rotation caught mid-way): read the plain one, if any.
        files.sort(key=lambda f: (f.probe.compression != "none", f.path))
        chosen = files[0]
        path, head, info, probe = chosen.path, chosen.head, chosen.info, chosen.probe
        for other in files[1:]:
            notes.append(f"{other.path}: same content as {path}; read once")
        state = manifest.files.get(identity)
        if state is not None and state.done:
            continue
        start = state.offset if state else 0
        lines = state.lines if state else 0
        head_hash, device, inode = fingerprint(head), probe.device, probe.inode
        if probe.compression != "none" or is_har_name(path):
            reads.append(
                PlannedRead(
                    path, start, None, lines + 1, identity, len(head), True, None, None, head_hash, "", device, inode
                )
            )
        else:
            settled = now - info.st_mtime >= partial_after
            if info.st_size < start:
                notes.append(f"{path}: shorter than what was read before (replaced); read from the start")
                start, lines = 0, 0
            end, count = _plain_end(probe.handle, start, info.st_size, include_partial=settled)
            if end <= start:
                continue
            tail = probe.tail(end)
            new_lines = lines + count
            reads.append(
                PlannedRead(
                    path,
                    start,
                    end,
                    lines + 1,
                    identity,
                    len(head),
                    False,
                    end,
                    new_lines,
                    head_hash,
                    tail,
                    device,
                    inode,
                )
            )
        if pins is not None:
            pins[path] = os.dup(probe.handle.fileno())
    return reads


def _plain_end(handle: IO[bytes], start: int, size: int, include_partial: bool) -> tuple[int, int]:
    """Where the complete lines after `start` end, and how many lines that is."""
    count = 0
    last_newline = -1
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
