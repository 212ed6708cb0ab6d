"""detect_format, validate_log_format, line_parser and is_har_name (DOMAIN.md §4)."""

from __future__ import annotations

import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.readers.formats import (
    HAR,
    JSONL,
    UNKNOWN,
    detect_format,
    is_har_name,
    line_parser,
    validate_log_format,
)
from statuslens.transforms.readers.jsonlines import FieldMap

JSON_LINE = b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/catalog/people/30011713","status":403}'
COMMON = b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/titles HTTP/1.1" 200 5120'
COMBINED = COMMON + b' "-" "Java/1.6.0_17"'
COMBINED_BODY = COMBINED + b' "<h1>Developer Over Qps</h1>"'
SYSLOG = b"Dec 10 21:40:10 api-7 sshd[4242]: Failed password for invalid user admin"


@pytest.mark.parametrize(
    ("lines", "fmt"),
    [
        ([JSON_LINE, JSON_LINE], JSONL),
        ([JSON_LINE, b"", b"   ", JSON_LINE], JSONL),  # blank lines are not a sample
        ([JSON_LINE, SYSLOG], JSONL),  # half JSON is enough: the other lines become dead letters
        ([JSON_LINE, SYSLOG, SYSLOG], UNKNOWN),
        ([COMMON, COMMON], "common"),
        ([COMBINED, COMBINED, SYSLOG], "combined"),
        ([COMBINED_BODY], "combined_body"),
        # combined_body lines also match nothing shorter; combined lines match combined only.
        ([COMBINED, COMBINED_BODY, COMBINED_BODY], "combined_body"),
        ([COMMON, COMBINED, COMBINED], "combined"),
        ([b'{"not": "an access log"', SYSLOG], UNKNOWN),
        ([SYSLOG], UNKNOWN),
        ([b"[1, 2, 3]"], UNKNOWN),
        ([], UNKNOWN),
        ([b"", b"  "], UNKNOWN),
    ],
)
def test_detect_format(lines: list[bytes], fmt: str) -> None:
    assert detect_format(lines) == fmt


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("capture.har", True),
        ("CAPTURE.HAR", True),
        ("archive/2009-12-10.har.gz", True),
        ("x.har.bz2", True),
        ("x.harp", True),
        ("access.log", False),
        ("har.log", False),
        ("capture.json", False),
    ],
)
def test_is_har_name(name: str, expected: bool) -> None:
    assert is_har_name(name) is expected


@pytest.mark.parametrize(
    "spec", [JSONL, "common", "combined", "combined_body", '$remote_addr [$time_local] "$request" $status']
)
def test_validate_log_format_accepts(spec: str) -> None:
    assert validate_log_format(spec) == spec


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (HAR, "HAR files are detected by themselves"),
        ("apache", "unknown log format 'apache'"),
        ("$remote_addr $status", "needs \\$request"),
    ],
)
def test_validate_log_format_refuses(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        validate_log_format(spec)


def test_line_parser_per_format() -> None:
    assert line_parser(JSONL)(JSON_LINE).http_status == 403
    assert line_parser("combined")(COMBINED).url == "/catalog/titles"
    custom = line_parser('$remote_addr - - [$time_local] "$request" $status $body_bytes_sent')
    assert custom(COMMON).method == "GET"
    fields = FieldMap.with_overrides({"status": "rc"})
    mapped = line_parser(JSONL, fields)
    assert mapped(b'{"time":1260481210,"method":"GET","url":"/x","rc":418}').http_status == 418


@pytest.mark.parametrize(
    ("fmt", "line", "reason"),
    [
        (UNKNOWN, COMMON, "line matches no known log format"),
        (JSONL, COMMON, "not valid JSON"),  # a line of another format in a JSON-lines file
        ("combined", JSON_LINE, "does not match log format combined"),
    ],
)
def test_line_parser_dead_letters(fmt: str, line: bytes, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        line_parser(fmt)(line)
