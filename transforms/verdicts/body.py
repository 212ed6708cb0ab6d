"""Read the status envelope out of a response body (DOMAIN.md §3).

Bodies are untrusted: XML is parsed with expat, any DOCTYPE refused as soon as it starts (so no
entity is ever declared or expanded, no external resource read) and its depth bounded (body_xml.py);
JSON with orjson (its nesting limit bounds depth); anything over `MAX_BODY_CHARS` is not parsed at
all. The catalog's envelope (§9) says where the fields are: the default Netflix one is read by the
code below exactly as §3 describes (a tiny regular expression reads the common v1 envelope, anything
it does not fully match goes to expat); any other by its pointers and names (body_envelope.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from xml.parsers import expat

import orjson

from statuslens.transforms.model.numbers import is_ascii_number
from statuslens.transforms.verdicts.body_envelope import json_fields, xml_fields
from statuslens.transforms.verdicts.body_xml import read_root_fields, xml_root_tag
from statuslens.transforms.verdicts.envelopes import DEFAULT_ENVELOPE, Envelope

__all__ = ["MAX_BODY_CHARS", "MAX_XML_DEPTH", "BodyInfo", "gateway_message", "parse_body"]

MAX_BODY_CHARS = 1_048_576
MAX_XML_DEPTH = 1024  # the same nesting limit orjson applies to JSON

_XML_FAST_RE = re.compile(
    r"(?:<\?xml[^<>]*\?>)?\s*<status>\s*"
    r"(?:<status_code>\s*([0-9]{1,3})\s*</status_code>\s*)?"
    r"(?:<(?P<sub_tag>sub_code|subcode)>\s*([A-Za-z0-9_\-]*)\s*</(?P=sub_tag)>\s*)?"
    # Control characters are not XML: leave them to the parser, which refuses them.
    r"(?:<message>([^<&\x00-\x08\x0b\x0c\x0e-\x1f]*)</message>\s*)?"
    r"</status>\s*"
)
_GATEWAY_RE = re.compile(r"<h1>([^<]*)</h1>", re.IGNORECASE)
# A document that opens with <status: read in one pass for its fields (no root-tag pre-check).
_STATUS_START_RE = re.compile(r"(?:<\?xml[^<>]*\?>)?\s*<status[\s>/]")
_LEADING_STATUS_RE = re.compile(r"^[0-9]{3}\s+")
_JSONP_START_RE = re.compile(r"[A-Za-z_$][\w$.]*\s*\(\s*[{\[]")
_JSONP_RE = re.compile(r"[A-Za-z_$][\w$.]*\s*\((.*)\)\s*;?", re.DOTALL)
_HTML_HINT_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
_HTML_FRAGMENT_RE = re.compile(r"<(p|div|span|h[1-6]|br|title|pre|center|a|b|i|table)[\s>/]", re.IGNORECASE)
_GATEWAY_CODE_RE = re.compile(r"^ERR_[0-9]{3}_([A-Z0-9_]+)$")


@dataclass(slots=True)  # made per record; treated as read-only (frozen costs ~4x to create)
class BodyInfo:
    """What a body says: its format, the envelope fields, and whether it could not be parsed."""

    body_format: str
    status_code: int | None = None
    sub_code: int | str | None = None
    message: str | None = None
    gateway_code: str | None = None
    unparseable: bool = False


def parse_body(body: str | None, gateway_code: str | None = None, envelope: Envelope = DEFAULT_ENVELOPE) -> BodyInfo:
    """Classify and read a body; `gateway_code` is the `X-Mashery-Error-Code` header, if any, and
    `envelope` the catalog's (§9). Gateway `<h1>` bodies, HTML pages and unparseable bodies are told
    apart the same way whatever the envelope: they come from what stands in front of the API."""
    info = _parse(body, None if envelope is DEFAULT_ENVELOPE or envelope == DEFAULT_ENVELOPE else envelope)
    if gateway_code:
        gateway_code = gateway_code.strip()[:128]
        message = info.message if info.message is not None else gateway_message(gateway_code)
        return BodyInfo(info.body_format, info.status_code, info.sub_code, message, gateway_code, info.unparseable)
    return info


def gateway_message(code: str) -> str | None:
    """`ERR_403_DEVELOPER_OVER_QPS` -> `Developer Over Qps` (what the gateway's `<h1>` says)."""
    match = _GATEWAY_CODE_RE.match(code)
    if not match:
        return None
    return " ".join(word.capitalize() for word in match.group(1).split("_") if word)


def _parse(body: str | None, envelope: Envelope | None) -> BodyInfo:
    """`envelope` None is the Netflix one (§3)."""
    if body is None:
        return _NONE
    text = body.strip()
    if not text:
        return _NONE
    first = text[0]
    if first == "<":
        return _parse_markup(text, envelope)
    if first in "{[":
        return _parse_json(text, "json", envelope)
    if len(text) > MAX_BODY_CHARS:
        looks_jsonp = _JSONP_START_RE.match(text) is not None and text.rstrip(";").rstrip().endswith(")")
        return BodyInfo("invalid", unparseable=True) if looks_jsonp else BodyInfo("other")
    jsonp = _JSONP_RE.fullmatch(text)
    if jsonp:
        inner = jsonp.group(1).strip()
        if inner[:1] in ("{", "["):
            return _parse_json(inner, "jsonp", envelope)
    return BodyInfo("other")


def _parse_markup(text: str, envelope: Envelope | None) -> BodyInfo:
    if len(text) > MAX_BODY_CHARS:  # too big to parse safely, whatever it claims to be
        if not text.startswith("<?xml") and _HTML_HINT_RE.search(text[:2048]):
            return BodyInfo("html")
        return BodyInfo("invalid", unparseable=True)
    fast = _XML_FAST_RE.fullmatch(text) if envelope is None else None
    if fast:
        code, _, sub, message = fast.groups()
        return BodyInfo(
            "xml",
            int(code) if code else None,
            _sub_code(sub) if sub else None,
            message.strip() if message is not None else None,
        )
    gateway = _GATEWAY_RE.fullmatch(text)
    if gateway:
        message = _LEADING_STATUS_RE.sub("", " ".join(html.unescape(gateway.group(1)).split()))
        return BodyInfo("gateway", message=message or None)
    # A body that declares itself XML goes to the safe parser even when it is XHTML: a DTD makes it
    # unparseable (DOMAIN.md §3); without one, its root element still tells html from xml below.
    if not text.startswith("<?xml") and _HTML_HINT_RE.search(text[:2048]):
        return BodyInfo("html")
    if len(text) > MAX_BODY_CHARS:
        return BodyInfo("invalid", unparseable=True)
    root_name, names = ("status", _STATUS_FIELDS) if envelope is None else _xml_names(envelope)
    try:
        if (envelope is not None or _STATUS_START_RE.match(text) is None) and text.count("<") <= MAX_XML_DEPTH:
            root_tag = xml_root_tag(text)
            if root_tag != root_name:
                return BodyInfo("html" if root_tag == "html" else "xml")
        root_tag, fields = read_root_fields(text, names, MAX_XML_DEPTH)
    except (ValueError, RecursionError, expat.ExpatError):
        if _looks_like_html_fragment(text):
            return BodyInfo("html")
        return BodyInfo("invalid", unparseable=True)
    if root_tag != root_name:
        return BodyInfo("html" if root_tag.rpartition("}")[2] == "html" else "xml")
    if envelope is not None:
        return BodyInfo("xml", *xml_fields(fields, envelope))
    return _from_fields("xml", fields["status_code"], fields["sub_code"] or fields["subcode"], fields["message"])


_STATUS_FIELDS = ("status_code", "sub_code", "subcode", "message")


def _xml_names(envelope: Envelope) -> tuple[str | None, tuple[str, ...]]:
    """The root element name of the envelope's XML bodies (None: it has none) and the children read."""
    return envelope.xml_root, envelope.xml_code + envelope.xml_subcode + envelope.xml_message


def _parse_json(text: str, body_format: str, envelope: Envelope | None) -> BodyInfo:
    if len(text) > MAX_BODY_CHARS:
        return BodyInfo("invalid", unparseable=True)
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return BodyInfo("invalid", unparseable=True)
    if envelope is not None:
        fields = json_fields(doc, envelope)
        return BodyInfo(body_format) if fields is None else BodyInfo(body_format, *fields)
    status = doc.get("status") if isinstance(doc, dict) else None
    if not isinstance(status, dict):
        return BodyInfo(body_format)
    message = status.get("message")
    return _from_fields(
        body_format,
        status.get("status_code"),
        status.get("sub_code", status.get("subcode")),
        message if isinstance(message, str) else None,
    )


def _from_fields(body_format: str, code: object, sub: object, message: str | None) -> BodyInfo:
    status_code = _int_or_none(code)
    sub_code = _sub_code(sub) if sub not in (None, "") else None
    return BodyInfo(body_format, status_code, sub_code, message.strip() if message is not None else None)


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 100 <= value <= 999 else None
    if isinstance(value, str) and is_ascii_number(value.strip()) and len(value.strip()) <= 3:
        number = int(value.strip())
        return number if number >= 100 else None
    return None


def _sub_code(value: object) -> int | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()[:64]
    if is_ascii_number(text) and len(text) <= 9:
        return int(text)
    return text or None


def _looks_like_html_fragment(text: str) -> bool:
    return _HTML_FRAGMENT_RE.match(text) is not None


_NONE = BodyInfo("none")
