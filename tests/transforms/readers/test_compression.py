"""compression_of, StreamingDecompressor and damage: archives read to the last good line (DOMAIN.md §4)."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import Any

import pytest

from statuslens.transforms.model.chunks import Problem
from statuslens.transforms.readers.compression import StreamingDecompressor, compression_of
from tests.conftest import corpus_path
from tests.transforms.readers.reading import COMBINED, LINE, TRUNCATED, lines, problems, read

# --- which compression ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "head", "compression"),
    [
        ("a.log", gzip.compress(b"x")[:8], "gzip"),  # magic bytes, whatever the name
        ("a.log.xz", bz2.compress(b"x")[:8], "bzip2"),  # magic bytes beat the name
        ("a.log", lzma.compress(b"x")[:8], "xz"),
        ("a.log", b"\x28\xb5\x2f\xfd\x00\x00\x00\x00", "zstd"),
        ("A.LOG.GZ", b"not gzip", "gzip"),  # no magic: the name, in any case
        ("a.log.zst", b"", "zstd"),
        ("a.log", b"plain te", "none"),
    ],
)
def test_compression_of(path: str, head: bytes, compression: str) -> None:
    assert compression_of(path, head) == compression


@pytest.mark.parametrize(
    ("kind", "compress"), [("gzip", gzip.compress), ("bzip2", bz2.compress), ("xz", lzma.compress)]
)
def test_streaming_decompressor_returns_bounded_blocks_then_empty(kind: str, compress: Any) -> None:
    data = b"\n".join(lines(3000)) + b"\n"
    stream = StreamingDecompressor(io.BytesIO(compress(data)), kind)
    blocks = []
    while block := stream.read(4096):
        assert len(block) <= 4096
        blocks.append(block)
    assert b"".join(blocks) == data
    assert stream.read(4096) == b""


def test_streaming_decompressor_skips_zero_padding_between_gzip_members() -> None:
    raw = gzip.compress(b"one\n") + b"\0" * 512 + gzip.compress(b"two\n") + b"\0" * 100
    stream = StreamingDecompressor(io.BytesIO(raw), "gzip")
    assert stream.read() + stream.read() == b"one\ntwo\n"
    assert stream.read() == b""


def test_streaming_decompressor_keeps_the_bytes_before_a_cut_then_raises() -> None:
    data = b"\n".join(lines(2000)) + b"\n"
    whole = gzip.compress(data)
    stream = StreamingDecompressor(io.BytesIO(whole[:-8]), "gzip")
    got = b""
    with pytest.raises(EOFError):
        while block := stream.read():
            got += block
    assert got == data  # every byte was there; only the trailer is missing


# --- archives, whole and damaged -----------------------------------------------------------------


def test_multi_member_gzip(tmp_path: Path) -> None:
    # `cat a.gz b.gz > c.gz` (logrotate, parallel gzip): every member is read.
    path = tmp_path / "joined.log.gz"
    path.write_bytes(gzip.compress(COMBINED % 1 + b"\n") + gzip.compress(COMBINED % 2 + b"\n"))
    items, info, _ = read(path)
    assert items == [COMBINED % 1, COMBINED % 2]
    assert info.damaged is None


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


def test_zstd_is_named_as_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "access.log.zst"
    head = b"\x28\xb5\x2f\xfd\x00\x00\x00\x00"
    path.write_bytes(head + b"rest")
    items, info, _ = read(path)
    assert items == [Problem("zstd compression is not supported", head, damage=True)]
    assert info.compression == "zstd" and info.damaged == "zstd compression is not supported"
