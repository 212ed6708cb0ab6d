"""The record every reader produces, before any analysis, and the error that makes a dead letter."""

from __future__ import annotations

from dataclasses import dataclass, field

from statuslens.transforms.readers.timestamps import parse_time

__all__ = ["RawRecord", "RecordError", "decode_text", "require_status", "require_text", "require_time"]


class RecordError(ValueError):
    """A line or entry that is not a usable record; the message is its dead-letter reason."""


# Not frozen: a frozen dataclass costs ~4x more to create, and one is made per log line. Treat as
# read-only.
@dataclass(slots=True)
class RawRecord:
    """One request/response as read from a log: what DOMAIN.md §4 says a record needs, and more."""

    time_ms: int
    method: str
    url: str
    http_status: int
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # response headers, lower-case names
    authorization: str | None = None  # the request's Authorization header (OAuth params)


def decode_text(raw: bytes) -> str:
    """UTF-8 with invalid bytes escaped as `\\xHH`: a bad byte is kept visible, never fatal."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def require_status(value: object) -> int:
    """The HTTP status as an int 100-599, or RecordError."""
    if isinstance(value, bool):
        raise RecordError(f"status is not an HTTP status: {value!r}")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and value.strip().isdigit():
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


def require_time(value: object) -> int:
    """A record's time as epoch ms, or RecordError saying it is missing or what is wrong with it."""
    if value is None:
        raise RecordError("missing time")
    try:
        return parse_time(value)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
