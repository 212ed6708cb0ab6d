"""compile_log_format and LineFormat.parse: nginx/Apache access lines (DOMAIN.md §4)."""

from __future__ import annotations

import random
import re

import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.records import RawRecord, decode_text
from statuslens.transforms.readers.nginx import NAMED_FORMATS, compile_log_format, unescape_field

SEED_MS = 1_260_481_210_000  # 10/Dec/2009:21:40:10 +0000

COMMON = (
    b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/people/30011713'
    b'?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf HTTP/1.1" 403 27'
)
COMMON_USER = b'203.0.113.7 - frank [10/Dec/2009:14:40:10 -0700] "POST /users/T1pYkT0/queues/instant HTTP/1.0" 412 -'
COMBINED = (
    b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/titles?term=caf\\xC3\\xA9 HTTP/1.1" '
    b'200 5120 "http://example.com/search?q=\\"star wars\\"" "Mozilla/5.0 (X11; Linux x86_64)"'
)
COMBINED_BODY = (
    b"203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "
    b'"POST /users/T1pYkT0/queues/instant HTTP/1.1" 412 210 "-" "NetflixClient/1.0" '
    b'"<?xml version=\\x221.0\\x22 standalone=\\x22yes\\x22?>'
    b"<status><status_code>412</status_code><sub_code>710</sub_code>"
    b'<message>Title already in queue</message></status>"'
)
QUEUE_XML = (
    '<?xml version="1.0" standalone="yes"?><status><status_code>412</status_code>'
    "<sub_code>710</sub_code><message>Title already in queue</message></status>"
)
# lnav's logfile_access_log.0, first line.
LNAV = b'192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] "GET /vmw/cgi/tramp HTTP/1.0" 200 134 "-" "gPXE/0.9.7"'


@pytest.mark.parametrize(
    ("fmt", "line", "expected"),
    [
        (
            "common",
            COMMON,
            RawRecord(SEED_MS, "GET", "/catalog/people/30011713?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf", 403),
        ),
        ("common", COMMON_USER, RawRecord(SEED_MS, "POST", "/users/T1pYkT0/queues/instant", 412)),
        (
            "common",
            COMMON + b"\r",
            RawRecord(SEED_MS, "GET", "/catalog/people/30011713?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf", 403),
        ),
        ("combined", COMBINED, RawRecord(SEED_MS, "GET", "/catalog/titles?term=café", 200)),
        ("combined", LNAV, RawRecord(1_248_130_766_000, "GET", "/vmw/cgi/tramp", 200)),
        (
            "combined_body",
            COMBINED_BODY,
            RawRecord(SEED_MS, "POST", "/users/T1pYkT0/queues/instant", 412, body=QUEUE_XML),
        ),
        (
            "combined_body",
            COMBINED.replace(b'X11; Linux x86_64)"', b'X11; Linux x86_64)" "-"'),
            RawRecord(SEED_MS, "GET", "/catalog/titles?term=café", 200, body=None),
        ),
    ],
)
def test_named_formats(fmt: str, line: bytes, expected: RawRecord) -> None:
    assert compile_log_format(fmt).parse(line) == expected


def test_named_format_strings() -> None:
    assert NAMED_FORMATS["combined_body"] == (
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
        '"$http_referer" "$http_user_agent" "$resp_body"'
    )
    assert compile_log_format("combined").name == "combined"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"caf\\xC3\\xA9", "café"),  # nginx default: bytes outside 0x20-0x7E as \xHH
        (b"\\x22quoted\\x22 \\x5C", '"quoted" \\'),
        (b"bad \\xFF byte", "bad \\xff byte"),  # invalid UTF-8 stays visible
        (b'say \\"hi\\" \\\\ done', 'say "hi" \\ done'),  # Apache's \" and \\
        (b"caf\\u00e9 \\/ a\\tb\\nc", "café / a\tb\nc"),  # escape=json
        (b"\\q stays", "\\q stays"),
        (b"plain", "plain"),
    ],
)
def test_unescape_field(raw: bytes, text: str) -> None:
    assert unescape_field(raw) == text


def test_escape_json_format() -> None:
    fmt = compile_log_format('escape=json $remote_addr [$time_local] "$request" $status "$resp_body"')
    line = (
        b'203.0.113.7 [10/Dec/2009:21:40:10 +0000] "GET /catalog/people/30011713 HTTP/1.1" 403 '
        b'"{\\"status\\":{\\"message\\":\\"caf\\u00e9\\"}}"'
    )
    record = fmt.parse(line)
    assert record.body == '{"status":{"message":"café"}}'
    assert (record.method, record.url, record.http_status) == ("GET", "/catalog/people/30011713", 403)


MASHERY = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" "$sent_http_x_mashery_error_code" $request_time'
)


@pytest.mark.parametrize(
    ("line", "headers"),
    [
        (
            b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/people/30011713 HTTP/1.1" 403 27 '
            b'"-" "Java/1.6.0_17" "ERR_403_DEVELOPER_OVER_QPS" 0.004',
            {"x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS"},
        ),
        (
            b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/people/30011713 HTTP/1.1" 200 812 '
            b'"-" "Java/1.6.0_17" "-" 0.120',
            {},
        ),
    ],
)
def test_custom_format_with_mashery_header(line: bytes, headers: dict[str, str]) -> None:
    record = compile_log_format(MASHERY).parse(line)
    assert record.headers == headers
    assert record.time_ms == SEED_MS


def test_custom_format_with_method_uri_args_and_iso_time() -> None:
    fmt = compile_log_format("[$time_iso8601] $request_method ${uri} $args $status $upstream_http_x_mashery_error_code")
    record = fmt.parse(b"[2009-12-10T21:40:10+00:00] GET /catalog/titles max_results=0 400 -")
    assert record == RawRecord(SEED_MS, "GET", "/catalog/titles?max_results=0", 400)


def test_custom_format_with_msec() -> None:
    fmt = compile_log_format("$msec $request_method $request_uri $status")
    assert fmt.parse(b"1260481210.123 POST /users/T1pYkT0/queues/disc 201").time_ms == SEED_MS + 123


def test_aligned_columns_accept_extra_spaces() -> None:
    line = COMMON.replace(b" 403 27", b"  403   27")
    assert compile_log_format("common").parse(line).http_status == 403


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # TLS handshakes and scanners sent to a plain-HTTP port: nginx logs the bytes as the request.
        (
            b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "\\x16\\x03\\x01\\x00\\xA5\\x01" 400 157',
            "request line has no method and URL",
        ),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "-" 400 0', "request line has no method and URL"),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET" 400 0', "request line has no method and URL"),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "get /x HTTP/1.1" 400 0', "request line has no method and URL"),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /x HTTP/1.1" 999 0', "status 999 is outside 100-599"),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /x HTTP/1.1" - 0', "not an HTTP status"),
        (b'203.0.113.7 - - [yesterday] "GET /x HTTP/1.1" 200 0', "not an ISO 8601 time"),
        (b'203.0.113.7 - - [31/Feb/2009:21:40:10 +0000] "GET /x HTTP/1.1" 200 0', "not an nginx time"),
        (b"Dec 10 21:40:10 host sshd[42]: Failed password for root", "does not match log format common"),
        (b"", "does not match log format common"),
    ],
)
def test_garbage_is_a_record_error(line: bytes, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        compile_log_format("common").parse(line)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("$remote_addr $time_local $request", "has no $status"),
        ("$time_local $status", "needs $request"),
        ("$request $status", "needs $time_local"),
        ("no variables here", "has no $variables"),
    ],
)
def test_unusable_formats(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("$", r"\$")):
        compile_log_format(spec)


def test_matches() -> None:
    combined = compile_log_format("combined")
    assert combined.matches(COMBINED)
    assert not combined.matches(COMMON)


_CLEAN = {  # a line of each format with no escaped quote, so the quick path applies before edits
    "common": COMMON,
    "combined": COMBINED.replace(b'\\"', b"\\x22"),
    "combined_body": COMBINED_BODY,
    '$remote_addr "$request" $status [$time_local] "$http_user_agent"$resp_body': (
        b'203.0.113.7 "GET /users/current HTTP/1.1" 401 [10/Dec/2009:21:40:10 +0000] "Py\\x22x"<status/>'
    ),
    '$status"$request"[$time_local]$sent_http_x_mashery_error_code "$resp_body"': (
        b'403"GET /a HTTP/1.1"[10/Dec/2009:21:40:10 +0000]ERR_403_X "<h1>x</h1>"'
    ),
}


@pytest.mark.parametrize("spec", list(_CLEAN))
def test_quick_regex_reads_the_same_fields_as_the_full_regex(spec: str) -> None:
    """Random edits (quotes, backslashes, escapes) of a clean line: wherever the quick regex matches,
    the full regex matches too and reads the same fields; `matches` agrees with the full regex."""
    fmt = compile_log_format(spec)
    assert fmt.quick_regex is not None
    assert fmt.quick_regex.fullmatch(_CLEAN[spec]) is not None
    rng = random.Random(7)
    pieces = [b"a", b"\\", b'"', b" ", b"\\x22", b"-", b"[", b"]", b"1", b'\\"', b'""', b"\t"]
    paths = {"quick": 0, "full": 0}
    for _ in range(20_000):
        line = bytearray(_CLEAN[spec])
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(line) + 1)
            if rng.random() < 0.6:
                line[at:at] = rng.choice(pieces)
            elif at < len(line):
                del line[at]
        full = fmt.regex.fullmatch(bytes(line))
        quick = fmt.quick_regex.fullmatch(bytes(line))
        assert fmt.matches(bytes(line)) is (full is not None), bytes(line)
        if quick is not None:
            assert full is not None and quick.groupdict() == full.groupdict(), bytes(line)
            paths["quick"] += 1
        elif full is not None:
            paths["full"] += 1
    assert paths["quick"] > 1000 and paths["full"] > 100, paths  # both paths really ran


def test_an_escaped_quote_is_read_by_the_full_regex() -> None:
    fmt = compile_log_format("combined")
    assert fmt.quick_regex is not None
    assert fmt.quick_regex.fullmatch(COMBINED) is None  # its referer holds \"star wars\"
    assert fmt.regex.fullmatch(COMBINED) is not None
    assert fmt.parse(COMBINED).url == "/catalog/titles?term=café"


# The general rule, written out: `\xHH` is a byte, `\uHHHH` a character, JSON's one-letter escapes
# and Apache's `\"` and `\\` their character; anything else (`\xZZ`, a lone `\`) stays as it is.
ESCAPE = re.compile(rb'\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|["\\/bfnrt])')
ONE_LETTER = {b'"': b'"', b"\\": b"\\", b"/": b"/", b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t"}


def unescape_by_the_rule(raw: bytes) -> str:
    def one(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token[:1] == b"x":
            return bytes([int(token[1:], 16)])
        if token[:1] == b"u":
            return chr(int(token[1:], 16)).encode("utf-8", "surrogatepass")
        return ONE_LETTER[token]

    return decode_text(ESCAPE.sub(one, raw))


def test_unescape_fast_paths_agree_with_the_general_rule() -> None:
    """Random fields of escapes (good, malformed, mixed): the C fast paths give what the rule gives."""
    rng = random.Random(11)
    pieces = [
        b"a",
        b"\\x22",
        b"\\x0A",
        b"\\x5C",
        b"\\x5c",
        b"\\xZZ",
        b"\\x",
        b"\\x4",
        b"\\\\",
        b'\\"',
        b"\\u00e9",
        b"\\n",
        b"\xc3\xa9",
        b"\xff",
        b"x41",
        b"\\",
    ]
    for _ in range(5000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert unescape_field(raw) == unescape_by_the_rule(raw), raw
