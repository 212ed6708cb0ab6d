"""LineReader, ByteWindow and line_chunks: bytes into lines into chunks, long lines capped (DOMAIN.md §4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from statuslens.transforms.model.chunks import Problem
from statuslens.transforms.readers.byte_window import ByteWindow
from statuslens.transforms.readers.lines import LineReader, line_chunks
from tests.conftest import corpus_path
from tests.transforms.readers.reading import COMBINED, read

# --- lines ---------------------------------------------------------------------------------------


def test_last_line_without_newline_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "api.log"
    path.write_bytes(COMBINED % 1 + b"\n\n   \n" + COMBINED % 2)
    items, info, _ = read(path)
    assert items == [COMBINED % 1, b"", b"   ", COMBINED % 2]  # blank lines are counted downstream
    assert info.format == "combined"


def test_crlf_line_ends_are_left_to_the_parsers(tmp_path: Path) -> None:
    path = tmp_path / "windows.log"
    path.write_bytes(COMBINED % 1 + b"\r\n" + COMBINED % 2 + b"\r\n")
    items, info, _ = read(path)
    assert items == [COMBINED % 1 + b"\r", COMBINED % 2 + b"\r"]
    assert info.format == "combined"  # the formats accept the trailing \r


def test_invalid_utf8_stays_in_its_line(tmp_path: Path) -> None:
    bad = (COMBINED % 1).replace(b"Java/1.6.0_17", b"Java/\xff\xfe\xc3")
    path = tmp_path / "mixed.log"
    path.write_bytes(bad + b"\n" + COMBINED % 2 + b"\n")
    items, info, _ = read(path)
    assert items == [bad, COMBINED % 2]  # bytes as read; decoding is a per-line matter
    assert info.damaged is None


def test_lnav_crlf_and_invalid_utf8_files() -> None:
    crlf, crlf_info, _ = read(corpus_path("lnav", "logfile_crlf.0"))
    assert crlf == [b"2012-07-02 10:22:40,672:DEBUG:foo bar baz\r", b"2014-10-08 16:56:38,344:WARN:foo bar baz\r"]
    assert crlf_info.damaged is None
    invalid_path = corpus_path("lnav", "logfile_invalid_utf8.0")
    invalid, _, _ = read(invalid_path)
    assert invalid == invalid_path.read_bytes().rstrip(b"\n").split(b"\n")


def test_peeked_lines_are_still_read() -> None:
    reader = LineReader(io.BytesIO(b"\n\na\nb\nc\n"), max_line_bytes=100)
    assert reader.peek_lines(1) == [b"", b"", b"a", b"b"]  # up to four lines per non-blank one asked
    assert list(reader) == [b"", b"", b"a", b"b", b"c"]
    assert reader.damage is None


def test_a_line_across_read_blocks_is_whole() -> None:
    line = b"q" * ((1 << 20) + 10)  # longer than one read block
    reader = LineReader(io.BytesIO(b"a\n" + line + b"\nb"), max_line_bytes=2 << 20)
    assert list(reader) == [b"a", line, b"b"]


# --- long lines ------------------------------------------------------------------------------------


def test_too_long_lines_become_one_problem_each_and_reading_continues(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    huge = b"y" * 3_000_000  # spans several read blocks
    path.write_bytes(
        COMBINED % 1
        + b"\n"
        + b"x" * 5000
        + b"\n"
        + COMBINED % 2
        + b"\n"
        + huge
        + b"\n"
        + COMBINED % 3
        + b"\n"
        + b"z" * 300
    )
    items, info, _ = read(path, max_line_bytes=200)
    assert items == [
        COMBINED % 1,
        Problem("line longer than 200 bytes", b"x" * 1024),
        COMBINED % 2,
        Problem("line longer than 200 bytes", b"y" * 1024),
        COMBINED % 3,
        Problem("line longer than 200 bytes", b"z" * 300),
    ]
    assert info.damaged is None  # a long line is a dead letter, not damage


# --- byte windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seekable", [True, False])
def test_byte_window_is_start_to_end(seekable: bool) -> None:
    data = bytes(range(256)) * 10_000  # 2.5 MB: skipping spans several blocks
    start, end = 1_500_000, 2_000_000
    window = ByteWindow(io.BytesIO(data), start, end, seekable=seekable)
    got = b""
    while block := window.read(300_000):
        assert len(block) <= 300_000
        got += block
    assert got == data[start:end]


def test_byte_window_without_end_reads_to_the_end() -> None:
    window = ByteWindow(io.BytesIO(b"0123456789"), 4, None, seekable=False)
    assert window.read(100) == b"456789" and window.read(100) == b""


# --- chunks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("chunk_lines", "chunk_bytes"), [(7, 1 << 20), (2000, 50), (3, 1), (100, 1000)])
def test_chunks_close_at_the_line_or_byte_limit(tmp_path: Path, chunk_lines: int, chunk_bytes: int) -> None:
    """Each chunk ends at the item that reaches chunk_lines or chunk_bytes (a too-long line counts
    1,024), chunks number their first item, and no item is lost or repeated."""
    lines = [b"x" * (n % 97) for n in range(3000)]
    lines[500] = b"y" * 300  # too long for max_line_bytes=200: a Problem in the middle of a block
    path = tmp_path / "a.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items, _, chunks = read(
        path, log_format="combined", chunk_lines=chunk_lines, chunk_bytes=chunk_bytes, max_line_bytes=200
    )
    assert len(items) == 3000 and isinstance(items[500], Problem)
    expected_first = 1
    for chunk in chunks:
        assert chunk.first == expected_first
        sizes = [len(i) if isinstance(i, bytes) else 1024 for i in chunk.items]
        assert len(sizes) <= chunk_lines
        assert sum(sizes[:-1]) < chunk_bytes  # closed at the first item that reached the limit
        if chunk is not chunks[-1]:
            assert len(sizes) == chunk_lines or sum(sizes) >= chunk_bytes
        expected_first += len(chunk.items)


def test_line_chunks_name_their_file_and_format_and_number_from_first() -> None:
    reader = LineReader(io.BytesIO(b"a\nb\nc\n"), max_line_bytes=100)
    chunks = list(line_chunks("logs/a.log", "common", reader, chunk_lines=2, chunk_bytes=1 << 20, first=41))
    assert [(c.path, c.fmt, c.first, c.items) for c in chunks] == [
        ("logs/a.log", "common", 41, (b"a", b"b")),
        ("logs/a.log", "common", 43, (b"c",)),
    ]
