"""parse_json_line, JsonLineParser and FieldMap: JSON-lines access logs (DOMAIN.md §4)."""

from __future__ import annotations

import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.jsonlines import FieldMap, JsonLineParser, parse_json_line

SEED_MS = 1_260_481_210_000

OVER_QPS = (
    b'{"time":"2009-12-10T21:40:10Z","method":"GET",'
    b'"url":"http://api.netflix.com/catalog/people/30011713","status":403,'
    b'"body":"<h1>Developer Over Qps</h1>","client":"203.0.113.7","user_agent":"Java/1.6",'
    b'"duration_ms":12,"response_headers":{"X-Mashery-Error-Code":"ERR_403_DEVELOPER_OVER_QPS",'
    b'"Retry-After":"1"}}'
)
ALIASES = (
    b'{"@timestamp":1260481210123,"request_method":"post",'
    b'"request_uri":"/users/T1pYkT0/queues/instant","status_code":"412",'
    b'"response_body":{"status":{"status_code":412,"sub_code":710,'
    b'"message":"Title already in queue"}}}'
)
REQUEST_LINE = b'{"ts":"1260481210","request":"GET /oauth/login?oauth_token=x HTTP/1.1","status":405}'
NESTED = (
    b'{"timestamp":"10/Dec/2009:21:40:10 +0000","request":{"method":"GET","url":"/catalog/titles"},'
    b'"response":{"status":200}}'
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            OVER_QPS,
            RawRecord(
                SEED_MS,
                "GET",
                "http://api.netflix.com/catalog/people/30011713",
                403,
                body="<h1>Developer Over Qps</h1>",
                headers={"x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS", "retry-after": "1"},
            ),
        ),
        # Aliases; a body given as an object is kept as its JSON text.
        (
            ALIASES,
            RawRecord(
                SEED_MS + 123,
                "POST",
                "/users/T1pYkT0/queues/instant",
                412,
                body='{"status":{"status_code":412,"sub_code":710,"message":"Title already in queue"}}',
            ),
        ),
        (REQUEST_LINE, RawRecord(SEED_MS, "GET", "/oauth/login?oauth_token=x", 405)),
        (NESTED, RawRecord(SEED_MS, "GET", "/catalog/titles", 200)),
        (
            b'  {"time":"2009-12-10T21:40:10Z","method":" get ","url":" /x ","status":404.0}\r',
            RawRecord(SEED_MS, "GET", "/x", 404),
        ),
    ],
)
def test_parse_json_line(line: bytes, expected: RawRecord) -> None:
    assert parse_json_line(line) == expected
    parser = JsonLineParser()
    assert parser.parse(line) == expected and parser.parse(line) == expected  # its times are remembered


def test_a_parser_reads_repeated_nginx_times_as_parse_json_line_does() -> None:
    """JSON logs that carry nginx's `time_local`: each second seen many times, across many days."""
    parser = JsonLineParser()
    lines = [
        b'{"time_local":"%02d/Dec/%04d:21:40:%02d +0100","method":"GET","url":"/x","status":200}' % (d, y, s)
        for y in range(2000, 2030)
        for d in range(1, 29)
        for s in (0, 1, 59)
    ]
    for line in lines + lines[::-1]:
        assert parser.parse(line) == parse_json_line(line), line


def test_invalid_utf8_inside_a_string_stays_visible() -> None:
    # A bad byte is a per-line matter kept visible as \xHH (records.decode_text), not a dead letter.
    line = (
        b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/catalog/titles?term=caf\xe9",'
        b'"status":200,"body":"<h1>bad \xff\xfe, good \xc3\xa9</h1>"}'
    )
    record = parse_json_line(line)
    assert record.url == "/catalog/titles?term=caf\\xe9"
    assert record.body == "<h1>bad \\xff\\xfe, good é</h1>"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x"}', "missing status"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","status":200}', "missing url"),
        (b'{"time":"2009-12-10T21:40:10Z","url":"/x","status":200}', "missing method"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"  ","url":"/x","status":200}', "missing method"),
        (b'{"method":"GET","url":"/x","status":200}', "missing time"),
        (b'{"time":"yesterday","method":"GET","url":"/x","status":200}', "not an ISO 8601 time"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","status":"abc"}', "not an HTTP status"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","status":true}', "not an HTTP status"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","status":700}', "outside 100-599"),
        (b"[1, 2]", "not a JSON object"),
        (b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /x HTTP/1.1" 200 0', "not valid JSON"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET",', "not valid JSON"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","status":200} trailing', "not valid JSON"),
        (b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","status":200}\xff', "not valid JSON"),
    ],
)
def test_dead_letter_reasons(line: bytes, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        parse_json_line(line)
    with pytest.raises(RecordError, match=reason):
        JsonLineParser().parse(line)


def test_field_map_overrides_come_first() -> None:
    fields = FieldMap.with_overrides({"url": "endpoint", "status": "rc", "time": "when"})
    line = b'{"when":1260481210,"method":"GET","endpoint":"/catalog/titles","url":"/ignored","rc":404}'
    assert parse_json_line(line, fields) == RawRecord(SEED_MS, "GET", "/catalog/titles", 404)
    # The defaults still apply where the configured name is absent.
    assert parse_json_line(OVER_QPS, fields).http_status == 403
    assert JsonLineParser(fields).parse(line) == RawRecord(SEED_MS, "GET", "/catalog/titles", 404)


def test_field_map_dotted_names_reach_into_objects() -> None:
    fields = FieldMap.with_overrides({"status": "http.code"})
    line = b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/x","http":{"code":503}}'
    assert parse_json_line(line, fields).http_status == 503


def test_unknown_field_in_map_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown field 'uri'; known: "):
        FieldMap.with_overrides({"uri": "u"})
