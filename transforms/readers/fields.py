"""The checks every reader applies to a record's required fields (DOMAIN.md §4)."""

from __future__ import annotations

from collections.abc import Callable

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.numbers import is_ascii_number
from statuslens.transforms.readers.timestamps import parse_time

__all__ = ["BOM", "require_status", "require_text", "require_time"]

BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark: editors and Windows tools start files with it


def require_status(value: object) -> int:
    """The HTTP status as an int 100-599, or RecordError."""
    if isinstance(value, bool):
        raise RecordError(f"status is not an HTTP status: {value!r}")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and is_ascii_number(value.strip()):
        status = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        status = int(value)
    else:
        raise RecordError(f"status is not an HTTP status: {str(value)[:40]!r}")
    if not 100 <= status <= 599:
        raise RecordError(f"status {status} is outside 100-599")
    return status


def require_text(value: object, what: str) -> str:
    """A non-empty string field (method, url), stripped, or RecordError `missing <what>`."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"missing {what}")
    return value.strip()


def require_time(value: object, parse: Callable[[object], int] = parse_time) -> int:
    """A record's time as epoch ms (`parse`: a reader's TimeParser.parse), or RecordError saying it is
    missing or what is wrong with it."""
    if value is None:
        raise RecordError("missing time")
    try:
        return parse(value)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
