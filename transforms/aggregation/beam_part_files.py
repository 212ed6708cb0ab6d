"""Anomaly groups' parts moved through files, cut by key into partitions: no group is shuffled.

A group's parts (group_parts.py: its records' stats from the chunks' stage, its cause answers from
the lookups' stage) must meet in one place. Shuffled by group key, every part is encoded and held by
the local runner several times over: the Flatten of the two stages is materialised, the GroupByKey
buffers every value, the data channel copies each bundle's output. Measured on 100,000 one-record
groups, in-process: the Flatten's stage alone went from 443 MB to a 799 MB peak. So, like the cause
facts (beam_spill.py), each bundle writes its held parts to files in the run's temporary folder,
one a partition of the group keys (`partition_of`: a stable hash, the same in every process), and
the shuffle carries `(partition, path)`. A partition's files are read in one place and its parts
merged by key (`parts_of`): a process holds one partition's groups, a PARTITIONS-th of the run's.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from statuslens.transforms.aggregation.beam_spill import read_spill_file, write_spill_file

__all__ = ["PARTITIONS", "partition_of", "parts_of", "write_parts"]

PARTITIONS = 16  # files a bundle writes at most each time it hands its parts on

Key = tuple[Any, ...]


def partition_of(key: Key) -> int:
    """The key's partition: CRC-32 of its JSON (Python's own hash of text differs between processes)."""
    return zlib.crc32(orjson.dumps(key)) % PARTITIONS


def write_parts(folder: str, items: Iterable[tuple[Key, bytes]]) -> Iterator[tuple[int, str]]:
    """Write (key, packed parts) items to `<folder>/parts-<partition>-<uuid>.pickle`, one file a
    partition that has any; yields (partition, path) of each."""
    by_partition: dict[int, list[tuple[Key, bytes]]] = {}
    for key, value in items:
        by_partition.setdefault(partition_of(key), []).append((key, value))
    for partition, pairs in sorted(by_partition.items()):
        yield partition, write_spill_file(folder, "parts", partition, pairs)


def parts_of(paths: Iterable[str]) -> Iterator[tuple[Key, list[bytes]]]:
    """Every key of a partition's files with its packed parts from all of them (our own temp files,
    read one at a time)."""
    by_key: dict[Key, list[bytes]] = {}
    for path in sorted(paths):
        pairs: list[tuple[Key, bytes]] = read_spill_file(path)
        for key, value in pairs:
            found = by_key.get(key)
            if found is None:
                by_key[key] = [value]
            else:
                found.append(value)
    return iter(by_key.items())
