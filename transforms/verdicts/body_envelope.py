"""A body's code, subcode and message, read where a catalog's envelope puts them (DOMAIN.md §9).

Types decide presence: a code is an integer 100-599 or its decimal string, a subcode a string or an
integer, a message a string (a JSON `true` is none of them). A JSON body is a status document only
when the envelope's subcode or message is there with its type: the code alone is not enough, so a
resource representation that happens to hold a number where the code would be is not one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from statuslens.transforms.verdicts.envelopes import Envelope, pointer_tokens

__all__ = ["MAX_SUBCODE_CHARS", "MISSING", "code_value", "json_fields", "resolve", "subcode_value", "xml_fields"]

MAX_SUBCODE_CHARS = 512  # long enough for a problem+json `type` URI; bounds what a hostile body carries
_CODE_RE = re.compile(r"[1-5][0-9]{2}")
_INT_SUBCODE_RE = re.compile(r"0|[1-9][0-9]{0,8}")  # read as the number a catalog's `subcode: 710` is
MISSING = object()  # what `resolve` returns for a pointer that names nothing
_T = TypeVar("_T")

Fields = tuple[int | None, int | str | None, str | None]


def json_fields(doc: object, envelope: Envelope) -> Fields | None:
    """(code, subcode, message) of a parsed JSON body, or None when it is not a status document."""
    sub_code = _first(doc, envelope.subcode, subcode_value)
    if sub_code is not None and envelope.subcode_suffix:
        suffix = _first(doc, envelope.subcode_suffix, subcode_value)
        if suffix is not None:
            sub_code = f"{sub_code}/{suffix}"[:MAX_SUBCODE_CHARS]
    message = _first(doc, envelope.message, _message_value)
    if sub_code is None and message is None:
        return None
    return _first(doc, envelope.code, code_value), sub_code, message


def xml_fields(children: dict[str, str | None], envelope: Envelope) -> Fields:
    """(code, subcode, message) from the texts of the envelope root's children (None: absent)."""
    code = _first_child(children, envelope.xml_code, code_value)
    sub_code = _first_child(children, envelope.xml_subcode, subcode_value)
    return code, sub_code, _first_child(children, envelope.xml_message, _message_value)


def resolve(doc: object, pointer: str) -> object:
    """The value an RFC 6901 pointer names in `doc` (an array index is `0` or digits without a
    leading zero), or `MISSING`."""
    value = doc
    for token in _tokens(pointer):
        if isinstance(value, dict):
            value = value.get(token, MISSING)
        elif isinstance(value, list) and _INT_SUBCODE_RE.fullmatch(token) and int(token) < len(value):
            value = value[int(token)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def code_value(value: object) -> int | None:
    """An HTTP status 100-599, from an integer (not a bool) or its decimal string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 100 <= value <= 599 else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if _CODE_RE.fullmatch(text) else None
    return None


def subcode_value(value: object) -> int | str | None:
    """A subcode from a string or an integer (not a bool); a canonical decimal string reads as its number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()[:MAX_SUBCODE_CHARS]
        if _INT_SUBCODE_RE.fullmatch(text):
            return int(text)
        return text or None
    return None


def _message_value(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _first(doc: object, pointers: tuple[str, ...], read: Callable[[object], _T]) -> _T | None:
    """The first pointer's value that `read` accepts: places are tried in order, wrong types skipped."""
    for pointer in pointers:
        value = resolve(doc, pointer)
        if value is not MISSING:
            found = read(value)
            if found is not None:
                return found
    return None


def _first_child(children: dict[str, str | None], names: tuple[str, ...], read: Callable[[object], _T]) -> _T | None:
    for name in names:
        found = read(children.get(name))
        if found is not None:
            return found
    return None


@lru_cache(maxsize=256)
def _tokens(pointer: str) -> tuple[str, ...]:
    return pointer_tokens(pointer)
