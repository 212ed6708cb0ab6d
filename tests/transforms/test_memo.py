"""BoundedMemo and the limits in transforms/memo.py: memory stays bounded whatever the input, and
the objects that own memos (annotator, nginx parser) give the same answers on repeated and on
distinct input."""

from __future__ import annotations

import contextlib
import itertools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from statuslens.transforms import memo as memo_module
from statuslens.transforms.errors import RecordError
from statuslens.transforms.memo import LINE_TIMES, NGINX_DAYS, REQUEST_FREE_VERDICTS, BoundedMemo, MemoLimit
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.formats import line_parser
from statuslens.transforms.readers.timestamps import parse_time
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.transforms.memory import held

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample" / "api-access.log"
LIMITS = {name: value for name, value in vars(memo_module).items() if isinstance(value, MemoLimit)}


def test_a_memo_is_emptied_before_it_passes_its_entry_or_size_budget() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(MemoLimit(entries=3, size=100, largest=10))
    for i in range(10):
        memo.put(f"k{i}", i, 5)
        assert len(memo) <= 3 and memo.size <= 100
    assert memo.get("k9") == 9
    memo.clear()
    assert len(memo) == 0 and memo.size == 0
    for i in range(20):
        memo.put(f"big{i}", i, 9)  # small enough to keep; twelve of them would pass the size budget
        assert memo.size <= 100
    assert memo.get("big19") == 19
    assert memo.put("huge", 1, 11) == 1 and "huge" not in memo  # over `largest`: returned, not kept


def test_a_limit_keeps_one_entry_to_a_tenth_of_its_budget() -> None:
    assert LIMITS and all(limit.largest * 10 <= limit.size for limit in LIMITS.values())
    with pytest.raises(ValueError, match="a tenth"):
        MemoLimit(entries=10, size=100, largest=11)


def test_ten_thousand_distinct_megabyte_messages_hold_nothing_over_any_byte_limit() -> None:
    memos: dict[str, BoundedMemo[str, int]] = {name: BoundedMemo(limit) for name, limit in LIMITS.items()}
    pad = "x" * (1 << 20)
    for i in range(10_000):
        message = f"{i:05d}{pad}"
        for memo in memos.values():
            assert memo.put(message, i, len(message)) == i
    for name, memo in memos.items():
        assert memo.size <= LIMITS[name].size and sum(map(len, memo)) <= LIMITS[name].size, name


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_entries_as_large_as_allowed_are_kept_within_the_byte_limit(name: str) -> None:
    limit = LIMITS[name]
    memo: BoundedMemo[str, int] = BoundedMemo(limit)
    width = max(limit.largest, 7)  # a size-1 memo counts entries, whatever its keys' length
    for i in range(2 * (limit.size // limit.largest) + 1):
        key = f"{i:07d}".ljust(width, "y")
        memo.put(key, i, limit.largest)
        assert memo.get(key) == i  # the newest entry is always kept
        assert memo.size <= limit.size and len(memo) <= limit.entries
    if limit.largest > 1:
        assert sum(map(len, memo)) <= limit.size


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_small_entries_are_kept_within_the_entry_limit(name: str) -> None:
    limit = LIMITS[name]
    memo: BoundedMemo[int, int] = BoundedMemo(limit)
    for i in range(2 * limit.entries + 1):
        memo.put(i, i, 1)
        assert len(memo) <= limit.entries and memo.size <= limit.size
    assert memo.get(2 * limit.entries) == 2 * limit.entries


def test_distinct_large_messages_are_judged_alike_and_not_all_remembered() -> None:
    """HTTP 200 with a different 100 kB gateway message each time: documented, and not all remembered."""
    annotator = Annotator(load_catalog())
    with held() as kept:
        for i in range(200):
            body = f"<h1>{i:06d}{'x' * 100_000}</h1>"
            judged = annotator.judge(RawRecord(0, "GET", "/catalog/titles", 200, body))
            assert judged.verdict.verdict == "documented"
        del body, judged
    # 200 messages are 20 MB; what the annotator keeps of them is bounded by its verdict memo.
    assert kept.bytes <= REQUEST_FREE_VERDICTS.size + (1 << 20)


def _sample_variants() -> list[RawRecord]:
    """The bundled sample's records, each also under other methods, another record's URL and a
    neighbouring sub_code: the same message in different requests, the same request with other codes."""
    parse = line_parser("combined_body")
    sample = []
    for line in SAMPLE_LOG.read_bytes().splitlines():
        with contextlib.suppress(RecordError):  # the sample's dead letters
            sample.append(parse(line))
    assert len(sample) > 90
    variants = []
    for raw, neighbour in zip(sample, sample[1:] + sample[:1], strict=True):
        bodies = {raw.body, re.sub(r"<sub_code>(\d+)<", lambda m: f"<sub_code>{int(m[1]) + 1}<", raw.body or "")}
        for method, url, body in itertools.product(("GET", "POST", "DELETE"), (raw.url, neighbour.url), bodies):
            variants.append(RawRecord(raw.time_ms, method, url, raw.http_status, body or None, raw.headers))
    return variants


def test_an_annotator_gives_the_same_records_on_repeated_and_distinct_input() -> None:
    """Sample records annotated three times by one annotator, with more distinct records between the
    rounds than its memos hold: each record is the one a fresh annotator makes."""
    catalog = load_catalog()
    records = _sample_variants()
    expected = [Annotator(catalog).annotate(raw, f"s:{n}") for n, raw in enumerate(records)]
    paths = ("/catalog/people/{}", "/users/T1pYkT0/queues/instant?max_results={}", "/catalog/titles?term={}")
    distinct = [
        RawRecord(i, ("GET", "POST")[i % 2], paths[i % 3].format(i), (400, 403, 404, 200)[i % 4], f"<h1>bad {i}</h1>")
        for i in range(12_000)
    ]
    annotator = Annotator(catalog)
    for _ in range(3):
        assert [annotator.annotate(raw, f"s:{n}") for n, raw in enumerate(records)] == expected
        for raw in distinct:
            annotator.annotate(raw, "d")


def test_padded_times_and_long_bodies_are_parsed_but_not_remembered() -> None:
    parse = line_parser("combined_body")
    body = b"<queue>" + b"y" * 5000 + b"</queue>"
    line = (
        b"1.2.3.4 - - [10/Dec/2009:21:40:10 +0000" + b" " * 3000 + b'] "GET /users/current HTTP/1.1" 200 9 '
        b'"-" "curl" "' + body + b'"'
    )
    record = parse(line)
    assert record.time_ms == 1_260_481_210_000 and record.body is not None and len(record.body) == len(body)
    assert parse(line) == record
    with held() as kept:
        for i in range(100):
            padded = (
                b"1.2.3.4 - - [10/Dec/2009:21:40:10 +0000" + b" " * (50_000 + i) + b'] "GET /a HTTP/1.1" 200 9 '
                b'"-" "curl" "<queue>' + b"%06d" % i + b"y" * 100_000 + b'</queue>"'
            )
            assert parse(padded).time_ms == 1_260_481_210_000
        del padded
    # 100 such lines are 15 MB: a time past 64 bytes and a body past MEMO_BODY_BYTES are not kept.
    assert kept.bytes < 1 << 20


def test_an_nginx_parser_reads_repeated_and_distinct_times_alike() -> None:
    """More distinct seconds and dates than its memos hold, three seconds of each date, the whole log
    read twice: each time is parse_time's."""
    parse = line_parser("combined")
    first = datetime(1990, 1, 1, tzinfo=timezone.utc)
    lines = []
    for i in range(3 * (NGINX_DAYS.entries + 100)):
        stamp = f"{first + timedelta(days=i // 3, seconds=i % 3 * 4000 + 7):%d/%b/%Y:%H:%M:%S} +0130"
        lines.append((stamp, f'1.2.3.4 - - [{stamp}] "GET /a HTTP/1.1" 200 9 "-" "curl"'.encode()))
    assert len(lines) > LINE_TIMES.entries
    for stamp, line in lines + lines:
        assert parse(line).time_ms == parse_time(stamp), stamp
