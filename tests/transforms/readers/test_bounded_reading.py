"""Cheap inputs must stay cheap: a file of newlines is sniffed in bounded reads and cut in few chunks."""

from __future__ import annotations

import gzip
import io
import itertools
from pathlib import Path

import orjson

from statuslens.pipelines.cli import main
from statuslens.transforms.readers.compression import READ_BLOCK
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.lines import BLANK_CHUNK_LINES, SNIFF_BYTES, LineReader, line_chunks


class CountingStream(io.BytesIO):
    """A stream that counts the bytes asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.served = 0

    def read(self, size: int | None = -1) -> bytes:
        block = super().read(size)
        self.served += len(block)
        return block


def test_sniffing_a_file_of_newlines_reads_a_bounded_prefix() -> None:
    """Before: peek_lines buffered the whole file (it looked for 50 non-blank lines) and recounted its
    buffer after each block — 60 s and 940 MB for 50 MB of newlines."""
    stream = CountingStream(b"\n" * (64 << 20) + b'{"a": 1}\n')
    reader = LineReader(stream, 1 << 20)
    assert reader.peek_lines(50)[:3] == [b"", b"", b""]
    assert stream.served <= SNIFF_BYTES + READ_BLOCK


def test_sniffing_still_finds_lines_after_a_few_blank_ones() -> None:
    reader = LineReader(io.BytesIO(b"\n" * 1000 + b"x\ny\n"), 1 << 20)
    lines = reader.peek_lines(1)
    assert lines[:2] == [b"", b""] and len(lines) == 4  # up to count * 4 lines, as before


def test_a_run_of_newlines_is_cut_into_few_chunks_with_every_line_numbered() -> None:
    lines = 3 * BLANK_CHUNK_LINES + 5
    data = b"x\n" + b"\n" * lines + b"y\n"
    chunks = list(line_chunks("f", "jsonl", LineReader(io.BytesIO(data), 1 << 20), 2000, 1 << 20))
    assert sum(c.lines for c in chunks) == lines + 2
    assert len(chunks) <= 8 * (len(data) // READ_BLOCK + 1)  # a few per block read, not one per 2,000 lines
    last = chunks[-1]
    assert last.items[-1] == b"y" and last.first + len(last.items) - 1 == lines + 2  # numbering intact


def test_50_mb_of_newlines_in_a_gzip_are_counted_blank(tmp_path: Path) -> None:
    """229 KB gzipped, 50,000,000 blank lines: counted, nothing else (60 s and 940 MB before)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "nl.log.gz").write_bytes(gzip.compress(b"\n" * 50_000_000, 1))
    assert main(["batch", "--input", str(logs / "*"), "--output", str(tmp_path / "out")]) == 0
    summary = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    assert (summary["blank_lines"], summary["records_in"]) == (50_000_000, 0)


def test_read_input_of_newlines_yields_few_chunks(tmp_path: Path) -> None:
    path = tmp_path / "nl.log"
    path.write_bytes(b"\n" * (8 << 20))
    chunks = [c for c in read_input(str(path)) if hasattr(c, "items")]
    assert sum(c.lines for c in chunks) == 8 << 20 and len(chunks) <= 8 * 9  # 4,195 chunks before


def test_a_har_over_the_bound_is_one_damaged_input_read_no_further(tmp_path: Path) -> None:
    """A HAR is parsed whole: past MAX_HAR_BYTES (64 MiB, ~430 MB peak) it is refused after reading
    just over the bound (a 240 MB HAR took 1.35 GB)."""
    from statuslens.transforms.readers.har import MAX_HAR_BYTES

    assert MAX_HAR_BYTES == 64 << 20
    path = tmp_path / "big.har"
    with open(path, "wb") as handle:
        handle.write(b'{"log": {"entries": [')
        handle.write(b"{}, " * ((MAX_HAR_BYTES // 4) + 10))
        handle.write(b"{}]}}")
    stream = CountingStream(path.read_bytes())
    items = list(read_input(str(path), opener=lambda _: stream))
    info = items[-1]
    assert getattr(info, "damaged", None) == f"HAR file larger than {MAX_HAR_BYTES} bytes"
    assert stream.served <= MAX_HAR_BYTES + 2 * READ_BLOCK


def test_blocks_of_newlines_are_one_count_not_a_list_of_empty_lines() -> None:
    """A read block of newlines only is one chunk that counts its lines (`blank`), with no items: a GB
    of newlines costs a count per MiB, not a billion list entries copied three times (46 s before)."""
    data = b"x\n" + b"\n" * (3 * READ_BLOCK) + b"y\n"
    chunks = list(line_chunks("f", "jsonl", LineReader(io.BytesIO(data), 1 << 20), 2000, 1 << 20))
    runs = [c for c in chunks if c.blank]
    assert runs and all(c.items == () for c in runs)
    assert sum(c.blank for c in runs) >= 2 * READ_BLOCK  # whole blocks: counted, not listed
    assert sum(c.lines for c in chunks) == 3 * READ_BLOCK + 2
    numbered = [(c.first, c.lines) for c in chunks]
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(numbered))  # no gap
    assert chunks[-1].items[-1] == b"y" and chunks[-1].first + chunks[-1].lines - 1 == 3 * READ_BLOCK + 2
