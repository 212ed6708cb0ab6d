"""JSON-lines shards for batch outputs: written per bundle to a temporary folder, moved in place last.

Beam's WriteToText does the same (temporary files, then a finalising rename) through about seven
extra stages per output; on the local runners every stage is a round trip to the workers. Here a
bundle streams its lines into one temporary file and emits that file's name; the job's last step
(`WriteResultsFn`) renames the shards of committed bundles into `annotated/` and `dead_letter/`.
A retried bundle's abandoned file is never named, so it is never moved, and goes with the folder.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

__all__ = ["TEMP_PREFIX", "WriteShardsFn", "finalize_shards", "remove_folder", "stale_temp_folders", "temp_folder"]

TEMP_PREFIX = ".statuslens-temp-"
_EMPTY_SHARD = "part-00000-of-00001.jsonl"


def temp_folder(output: str) -> str:
    """A fresh temporary folder inside `output` (so the final renames stay on one filesystem)."""
    return FileSystems.join(output, f"{TEMP_PREFIX}{uuid.uuid4().hex}")


def stale_temp_folders(output: str) -> list[str]:
    """Temporary shard folders a run that died before its last step left in `output`."""
    if "://" not in output:  # a local folder may be empty: list folders, not files
        if not os.path.isdir(output):
            return []
        return sorted(os.path.join(output, name) for name in os.listdir(output) if name.startswith(TEMP_PREFIX))
    pattern = FileSystems.join(output, f"{TEMP_PREFIX}*", "*")
    files = [m.path for m in FileSystems.match([pattern])[0].metadata_list]
    return sorted({path.rstrip("/").rpartition("/")[0] for path in files})


class WriteShardsFn(beam.DoFn):
    """b'{"time": …}' lines -> one file `<temp>/<kind>-<uuid>.jsonl` per bundle; yields (kind, path)."""

    def __init__(self, temp: str, kind: str) -> None:
        self.temp = temp
        self.kind = kind
        self._handle: Any = None
        self._path = ""

    def setup(self) -> None:
        if not FileSystems.exists(self.temp):
            with contextlib.suppress(OSError):  # another worker made it first
                FileSystems.mkdirs(self.temp)

    def start_bundle(self) -> None:
        self._handle = None

    def process(self, line: bytes) -> Iterator[Any]:
        if self._handle is None:
            self._path = FileSystems.join(self.temp, f"{self.kind}-{uuid.uuid4().hex}.jsonl")
            self._handle = FileSystems.create(self._path)
        self._handle.write(line + b"\n")
        return iter(())

    def finish_bundle(self) -> Iterator[Any]:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            yield GlobalWindows.windowed_value((self.kind, self._path))


def finalize_shards(output: str, temp: str, shards: Iterable[tuple[str, str]], kinds: Iterable[str]) -> None:
    """Move each kind's shards to `output/<kind>/part-NNNNN-of-MMMMM.jsonl` (an empty part when it has
    none, as WriteToText leaves), then remove the temporary folder.

    Safe to run again after a failure part-way (a retried last step): a shard already moved, its
    source gone and its target there, is skipped, as WriteToText's finalisation does.
    """
    by_kind: dict[str, list[str]] = {kind: [] for kind in kinds}
    for kind, path in shards:
        by_kind.setdefault(kind, []).append(path)
    for kind, paths in by_kind.items():
        folder = FileSystems.join(output, kind)
        FileSystems.mkdirs(folder) if not FileSystems.exists(folder) else None
        if not paths:
            with FileSystems.create(FileSystems.join(folder, _EMPTY_SHARD)):
                pass
            continue
        paths.sort()
        total = len(paths)
        targets = [FileSystems.join(folder, f"part-{i:05d}-of-{total:05d}.jsonl") for i in range(total)]
        pending = [
            (src, dst)
            for src, dst in zip(paths, targets, strict=True)
            if FileSystems.exists(src) or not FileSystems.exists(dst)
        ]
        if pending:
            FileSystems.rename([src for src, _ in pending], [dst for _, dst in pending])
    remove_folder(temp)


def remove_folder(folder: str) -> None:
    """Delete a folder and what it holds, on a local disk or an object store (where a folder is only
    a name prefix: the trailing `/` makes Beam's GCS filesystem delete every object under it)."""
    if "://" in folder:
        FileSystems.delete([folder.rstrip("/") + "/"])
    elif FileSystems.exists(folder):
        FileSystems.delete([folder])
