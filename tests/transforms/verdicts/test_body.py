"""parse_body: status envelopes of DOMAIN.md §3, and hostile bodies parsed safely."""

from __future__ import annotations

import builtins
import socket
import time
import urllib.request
from typing import Any

import pytest

from statuslens.transforms.verdicts.body import MAX_BODY_CHARS, MAX_XML_DEPTH, BodyInfo, gateway_message, parse_body
from tests.conftest import corpus_path

V1_XML = (
    '<?xml version="1.0" standalone="yes"?><status><status_code>400</status_code>'
    "<sub_code>120</sub_code><message>Query parameter max_results must be a positive integer.</message>"
    "</status>"
)
V1_XML_MULTILINE = """<?xml version="1.0" standalone="yes"?>
<status>
  <status_code>412</status_code>
  <sub_code>710</sub_code>
  <message>Title already in queue</message>
</status>
"""
V1_XML_NO_PROLOG = "<status><status_code>401</status_code><message>Invalid signature</message></status>"
V1_SUBCODE = (
    "<status>\n\t<status_code>412</status_code>\n\t<subcode>710</subcode>\n"
    "\t<message>Title already in queue</message>\n</status>"
)
V1_ENTITY = (
    "<status><status_code>400</status_code><message>Title is saved; cannot &quot;move&quot; it</message></status>"
)
V1_CREATED = (
    '<?xml version="1.0" standalone="yes"?><status><status_code>201</status_code>'
    "<message>Resource created</message><resources_created><queue_item>"
    "<id>http://api.netflix.com/users/T1pYkT0/queues/instant/available/1/70021896</id>"
    "</queue_item></resources_created></status>"
)
V15_XML = "<status><message>user_id is invalid</message></status>"
JSON_V1 = (
    '{"status": {"status_code": 400, "sub_code": 120, '
    '"message": "Query parameter max_results must be a positive integer."}}'
)
JSON_V15 = '{"status": {"message": "user_id is invalid"}}'
JSON_TEXT_CODES = '{"status": {"status_code": "412", "subcode": "710", "message": " Title already in queue "}}'
JSONP = 'handleStatus({"status": {"status_code": 401, "message": "Invalid signature"}});'
GATEWAY = "<h1>Developer Over Qps</h1>"
GATEWAY_NUMBERED = "<h1>403 Developer Over Qps</h1>\n"
HTML_PAGE = (
    '<html><head><title>502 Bad Gateway</title></head><body bgcolor="white">'
    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
HTML5_PAGE = "<!DOCTYPE html>\n<html lang=en><body><h1>Developer Over Qps</h1><p>Slow down</p></body></html>"
XHTML_PAGE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
    "<head><title>Error</title></head><body><h1>Service Unavailable</h1></body></html>"
)
RESOURCE_XML = (
    '<?xml version="1.0" standalone="yes"?><catalog_title><id>http://api.netflix.com/catalog/titles/'
    'movies/60021896</id><title short="Star Wars" regular="Star Wars: Episode IV"/>'
    "</catalog_title>"
)
RESOURCE_JSON = '{"catalog_title": {"id": "http://api.netflix.com/catalog/titles/movies/60021896"}}'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (V1_XML, BodyInfo("xml", 400, 120, "Query parameter max_results must be a positive integer.")),
        (V1_XML_MULTILINE, BodyInfo("xml", 412, 710, "Title already in queue")),
        (V1_XML_NO_PROLOG, BodyInfo("xml", 401, None, "Invalid signature")),
        (V1_SUBCODE, BodyInfo("xml", 412, 710, "Title already in queue")),
        (V1_ENTITY, BodyInfo("xml", 400, None, 'Title is saved; cannot "move" it')),
        (V1_CREATED, BodyInfo("xml", 201, None, "Resource created")),
        (V15_XML, BodyInfo("xml", None, None, "user_id is invalid")),
        (JSON_V1, BodyInfo("json", 400, 120, "Query parameter max_results must be a positive integer.")),
        (XHTML_PAGE, BodyInfo("html")),  # declared XML, no DTD: parsed, and its root says html
        (JSON_V15, BodyInfo("json", None, None, "user_id is invalid")),
        (JSON_TEXT_CODES, BodyInfo("json", 412, 710, "Title already in queue")),
        (JSONP, BodyInfo("jsonp", 401, None, "Invalid signature")),
        (GATEWAY, BodyInfo("gateway", message="Developer Over Qps")),
        (GATEWAY_NUMBERED, BodyInfo("gateway", message="Developer Over Qps")),
        ("<H1>Developer &amp; Over Qps</H1>", BodyInfo("gateway", message="Developer & Over Qps")),
        (HTML_PAGE, BodyInfo("html")),
        (HTML5_PAGE, BodyInfo("html")),  # a full page has no message, whatever headings it holds
        (RESOURCE_XML, BodyInfo("xml")),
        (RESOURCE_JSON, BodyInfo("json")),
        ('[{"id": 1}]', BodyInfo("json")),
        ("Service Unavailable", BodyInfo("other")),
        (None, BodyInfo("none")),
        ("", BodyInfo("none")),
        ("  \r\n ", BodyInfo("none")),
    ],
)
def test_parse_body(body: str | None, expected: BodyInfo) -> None:
    assert parse_body(body) == expected


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        # Header only, no body: the gateway code is kept (it is not a sub_code) and names the message.
        (
            None,
            "ERR_403_DEVELOPER_OVER_QPS",
            BodyInfo("none", message="Developer Over Qps", gateway_code="ERR_403_DEVELOPER_OVER_QPS"),
        ),
        (
            "",
            " ERR_403_DEVELOPER_OVER_RATE ",
            BodyInfo("none", message="Developer Over Rate", gateway_code="ERR_403_DEVELOPER_OVER_RATE"),
        ),
        # The <h1> text wins over the header's spelling.
        (
            GATEWAY_NUMBERED,
            "ERR_403_DEVELOPER_OVER_QPS",
            BodyInfo("gateway", message="Developer Over Qps", gateway_code="ERR_403_DEVELOPER_OVER_QPS"),
        ),
        (None, "something odd", BodyInfo("none", gateway_code="something odd")),
        (None, "", BodyInfo("none")),
    ],
)
def test_gateway_header(body: str | None, header: str, expected: BodyInfo) -> None:
    assert parse_body(body, header) == expected


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ERR_403_DEVELOPER_OVER_QPS", "Developer Over Qps"),
        ("ERR_403_DEVELOPER_INACTIVE", "Developer Inactive"),
        ("ERR_403_SERVICE_OVER_QPS", "Service Over Qps"),
        ("ERR_414_REQUEST_URI_TOO_LONG", "Request Uri Too Long"),
        ("ERR_504_GATEWAY_TIMEOUT", "Gateway Timeout"),
        ("403", None),
        ("err_403_developer_over_qps", None),
    ],
)
def test_gateway_message(code: str, message: str | None) -> None:
    assert gateway_message(code) == message


INVALID = BodyInfo("invalid", unparseable=True)


@pytest.mark.parametrize(
    "body",
    [
        "<status><status_code>400</status_code><message>Title not fou",  # truncated XML
        '<?xml version="1.0"?><status><status_code>400</status_code>',
        '{"status": {"status_code": 400, "message": "Title not fou',  # truncated JSON
        '{"status": {"status_code": 400,}}',
        "<status><status_code>412</status_code><sub_code>710</subcode></status>",  # mismatched tags
        "<status><message>bad \x01 control</message></status>",  # a character XML forbids
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        "<node>" * 10_000 + "</node>" * 10_000,  # too deep, XML
        "<status>" + "x" * (MAX_BODY_CHARS + 1) + "</status>",
        "{" + " " * (MAX_BODY_CHARS + 1) + "}",
        "<status><message>" + "a" * (MAX_BODY_CHARS + 10) + "</message></status>",  # fast-path shape
        'fn({"status": {"message": "' + "a" * (MAX_BODY_CHARS + 10) + '"}})',
    ],
    ids=[
        "xml-cut",
        "xml-cut-prolog",
        "json-cut",
        "json-comma",
        "xml-mismatch",
        "xml-control",
        "json-deep-list",
        "json-deep-object",
        "xml-deep",
        "xml-huge",
        "json-huge",
        "xml-huge-message",
        "jsonp-huge",
    ],
)
def test_unparseable_xml_and_json(body: str) -> None:
    assert parse_body(body) == INVALID


@pytest.mark.parametrize(
    ("before", "after", "body_format"),
    [("<status><message>", "</message></status>", "xml"), ('fn({"status": {"message": "', '"}})', "jsonp")],
)
def test_a_body_of_exactly_the_size_limit_is_parsed(before: str, after: str, body_format: str) -> None:
    message = "a" * (MAX_BODY_CHARS - len(before) - len(after))
    assert parse_body(before + message + after) == BodyInfo(body_format, message=message)


ADVERSARIAL = [
    "xmlbomb.xml",
    "xmlbomb2.xml",
    "quadratic.xml",
    "cyclic.xml",
    "external.xml",
    "external_file.xml",
    "dtd.xml",
]


def refuse_io(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"body parsing tried I/O: {args!r}")


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_hostile_xml_is_invalid_quickly_without_io(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = corpus_path("adversarial_defusedxml", name).read_text(encoding="utf-8")
    with monkeypatch.context() as guard:
        # Entities pointing at http://… and file:///… must never be fetched.
        guard.setattr(socket, "create_connection", refuse_io)
        guard.setattr(socket.socket, "connect", refuse_io)
        guard.setattr(urllib.request, "urlopen", refuse_io)
        guard.setattr(builtins, "open", refuse_io)
        started = time.perf_counter()
        info = parse_body(text)
        elapsed = time.perf_counter() - started
    assert info == INVALID
    assert elapsed < 1.0


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_hostile_xml_after_a_status_prefix_is_invalid(name: str) -> None:
    # Whitespace before the hostile document must not steer it past the safe parser.
    text = corpus_path("adversarial_defusedxml", name).read_text(encoding="utf-8")
    assert parse_body("\n  " + text) == INVALID


def test_status_with_internal_dtd_is_invalid() -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE status [<!ENTITY m "Title already in queue">]>'
        "<status><status_code>412</status_code><message>&m;</message></status>"
    )
    assert parse_body(body) == INVALID


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_XML_DEPTH
    assert parse_body("<node>" * depth + "</node>" * depth) == BodyInfo("xml")
    assert parse_body("<node>" * (depth + 1) + "</node>" * (depth + 1)) == INVALID


def test_html_fragment_that_is_not_xml_is_html() -> None:
    assert parse_body("<p>Service temporarily unavailable<br>try later") == BodyInfo("html")


@pytest.mark.parametrize(
    "body, expected",
    [
        # A status document the quick regex does not take: read in one expat pass, as ElementTree
        # would read it (first child of each name, its text up to its first sub-element).
        (
            '<?xml version="1.0"?><status><status_code>201</status_code><message>Resource created</message>'
            "<resources_created><queue_item><id>1</id></queue_item></resources_created></status>",
            BodyInfo("xml", 201, None, "Resource created"),
        ),
        ("<status><message>a<b/>c</message><message>z</message></status>", BodyInfo("xml", message="a")),
        ("<status><message></message><message>b</message></status>", BodyInfo("xml")),
        ("<status><message><![CDATA[x &]]> y &amp;</message></status>", BodyInfo("xml", message="x & y &")),
        ("<!-- c --><status><status_code>400</status_code></status>", BodyInfo("xml", 400)),
        ("<status><sub_code></sub_code><subcode>9</subcode></status>", BodyInfo("xml", sub_code=9)),
        ("<status><status><message>inner</message></status></status>", BodyInfo("xml")),
        # Namespaced: not the envelope.
        ('<status xmlns="urn:x"><message>a</message></status>', BodyInfo("xml")),
        ('<status><message xmlns="urn:x">m</message></status>', BodyInfo("xml")),
        ("<status><message>&unknown;</message></status>", BodyInfo("invalid", unparseable=True)),
        ("<status><message>open</status>", BodyInfo("invalid", unparseable=True)),
    ],
)
def test_status_documents_read_by_expat(body: str, expected: BodyInfo) -> None:
    assert parse_body(body) == expected


def test_status_nested_past_the_limit_is_invalid() -> None:
    deep = "<status><message>a</message>" + "<x>" * (MAX_XML_DEPTH + 5) + "</x>" * (MAX_XML_DEPTH + 5) + "</status>"
    assert parse_body(deep) == BodyInfo("invalid", unparseable=True)
