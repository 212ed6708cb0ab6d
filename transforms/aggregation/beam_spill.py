"""Cause facts moved through files, not through the runner: what keeps a run's memory flat at the end.

A run's call facts are 16 bytes a call in memory, fewer pickled (transforms/aggregation/cause_facts.py):
64 MB at 4M records. Shuffled as values, the local runner holds them several times over when a stage hands
them on (its grouping buffer decodes them, the worker's data channel queues a whole stage input,
gRPC copies each message): measured at 4M records, about +100 MB in each worker and in the runner
process at the end of the run, where `--no-causes` adds nothing. So, like the annotated shards
(transforms/outputs/beam_shards.py), each bundle writes its facts to files in the run's temporary
folder, one per consumer bucket, whenever they pass `SPILL_BYTES` and when the bundle ends, and the
shuffle carries only `(bucket, path)`. A bucket's files are read back one at a time and merged
where its lookups run: no process holds more than one bucket (a sixteenth of the run's facts).
A retried bundle's files are never named downstream and go with the temporary folder.
"""

from __future__ import annotations

import contextlib
import pickle
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

from statuslens.transforms.aggregation.cause_facts import CauseFacts

__all__ = ["SPILL_BYTES", "FactsSpill", "read_bucket", "read_spill_file", "write_spill_file"]

SPILL_BYTES = 8 << 20  # facts (raw columns) a bundle holds before it writes them out


class FactsSpill:
    """One bundle's facts, written to `<folder>/causes-<bucket>-<uuid>.pickle` files, one a bucket."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._facts = CauseFacts()
        self._bytes = 0

    def make_folder(self) -> None:
        if not FileSystems.exists(self.folder):
            with contextlib.suppress(OSError):  # another worker made it first
                FileSystems.mkdirs(self.folder)

    def add(self, facts: CauseFacts) -> Iterator[tuple[int, str]]:
        """Keep a chunk's facts; when the bundle's pass `SPILL_BYTES`, write them and yield (bucket, path)."""
        self._facts.merge(facts)
        self._bytes += sum(len(a) + len(b) + len(c) for a, b, c in facts.calls) + 32 * facts.group_records()
        if self._bytes >= SPILL_BYTES:
            yield from self.flush()

    def flush(self) -> Iterator[tuple[int, str]]:
        """Cut the facts held into buckets (once for all the chunks held), write each and yield
        (bucket, path) for each file."""
        for bucket, facts in self._facts.compact().buckets():
            yield bucket, write_spill_file(self.folder, "causes", bucket, facts)
        self._facts = CauseFacts()
        self._bytes = 0

    def finish(self) -> Iterator[Any]:
        """`flush` as the windowed values a DoFn's finish_bundle yields."""
        for named in self.flush():
            yield GlobalWindows.windowed_value(named)


def read_bucket(element: tuple[int, Iterable[str]]) -> tuple[int, CauseFacts]:
    """(bucket, its files) -> (bucket, the merged facts), one file read at a time (our own temp files)."""
    bucket, paths = element
    merged = CauseFacts()
    for path in sorted(paths):
        merged.merge(read_spill_file(path))
    return bucket, merged


def write_spill_file(folder: str, kind: str, bucket: int, value: object) -> str:
    """Pickle `value` to a new `<folder>/<kind>-<bucket>-<uuid>.pickle` and return its path. A new
    name each time: a retried bundle's files are never named downstream."""
    path = FileSystems.join(folder, f"{kind}-{bucket:02d}-{uuid.uuid4().hex}.pickle")
    with FileSystems.create(path) as handle:
        handle.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def read_spill_file(path: str) -> Any:
    """The value `write_spill_file` pickled to `path` (our own temp file, never another's input)."""
    with FileSystems.open(path) as handle:
        return pickle.loads(handle.read())
