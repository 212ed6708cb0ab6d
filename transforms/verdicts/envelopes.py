"""Where an API's error bodies put the status code, subcode and message (DOMAIN.md §9 "Envelopes").

An envelope is data: JSON Pointers (RFC 6901) for JSON bodies and element names for XML bodies. The
presets are the envelopes real APIs use; a catalog names one (`envelope: google`) or spells its own
(`Envelope.from_catalog`, schema in configs/catalogs/SCHEMA.md). The Netflix envelope (§3) is the default,
so a catalog without `envelope:` behaves as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from statuslens.transforms.verdicts.catalog_fields import FieldReader

__all__ = ["CUSTOM_NAME", "DEFAULT_ENVELOPE", "PRESETS", "Envelope", "pointer_tokens"]

CUSTOM_NAME = "custom"  # the name of a catalog's own envelope when it gives none


@dataclass(frozen=True)
class Envelope:
    """One error-body layout. Each field lists the places tried in order (the first present wins).

    `code`, `subcode`, `message`: JSON Pointers into a JSON body (`/error/code`); an empty tuple means
    the body never carries that field. `subcode_suffix`: a second pointer whose value is appended to
    the subcode as `subcode/suffix` (Facebook's `error_subcode`). `xml_root` and the `xml_*` names: the
    same fields in an XML body, as child element names of the root; no `xml_root` means the API's
    bodies are not XML."""

    name: str
    code: tuple[str, ...] = ()
    subcode: tuple[str, ...] = ()
    message: tuple[str, ...] = ()
    subcode_suffix: tuple[str, ...] = ()
    xml_root: str | None = None
    xml_code: tuple[str, ...] = ()
    xml_subcode: tuple[str, ...] = ()
    xml_message: tuple[str, ...] = ()

    @classmethod
    def from_catalog(cls, reader: FieldReader, value: dict[str, Any]) -> Envelope:
        """A catalog's own envelope: a mapping of JSON Pointers (`code`, `subcode`, `message`,
        `subcode_suffix`, each one pointer or a list tried in order) with an optional `xml:` mapping
        of element names (`root`, `code`, `subcode`, `message`) and an optional `name`; a bad one is
        a CatalogError naming the key (configs/catalogs/SCHEMA.md)."""
        return _from_catalog(reader, value)


PRESETS: dict[str, Envelope] = {
    envelope.name: envelope
    for envelope in (
        Envelope(
            "netflix",
            code=("/status/status_code",),
            subcode=("/status/sub_code", "/status/subcode"),
            message=("/status/message",),
            xml_root="status",
            xml_code=("status_code",),
            xml_subcode=("sub_code", "subcode"),
            xml_message=("message",),
        ),
        Envelope("status-code-message", code=("/status",), subcode=("/code",), message=("/message",)),
        Envelope("problem+json", code=("/status",), subcode=("/type",), message=("/title",)),
        Envelope("google", code=("/error/code",), subcode=("/error/status",), message=("/error/message",)),
        Envelope(
            "graph",
            subcode=("/error/code",),
            subcode_suffix=("/error/error_subcode",),
            message=("/error/message",),
        ),
    )
}

DEFAULT_ENVELOPE = PRESETS["netflix"]

_BAD_ESCAPE_RE = re.compile(r"~(?![01])")
_XML_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_JSON_FIELDS = ("code", "subcode", "message", "subcode_suffix")
_XML_FIELDS = ("code", "subcode", "message")


def pointer_tokens(pointer: str) -> tuple[str, ...]:
    """The reference tokens of an RFC 6901 JSON Pointer (`""` is the whole document; `~1` is `/`,
    `~0` is `~`, decoded in that order); ValueError names what is wrong with a malformed one."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError("a JSON Pointer starts with '/' (RFC 6901)")
    if _BAD_ESCAPE_RE.search(pointer):
        raise ValueError("'~' must be followed by 0 or 1 in a JSON Pointer (RFC 6901: ~0 is '~', ~1 is '/')")
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/"))


def _from_catalog(reader: FieldReader, value: dict[str, Any]) -> Envelope:
    """See `Envelope.from_catalog`."""
    spec = reader.mapping(value, "envelope", required=set(), optional={"name", "xml", *_JSON_FIELDS})
    name = reader.text(spec.get("name", CUSTOM_NAME), "envelope.name")
    if name in PRESETS:
        reader.fail("envelope.name", f"{name!r} is a preset: write `envelope: {name}`, or name this envelope otherwise")
    json = {f: _places(reader, spec.get(f), f"envelope.{f}", _pointer_problem) for f in _JSON_FIELDS}
    xml_root: str | None = None
    xml: dict[str, tuple[str, ...]] = dict.fromkeys(_XML_FIELDS, ())
    if "xml" in spec:
        xml_spec = reader.mapping(spec["xml"], "envelope.xml", required={"root"}, optional=set(_XML_FIELDS))
        xml_root = _places(reader, xml_spec["root"], "envelope.xml.root", _name_problem, single=True)[0]
        xml = {f: _places(reader, xml_spec.get(f), f"envelope.xml.{f}", _name_problem) for f in _XML_FIELDS}
    if json["subcode_suffix"] and not json["subcode"]:
        reader.fail("envelope.subcode_suffix", "needs envelope.subcode: the suffix is appended to a subcode")
    if not (json["subcode"] or json["message"] or xml["subcode"] or xml["message"]):
        reader.fail("envelope", "names no subcode or message: a body's code alone never makes it a status document")
    return Envelope(
        name,
        code=json["code"],
        subcode=json["subcode"],
        message=json["message"],
        subcode_suffix=json["subcode_suffix"],
        xml_root=xml_root,
        xml_code=xml["code"],
        xml_subcode=xml["subcode"],
        xml_message=xml["message"],
    )


def _places(reader: FieldReader, value: Any, key: str, problem: Any, single: bool = False) -> tuple[str, ...]:
    """One place or a non-empty list of them (absent: none), each checked by `problem`."""
    if value is None:
        return ()
    items = value if isinstance(value, list) and not single else [value]
    if not items:
        reader.fail(key, "must name at least one place, got an empty list")
    for item in items:
        if not isinstance(item, str):
            what = "one text value" if single else "text or a list of texts"
            reader.fail(key, f"must be {what}, got {item!r}")
        found = problem(item)
        if found:
            reader.fail(key, f"bad {found[0]} {item!r}: {found[1]}")
    return tuple(items)


def _pointer_problem(pointer: str) -> tuple[str, str] | None:
    try:
        pointer_tokens(pointer)
    except ValueError as exc:
        return "JSON Pointer", str(exc)
    return None


def _name_problem(name: str) -> tuple[str, str] | None:
    if _XML_NAME_RE.fullmatch(name):
        return None
    return "XML element name", "letters, digits, '_', '-' and '.', not starting with a digit (no namespace prefix)"
