"""HAR 1.2 captures: a file read whole into chunks, har_entries, parse_har_entry, entry_raw (DOMAIN.md §4, §6, §7)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk, InputInfo, Problem
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers import har as har_module
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.har import HarError, entry_raw, har_entries, looks_like_har, parse_har_entry
from statuslens.transforms.readers.lines import LineReader
from statuslens.transforms.redact import REDACTED
from tests.conftest import corpus_path
from tests.transforms.readers.reading import TRUNCATED, read

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
        secrets=(AUTHORIZATION, "qwerty987", "sid=qwerty987; Path=/", "tok987654"),
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


LOGIN_ENTRY: dict[str, Any] = {
    "startedDateTime": "2009-12-10T21:40:10.000Z",
    "request": {
        "method": "POST",
        "url": "https://api-user.netflix.com/oauth/login?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf",
        "headers": [{"name": "X-Api-Key", "value": "Zq3kApiKey77"}],
        "cookies": [{"name": "sid", "value": "Zq3kCookie11"}],
        "postData": {
            "mimeType": "application/json",
            "params": [{"name": "password", "value": "Zq3kFormPw22"}, {"name": "user", "value": "bob"}],
            "text": '{"password": "Zq3kTextPw33", "client_secret": "Zq3kClient44", "user": "bob"}',
        },
    },
    "response": {
        "status": 401,
        "headers": [{"name": "Set-Cookie", "value": "sid=Zq3kSetCk55; Path=/"}],
        "content": {"mimeType": "text/xml", "text": "<status><message>denied</message></status>"},
    },
}
LOGIN_SECRETS = ("Zq3kApiKey77", "Zq3kCookie11", "Zq3kFormPw22", "Zq3kTextPw33", "Zq3kClient44", "Zq3kSetCk55")


def test_entry_secrets_are_its_credentials_outside_the_url() -> None:
    """Request headers, every cookie, secret-named form parameters and postData.text fields, and
    Set-Cookie: a body may echo any of them, so the record must know them (issue 13, cases 3 and 7)."""
    record = parse_har_entry(LOGIN_ENTRY)
    assert set(LOGIN_SECRETS) <= set(record.secrets)
    assert "bob" not in record.secrets and "k4bghqddunxytt5x8p3qx9bf" not in record.secrets
    assert record.secrets == tuple(sorted(record.secrets))  # deterministic


def test_entry_raw_redacts_cookies_forms_and_post_text() -> None:
    raw = entry_raw(LOGIN_ENTRY)
    assert not [s for s in LOGIN_SECRETS if s in raw]
    assert orjson.loads(raw)["request"]["cookies"] == [{"name": "sid", "value": REDACTED}]
    assert '"user": "bob"' in orjson.loads(raw)["request"]["postData"]["text"]


def test_entry_raw_redacts_a_base64_body_decoded() -> None:
    """What ship sends: a base64 body that echoes a header would hide it from a search of the text."""
    entry = json.loads(json.dumps(OVER_QPS_ENTRY))
    body = "<status><message>token tok987654 rejected</message></status>"
    entry["response"]["content"] = {"encoding": "base64", "text": base64.b64encode(body.encode()).decode()}
    doc = orjson.loads(entry_raw(entry))
    shown = base64.b64decode(doc["response"]["content"]["text"]).decode()
    assert shown == f"<status><message>token {REDACTED} rejected</message></status>"
    plain = json.loads(json.dumps(OVER_QPS_ENTRY))
    plain["response"]["content"] = {"encoding": "base64", "text": base64.b64encode(b"<h1>x</h1>").decode()}
    assert orjson.loads(entry_raw(plain))["response"]["content"] == plain["response"]["content"]  # unchanged


def test_entry_raw_of_a_non_object() -> None:
    assert entry_raw(["GET", "/x?password=hunter22"]) == '["GET","/x?password=REDACTED"]'


# --- a HAR file read whole -----------------------------------------------------------------------

ENTRY: dict[str, Any] = {
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
    ("first_line", "expected"),
    [
        (b"{", True),  # pretty-printed
        (b'{"log": {"entries": []}}', True),
        (b'{ "log": {}}', True),
        (b"\xef\xbb\xbf{", True),  # after a byte order mark
        (b'{"time": "2009-12-10T21:40:10Z", "status": 403}', False),  # a JSON line
        (b"203.0.113.7 - - [10/Dec/2009:21:40:10 +0000]", False),
    ],
)
def test_looks_like_har(first_line: bytes, expected: bool) -> None:
    reader = LineReader(io.BytesIO(b"\n  \n" + first_line + b"\n"), max_line_bytes=1 << 20)
    assert looks_like_har(reader) is expected


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


def test_har_over_the_size_limit_is_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(har_module, "MAX_HAR_BYTES", 1000)
    path = tmp_path / "big.har"
    data = har_bytes(50)
    path.write_bytes(data)
    items, info, _ = read(path)
    assert info.damaged == "HAR file larger than 1000 bytes"
    # Reading stops one byte past the limit: the letter holds those bytes, not the whole file.
    assert items == [Problem("HAR file larger than 1000 bytes", data[:1001], damage=True)]
