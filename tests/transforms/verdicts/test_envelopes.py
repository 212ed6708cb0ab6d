"""A catalog's `envelope:` (DOMAIN.md §9): preset names, custom JSON Pointer / XML name mappings, and
one clear CatalogError line for a bad one."""

from __future__ import annotations

import pickle

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import load_catalog, parse_catalog
from statuslens.transforms.verdicts.envelopes import DEFAULT_ENVELOPE, PRESETS, Envelope, pointer_tokens

HEAD = "schema: statuslens.catalog/v1\nname: t\nresources: [{template: a}]\n"
ROWS = "statuses: [{code: 400, applies_to: All resources, messages: []}]\n"
SCOPES = "scopes: {All resources: {match: always}}\n"


def _catalog(envelope_yaml: str) -> Envelope:
    return parse_catalog((HEAD + SCOPES + ROWS + envelope_yaml).encode(), "t.yaml").envelope


def test_the_default_is_netflix_and_presets_load_by_name() -> None:
    assert load_catalog().envelope is DEFAULT_ENVELOPE is PRESETS["netflix"]
    assert parse_catalog((HEAD + SCOPES + ROWS).encode(), "t.yaml").envelope is DEFAULT_ENVELOPE
    for name, preset in PRESETS.items():
        assert _catalog(f"envelope: {name!r}\n") is preset
    assert set(PRESETS) == {"netflix", "status-code-message", "problem+json", "google", "graph"}


def test_presets_keep_the_pointers_of_dp_9() -> None:
    assert PRESETS["google"] == Envelope("google", ("/error/code",), ("/error/status",), ("/error/message",))
    assert PRESETS["problem+json"] == Envelope("problem+json", ("/status",), ("/type",), ("/title",))
    assert PRESETS["status-code-message"] == Envelope("status-code-message", ("/status",), ("/code",), ("/message",))
    graph = PRESETS["graph"]
    assert (graph.code, graph.subcode, graph.subcode_suffix) == ((), ("/error/code",), ("/error/error_subcode",))


def test_a_custom_envelope_in_yaml() -> None:
    envelope = _catalog(
        "envelope:\n"
        "  name: acme\n"
        "  code: /error/http_status\n"
        "  subcode: [/error/reason, /error/code]\n"
        "  subcode_suffix: /error/detail\n"
        "  message: /error/message\n"
        "  xml: {root: Error, subcode: Code, message: [Message, message]}\n"
    )
    assert envelope == Envelope(
        "acme",
        code=("/error/http_status",),
        subcode=("/error/reason", "/error/code"),
        message=("/error/message",),
        subcode_suffix=("/error/detail",),
        xml_root="Error",
        xml_subcode=("Code",),
        xml_message=("Message", "message"),
    )
    assert pickle.loads(pickle.dumps(envelope)) == envelope
    assert _catalog("envelope: {message: /msg}\n") == Envelope("custom", message=("/msg",))
    assert _catalog("envelope: {xml: {root: fault, message: text}}\n") == Envelope(
        "custom", xml_root="fault", xml_message=("text",)
    )


@pytest.mark.parametrize(
    ("envelope_yaml", "problem"),
    [
        (
            "envelope: aws\n",
            "envelope: must be one of netflix, status-code-message, problem+json, google, graph or a mapping; "
            "got 'aws'",
        ),
        ("envelope: [google]\n", "envelope: must be non-empty text, got ['google']"),
        ("envelope: {message: /m, detail: /d}\n", "envelope.detail: unknown key"),
        (
            "envelope: {message: error/message}\n",
            "envelope.message: bad JSON Pointer 'error/message': a JSON Pointer starts with '/'",
        ),
        ("envelope: {message: /a~2b}\n", "envelope.message: bad JSON Pointer '/a~2b': '~' must be followed by 0 or 1"),
        ("envelope: {message: /a~}\n", "envelope.message: bad JSON Pointer '/a~': '~' must be followed by 0 or 1"),
        ("envelope: {message: [/m, 5]}\n", "envelope.message: must be text or a list of texts, got 5"),
        ("envelope: {message: []}\n", "envelope.message: must name at least one place, got an empty list"),
        ("envelope: {code: /status}\n", "envelope: names no subcode or message"),
        ("envelope: {message: /m, subcode_suffix: /s}\n", "envelope.subcode_suffix: needs envelope.subcode"),
        ("envelope: {name: google, message: /m}\n", "envelope.name: 'google' is a preset"),
        ("envelope: {xml: {message: m}}\n", "envelope.xml: missing key 'root'"),
        ("envelope: {xml: {root: [a, b], message: m}}\n", "envelope.xml.root: must be one text value, got ['a', 'b']"),
        ("envelope: {xml: {root: e, message: 'ns:m'}}\n", "envelope.xml.message: bad XML element name 'ns:m'"),
        ("envelope: {xml: {root: 1e, message: m}}\n", "envelope.xml.root: bad XML element name '1e'"),
        ("envelope: {xml: {root: e, message: m, status: s}}\n", "envelope.xml.status: unknown key"),
    ],
)
def test_a_bad_envelope_is_one_line_naming_the_key(envelope_yaml: str, problem: str) -> None:
    with pytest.raises(CatalogError) as raised:
        _catalog(envelope_yaml)
    message = str(raised.value)
    assert message.startswith("t.yaml: ") and problem in message and "\n" not in message


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [
        ("", ()),
        ("/", ("",)),
        ("/error/code", ("error", "code")),
        ("/a~1b", ("a/b",)),
        ("/m~0n", ("m~n",)),
        ("/~01", ("~1",)),  # ~1 is decoded first, so ~01 is '~1' (RFC 6901 §4)
        ("/ /x", (" ", "x")),
    ],
)
def test_pointer_tokens(pointer: str, tokens: tuple[str, ...]) -> None:
    assert pointer_tokens(pointer) == tokens
