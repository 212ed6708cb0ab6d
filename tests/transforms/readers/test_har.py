"""har_entries, parse_har_entry and entry_raw: HAR 1.2 captures (DOMAIN.md §4, §7)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk, InputInfo
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.har import HarError, entry_raw, har_entries, parse_har_entry
from statuslens.transforms.redact import REDACTED

SEED_MS = 1_260_481_210_000
AUTHORIZATION = 'OAuth oauth_consumer_key="k4bghqddunxytt5x8p3qx9bf", oauth_token="tok987654"'
OVER_QPS_ENTRY: dict[str, Any] = {
    "startedDateTime": "2009-12-10T21:40:10.000Z",
    "request": {
        "method": "GET",
        "url": "http://api.netflix.com/catalog/people/30011713?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf",
        "headers": [{"name": "Authorization", "value": AUTHORIZATION}],
    },
    "response": {
        "status": 403,
        "headers": [
            {"name": "X-Mashery-Error-Code", "value": "ERR_403_DEVELOPER_OVER_QPS"},
            {"name": "Retry-After", "value": "1"},
            {"name": "Set-Cookie", "value": "sid=qwerty987; Path=/"},
        ],
        "content": {"mimeType": "text/html", "text": "<h1>Developer Over Qps</h1>"},
    },
}


def har(*entries: Any) -> bytes:
    doc = {"log": {"version": "1.2", "creator": {"name": "test"}, "entries": list(entries)}}
    return json.dumps(doc).encode()


def test_parse_entry() -> None:
    record = parse_har_entry(OVER_QPS_ENTRY)
    assert record == RawRecord(
        SEED_MS,
        "GET",
        "http://api.netflix.com/catalog/people/30011713?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf",
        403,
        body="<h1>Developer Over Qps</h1>",
        headers={
            "x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS",
            "retry-after": "1",
            "set-cookie": "sid=qwerty987; Path=/",
        },
        authorization=AUTHORIZATION,
    )


def test_base64_content_is_decoded() -> None:
    body = (
        "<status><status_code>412</status_code><sub_code>710</sub_code>"
        "<message>Title already in queue</message></status>"
    )
    entry = {
        **OVER_QPS_ENTRY,
        "response": {
            "status": 412,
            "content": {"encoding": "base64", "text": base64.b64encode(body.encode()).decode()},
        },
    }
    assert parse_har_entry(entry).body == body


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"request": None}, "no request or response"),
        ({"response": "oops"}, "no request or response"),
        ({"request": {"url": "/x"}}, "missing method"),
        ({"request": {"method": "GET", "url": ""}}, "missing url"),
        ({"startedDateTime": None}, "missing time"),
        ({"startedDateTime": "soon"}, "not an ISO 8601 time"),
        ({"response": {"status": 0}}, "status 0 is outside 100-599"),  # a blocked or aborted request
        ({"response": {"status": "OK"}}, "not an HTTP status"),
    ],
)
def test_entry_dead_letter_reasons(change: dict[str, Any], reason: str) -> None:
    entry = {**OVER_QPS_ENTRY, **change}
    with pytest.raises(RecordError, match=reason):
        parse_har_entry(entry)


def test_entry_that_is_not_an_object() -> None:
    with pytest.raises(RecordError, match="not an object"):
        parse_har_entry(["GET", "/x"])


def test_har_entries() -> None:
    assert har_entries(har(OVER_QPS_ENTRY, OVER_QPS_ENTRY)) == [OVER_QPS_ENTRY, OVER_QPS_ENTRY]


def test_har_entries_after_a_byte_order_mark() -> None:
    assert har_entries(b"\xef\xbb\xbf" + har(OVER_QPS_ENTRY)) == [OVER_QPS_ENTRY]


def test_har_entries_in_a_jsonp_wrapper() -> None:
    assert har_entries(b"onInputData(" + har(OVER_QPS_ENTRY) + b");\n") == [OVER_QPS_ENTRY]


def test_a_har_file_is_read_as_har_whatever_log_format_says(tmp_path: Path) -> None:
    """`--log-format jsonl` names the format of the line logs; a pretty-printed HAR stays a HAR (§6)."""
    entry = {"startedDateTime": "2009-12-10T21:40:10Z", "request": {"method": "GET", "url": "/a"}, "response": {}}
    path = tmp_path / "capture.json"
    path.write_bytes(b'{\n "log": {"entries": [' + orjson.dumps(entry) + b"]}\n}\n")
    assert list(read_input(str(path), "jsonl")) == [
        Chunk(str(path), "har", 1, (entry,)),
        InputInfo(str(path), "har", "none", None),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET / HTTP/1.1" 200 0', "HAR file is not JSON"),
        (har(OVER_QPS_ENTRY)[:-40], "HAR file is not JSON"),  # truncated
        (b"callback(" + har(OVER_QPS_ENTRY)[:-40] + b")", "HAR file is not JSON"),
        (b'{"log": {"version": "1.2"}}', "has no log.entries list"),
        (b'{"log": {"entries": {}}}', "has no log.entries list"),
        (b"[]", "has no log.entries list"),
    ],
)
def test_unreadable_har(data: bytes, reason: str) -> None:
    with pytest.raises(HarError, match=reason):
        har_entries(data)


def test_entry_raw_redacts_headers_and_their_echoes() -> None:
    entry = json.loads(json.dumps(OVER_QPS_ENTRY))
    entry["response"]["content"]["text"] = "<h1>Developer Over Qps</h1><!-- tok987654 qwerty987 -->"
    raw = entry_raw(entry)
    doc = orjson.loads(raw)
    assert doc["request"]["headers"][0] == {"name": "Authorization", "value": REDACTED}
    assert doc["response"]["headers"][2] == {"name": "Set-Cookie", "value": REDACTED}
    assert "tok987654" not in raw and "qwerty987" not in raw
    assert "k4bghqddunxytt5x8p3qx9bf" in raw  # the consumer key in the URL is kept
    assert doc["response"]["headers"][0]["value"] == "ERR_403_DEVELOPER_OVER_QPS"
    assert entry["request"]["headers"][0]["value"] != REDACTED  # the entry itself is not modified


def test_entry_raw_redacts_query_secrets() -> None:
    url = "http://api.netflix.com/users/T1pYkT0/feeds?feed_token=Zq3kP9x2vB7mN4"
    entry = {**OVER_QPS_ENTRY, "request": {"method": "GET", "url": url}}
    raw = entry_raw(entry)
    assert "Zq3kP9x2vB7mN4" not in raw
    assert "feed_token=REDACTED" in raw


def test_entry_raw_of_a_non_object() -> None:
    assert entry_raw(["GET", "/x?password=hunter22"]) == '["GET","/x?password=REDACTED"]'
