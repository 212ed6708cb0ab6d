"""Read the status envelope out of a response body (DOMAIN.md §3).

Bodies are untrusted: XML is parsed with expat, any DOCTYPE refused as soon as it starts (so no
entity is ever declared or expanded, no external resource read) and its depth bounded; JSON with
orjson (its nesting limit bounds depth); anything over `MAX_BODY_CHARS` is not parsed at all. A tiny
regular expression reads the common v1 envelope; anything it does not fully match goes to expat.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from xml.parsers import expat

import orjson

from statuslens.transforms.model.numbers import is_ascii_number

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


def parse_body(body: str | None, gateway_code: str | None = None) -> BodyInfo:
    """Classify and read a body; `gateway_code` is the `X-Mashery-Error-Code` header, if any."""
    info = _parse(body)
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


def _parse(body: str | None) -> BodyInfo:
    if body is None:
        return _NONE
    text = body.strip()
    if not text:
        return _NONE
    first = text[0]
    if first == "<":
        return _parse_markup(text)
    if first in "{[":
        return _parse_json(text, "json")
    if len(text) > MAX_BODY_CHARS:
        looks_jsonp = _JSONP_START_RE.match(text) is not None and text.rstrip(";").rstrip().endswith(")")
        return BodyInfo("invalid", unparseable=True) if looks_jsonp else BodyInfo("other")
    jsonp = _JSONP_RE.fullmatch(text)
    if jsonp:
        inner = jsonp.group(1).strip()
        if inner[:1] in ("{", "["):
            return _parse_json(inner, "jsonp")
    return BodyInfo("other")


def _parse_markup(text: str) -> BodyInfo:
    if len(text) > MAX_BODY_CHARS:  # too big to parse safely, whatever it claims to be
        if not text.startswith("<?xml") and _HTML_HINT_RE.search(text[:2048]):
            return BodyInfo("html")
        return BodyInfo("invalid", unparseable=True)
    fast = _XML_FAST_RE.fullmatch(text)
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
    try:
        if _STATUS_START_RE.match(text) is None and text.count("<") <= MAX_XML_DEPTH:
            root_tag = _xml_root_tag(text)
            if root_tag != "status":
                return BodyInfo("html" if root_tag == "html" else "xml")
        root_tag, fields = _read_status_xml(text)
    except (ValueError, RecursionError, expat.ExpatError):
        if _looks_like_html_fragment(text):
            return BodyInfo("html")
        return BodyInfo("invalid", unparseable=True)
    if root_tag != "status":
        return BodyInfo("html" if root_tag.rpartition("}")[2] == "html" else "xml")
    return _from_fields("xml", fields["status_code"], fields["sub_code"] or fields["subcode"], fields["message"])


_STATUS_FIELDS = ("status_code", "sub_code", "subcode", "message")


def _read_status_xml(text: str) -> tuple[str, dict[str, str | None]]:
    """The root tag and the text of the root's first `status_code`/`sub_code`/`subcode`/`message`
    children, in one expat pass; raises on malformed XML, any DTD, or nesting past MAX_XML_DEPTH.

    Names are read the way ElementTree reads them (`{uri}local` for a namespaced element), and a
    child's text is ElementTree's `.text`: the character data before its first sub-element.
    Refusing the DOCTYPE means no entity can be declared, so none is ever expanded.
    """
    parser = _dtd_free_parser(namespace_separator="}")
    fields: dict[str, str | None] = dict.fromkeys(_STATUS_FIELDS)
    seen: set[str] = set()  # fields whose first element has started: later ones are not read
    root: list[str] = []
    depth = 0
    capturing: list[str] = []  # the field whose text is being read, if any
    pieces: list[str] = []

    def start(name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise ValueError(f"XML nested deeper than {MAX_XML_DEPTH} elements")
        if capturing:
            _finish()
        if depth == 1:
            root.append("{" + name if "}" in name else name)
        elif depth == 2 and name in fields and name not in seen:
            seen.add(name)
            capturing.append(name)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1
        if capturing:
            _finish()

    def _finish() -> None:
        name = capturing.pop()
        fields[name] = "".join(pieces) if pieces else None
        pieces.clear()

    def data(chunk: str) -> None:
        if capturing:
            pieces.append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.Parse(text, True)
    return root[0], fields


def _refuse_dtd(*_: object) -> None:
    raise ValueError("DTDs are not allowed in bodies")


def _dtd_free_parser(namespace_separator: str | None = None) -> expat.XMLParserType:
    """An expat parser that raises at the start of any DOCTYPE (so no entity is ever declared, hence
    none expanded) and on any external entity reference."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd  # type: ignore[assignment]
    return parser


def _xml_root_tag(text: str) -> str:
    """The root element's name of a well-formed, DTD-free document, without building a tree.

    Resource representations are most XML bodies; checking them with expat alone (no element
    objects) is several times cheaper than the full safe parse. Callers guarantee the depth bound
    (fewer '<' than MAX_XML_DEPTH); a DOCTYPE is refused, so no entity can be declared or expanded.
    """
    parser = _dtd_free_parser()
    found: list[str] = []

    def first_element(name: str, _attrs: object) -> None:
        found.append(name)
        parser.StartElementHandler = None

    parser.StartElementHandler = first_element
    parser.Parse(text, True)
    return found[0]


def _parse_json(text: str, body_format: str) -> BodyInfo:
    if len(text) > MAX_BODY_CHARS:
        return BodyInfo("invalid", unparseable=True)
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return BodyInfo("invalid", unparseable=True)
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
