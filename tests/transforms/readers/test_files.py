"""read_input: plain and compressed files, damage made visible, HAR detection (DOMAIN.md §4, §6)."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import json
import lzma
import zlib
from pathlib import Path
from typing import Any

import pytest

from statuslens.transforms.model.chunks import Chunk, InputInfo, Problem
from statuslens.transforms.readers.files import read_input
from tests.conftest import corpus_path

LINE = (
    b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"http://api.netflix.com/catalog/people/%d",'
    b'"status":403,"body":"<h1>Developer Over Qps</h1>"}'
)
COMBINED = (
    b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/titles?term=%d HTTP/1.1" 200 5120 "-" "Java/1.6.0_17"'
)
TRUNCATED = "truncated archive: compressed data ends before its end-of-stream marker"


def lines(n: int, template: bytes = LINE) -> list[bytes]:
    return [template % i for i in range(n)]


def read(path: Path | str, **kwargs: Any) -> tuple[list[Any], InputInfo, list[Chunk]]:
    """(every item in order, the InputInfo, the chunks), checking the InputInfo comes once, last."""
    out = list(read_input(str(path), **kwargs))
    info = out.pop()
    assert isinstance(info, InputInfo)
    assert all(isinstance(chunk, Chunk) for chunk in out)
    chunks: list[Chunk] = out  # type: ignore[assignment]
    return [item for chunk in chunks for item in chunk.items], info, chunks


def problems(items: list[Any]) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


# --- plain and compressed ----------------------------------------------------------------------


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


def test_last_line_without_newline_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "api.log"
    path.write_bytes(COMBINED % 1 + b"\n\n   \n" + COMBINED % 2)
    items, info, _ = read(path)
    assert items == [COMBINED % 1, b"", b"   ", COMBINED % 2]  # blank lines are counted downstream
    assert info.format == "combined"


def test_multi_member_gzip(tmp_path: Path) -> None:
    # `cat a.gz b.gz > c.gz` (logrotate, parallel gzip): every member is read.
    path = tmp_path / "joined.log.gz"
    path.write_bytes(gzip.compress(COMBINED % 1 + b"\n") + gzip.compress(COMBINED % 2 + b"\n"))
    items, info, _ = read(path)
    assert items == [COMBINED % 1, COMBINED % 2]
    assert info.damaged is None


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


# --- damage --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
    ids=["gzip", "bzip2", "xz"],
)
def test_archive_cut_in_half(tmp_path: Path, suffix: str, compress: Any) -> None:
    data = b"\n".join(lines(20_000)) + b"\n"
    whole = compress(data)
    path = tmp_path / f"cut.jsonl{suffix}"
    path.write_bytes(whole[: len(whole) // 2])
    items, info, _ = read(path)
    found = problems(items)
    assert len(found) == 1 and items[-1] is found[0]
    assert found[0].damage and found[0].reason == TRUNCATED
    assert info.damaged == TRUNCATED
    good = items[:-1]
    # Every complete line before the cut, in order, and nothing else.
    assert good == lines(len(good))
    assert 5_000 < len(good) < 20_000
    # The partial last line is in the damage letter, not lost and not a record.
    partial = (LINE % len(good))[: len(found[0].raw)]
    assert found[0].raw == partial and 0 < len(partial) < len(LINE % len(good))


def test_gzip_cut_keeps_exactly_what_zlib_can_recover(tmp_path: Path) -> None:
    data = b"\n".join(lines(20_000)) + b"\n"
    whole = gzip.compress(data)
    cut = whole[: len(whole) * 2 // 3]
    path = tmp_path / "cut.log.gz"
    path.write_bytes(cut)
    recovered = zlib.decompressobj(31).decompress(cut)
    *complete, tail = recovered.split(b"\n")
    items, _, _ = read(path)
    assert items[:-1] == complete
    assert items[-1] == Problem(TRUNCATED, tail[:1024], damage=True)


def test_gzip_without_its_trailer_is_damaged(tmp_path: Path) -> None:
    whole = gzip.compress(b"\n".join(lines(100)) + b"\n")
    path = tmp_path / "no-trailer.jsonl.gz"
    path.write_bytes(whole[:-8])  # all data, CRC and size missing
    items, info, _ = read(path)
    assert items[:-1] == lines(100)
    assert info.damaged == TRUNCATED


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (("adversarial_compression_scrapy", "truncated-crc-error.gz"), TRUNCATED),
        (("adversarial_compression_scrapy", "unexpected-eof.gz"), TRUNCATED),
        (("lnav", "textfile_broken_gz.txt.gz"), "corrupt compressed data: "),
    ],
)
def test_damaged_corpus_archives(parts: tuple[str, str], reason: str) -> None:
    path = corpus_path(*parts)
    items, info, _ = read(path)
    found = problems(items)
    assert len(found) == 1 and items[-1] is found[0] and found[0].damage
    assert found[0].reason.startswith(reason)
    assert info.damaged == found[0].reason
    assert info.compression == "gzip"
    recovered = b""
    with contextlib.suppress(zlib.error):  # textfile_broken_gz: nothing is recoverable
        recovered = zlib.decompressobj(31).decompress(path.read_bytes())
    assert items[:-1] == recovered.split(b"\n")[:-1]


def test_unexpected_eof_keeps_scrapys_expected_partial_output() -> None:
    # scrapy's unexpected-eof-output.txt is what a reader should salvage: one unterminated line
    # (scrapy stored the salvaged bytes as latin-1 text written in UTF-8).
    output = corpus_path("adversarial_compression_scrapy", "unexpected-eof-output.txt")
    expected = output.read_text(encoding="utf-8").encode("latin-1")
    items, _, _ = read(corpus_path("adversarial_compression_scrapy", "unexpected-eof.gz"))
    assert items == [Problem(TRUNCATED, expected[:1024], damage=True)]


def test_name_says_gzip_but_data_is_not(tmp_path: Path) -> None:
    path = tmp_path / "access.log.gz"
    path.write_bytes(COMBINED % 1 + b"\n")
    items, info, _ = read(path)
    assert items == [Problem("not gzip data although the name says so", (COMBINED % 1)[:8], damage=True)]
    assert info.damaged == "not gzip data although the name says so"


def test_missing_file_is_one_damage_item(tmp_path: Path) -> None:
    items, info, _ = read(tmp_path / "missing.log")
    assert items == [Problem("cannot open: No such file or directory", b"", damage=True)]
    assert info.damaged == "cannot open: No such file or directory"


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


# --- HAR ---------------------------------------------------------------------------------------------

ENTRY = {
    "startedDateTime": "2009-12-10T21:40:10.000Z",
    "request": {"method": "GET", "url": "http://api.netflix.com/catalog/people/30011713"},
    "response": {"status": 403, "content": {"text": "<h1>Developer Over Qps</h1>"}},
}


def har_bytes(count: int, indent: int | None = None, noise: int = 0) -> bytes:
    """A HAR of `count` entries; `noise` hex characters per entry keep gzip from shrinking it much."""
    entries = [
        {
            **ENTRY,
            "request": {**ENTRY["request"], "url": f"http://api.netflix.com/catalog/people/{i}"},
            "comment": "".join(hashlib.sha256(b"%d-%d" % (i, k)).hexdigest() for k in range(noise // 64)),
        }
        for i in range(count)
    ]
    return json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=indent).encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("capture.har", har_bytes(3)),  # by name
        ("capture.json", har_bytes(3)),  # by content, one line
        ("capture.txt", har_bytes(3, indent=2)),  # by content, pretty-printed
        ("capture.har.gz", gzip.compress(har_bytes(3))),
    ],
)
def test_har_detection(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    items, info, chunks = read(path)
    assert info.format == "har" and info.damaged is None
    assert [item["request"]["url"] for item in items] == [
        f"http://api.netflix.com/catalog/people/{i}" for i in range(3)
    ]
    assert chunks[0].first == 1 and chunks[0].fmt == "har"


def test_large_gzipped_har_is_read_whole(tmp_path: Path) -> None:
    # About 2 MB compressed: the reader must not stop after its first block of input.
    path = tmp_path / "big.har.gz"
    path.write_bytes(gzip.compress(har_bytes(5_000, noise=512)))
    assert path.stat().st_size > 1_000_000
    items, info, _ = read(path)
    assert info.damaged is None
    assert [item["request"]["url"] for item in items] == [
        f"http://api.netflix.com/catalog/people/{i}" for i in range(5_000)
    ]


def test_truncated_gzipped_har_is_damaged_as_truncated(tmp_path: Path) -> None:
    whole = gzip.compress(har_bytes(2_000, noise=128))
    path = tmp_path / "cut.har.gz"
    path.write_bytes(whole[:-8])  # every JSON byte is there, the gzip trailer is not
    items, info, _ = read(path)
    assert info.damaged == TRUNCATED
    assert len(items) == 1 and items[0].damage


def test_har_that_is_not_json_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "capture.har"
    path.write_bytes(b'{"log": {"entries": [' + json.dumps(ENTRY).encode())
    items, info, _ = read(path)
    assert len(items) == 1 and isinstance(items[0], Problem) and items[0].damage
    assert items[0].reason.startswith("HAR file is not JSON")
    assert info.damaged == items[0].reason


def test_har_with_byte_order_mark() -> None:
    path = corpus_path("har_mitmproxy", "har_files", "with-bom.har")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    items, info, _ = read(path)
    assert info.format == "har" and info.damaged is None
    assert items == json.loads(path.read_bytes().decode("utf-8-sig"))["log"]["entries"]


def test_broken_corpus_har_is_damaged() -> None:
    items, info, _ = read(corpus_path("har_mitmproxy", "corrupted_har", "brokenfile.har"))
    assert info.damaged is not None and info.damaged.startswith("HAR file is not JSON")
    assert len(items) == 1 and items[0].damage


def test_har_entries_are_chunked_and_numbered(tmp_path: Path) -> None:
    path = tmp_path / "many.har"
    path.write_bytes(har_bytes(1200))
    _, _, chunks = read(path, chunk_lines=2000)
    assert [(c.first, len(c.items)) for c in chunks] == [(1, 500), (501, 500), (1001, 200)]


def test_given_log_format_skips_detection(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(COMBINED % 1 + b"\n")
    _, info, chunks = read(path, log_format="common")
    assert info.format == "common" and chunks[0].fmt == "common"


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
