"""Anomaly groups' parts through files (beam_part_files.py): one file a partition, every key's parts
read back together, the same partition in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from statuslens.transforms.aggregation.beam_part_files import PARTITIONS, partition_of, parts_of, write_parts

KEYS = [("undocumented_message", 400, None, f"mystery failure {i}", "GET", "catalog/titles") for i in range(200)]


def test_a_key_has_the_same_partition_in_every_process_whatever_its_hash_seed() -> None:
    here = [partition_of(key) for key in KEYS]
    assert set(here) == set(range(PARTITIONS))  # 200 keys reach every partition
    code = (
        "from statuslens.transforms.aggregation.beam_part_files import partition_of;"
        f"print([partition_of(k) for k in {KEYS!r}])"
    )
    for seed in ("1", "2"):
        shown = subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, check=True
        )
        assert shown.stdout.decode().strip() == str(here)


def test_written_parts_come_back_by_key_with_every_file_s_value(tmp_path: Path) -> None:
    first = list(write_parts(str(tmp_path), [(key, b"a%d" % i) for i, key in enumerate(KEYS)]))
    second = list(write_parts(str(tmp_path), [(KEYS[0], b"b0"), (KEYS[7], b"b7")]))
    assert sorted(p for p, _ in first) == sorted(set(partition_of(key) for key in KEYS))  # one file a partition
    assert [p for p, _ in second] == sorted({partition_of(KEYS[0]), partition_of(KEYS[7])})
    back: dict[tuple[object, ...], list[bytes]] = {}
    for partition in range(PARTITIONS):
        paths = [path for p, path in first + second if p == partition]
        for key, values in parts_of(paths):
            assert partition_of(key) == partition and key not in back
            back[key] = sorted(values)
    assert back[KEYS[0]] == [b"a0", b"b0"] and back[KEYS[7]] == [b"a7", b"b7"] and back[KEYS[8]] == [b"a8"]
    assert len(back) == len(KEYS)
