"""read_input: one file opened, its compression and format found, its chunks and one InputInfo (DOMAIN.md §4, §6)."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path
from typing import Any

import pytest

from statuslens.transforms.model.chunks import InputInfo, Problem
from tests.transforms.readers.reading import COMBINED, lines, read


@pytest.mark.parametrize(
    ("name", "compress", "compression"),
    [
        ("api.jsonl", lambda data: data, "none"),
        ("api.jsonl.gz", gzip.compress, "gzip"),
        ("api.jsonl.bz2", bz2.compress, "bzip2"),
        ("api.jsonl.xz", lzma.compress, "xz"),
        ("api-no-extension", gzip.compress, "gzip"),  # found by its magic bytes
    ],
)
def test_plain_and_compressed(tmp_path: Path, name: str, compress: Any, compression: str) -> None:
    expected = lines(5000)
    path = tmp_path / name
    path.write_bytes(compress(b"\n".join(expected) + b"\n"))
    items, info, chunks = read(path, chunk_lines=1000)
    assert items == expected
    assert info == InputInfo(str(path), "jsonl", compression, None)
    assert [(c.first, len(c.items), c.fmt) for c in chunks] == [(1 + 1000 * i, 1000, "jsonl") for i in range(5)]


def test_missing_file_is_one_damage_item(tmp_path: Path) -> None:
    items, info, _ = read(tmp_path / "missing.log")
    assert items == [Problem("cannot open: No such file or directory", b"", damage=True)]
    assert info.damaged == "cannot open: No such file or directory"


def test_given_log_format_skips_detection(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(COMBINED % 1 + b"\n")
    _, info, chunks = read(path, log_format="common")
    assert info.format == "common" and chunks[0].fmt == "common"


@pytest.mark.parametrize(("name", "compress"), [("api.jsonl", lambda data: data), ("api.jsonl.gz", gzip.compress)])
def test_a_byte_range_reads_its_lines_numbered_from_first_line(tmp_path: Path, name: str, compress: Any) -> None:
    # An incremental run or a split input: decompressed bytes [start, end), line numbers continuing.
    every = lines(300)
    data = b"\n".join(every) + b"\n"
    start = len(b"\n".join(every[:100])) + 1
    end = len(b"\n".join(every[:250])) + 1
    path = tmp_path / name
    path.write_bytes(compress(data))
    items, info, chunks = read(path, start=start, end=end, first_line=101, log_format="jsonl")
    assert items == every[100:250]
    assert chunks[0].first == 101 and info.damaged is None


def test_the_opener_given_opens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(COMBINED % 1 + b"\n")
    opened: list[str] = []

    def opener(name: str) -> Any:
        opened.append(name)
        return open(name, "rb")  # read_input closes it

    items, _, _ = read(path, opener=opener)
    assert opened == [str(path)] and items == [COMBINED % 1]
