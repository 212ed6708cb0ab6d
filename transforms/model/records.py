"""The two records of a run: `RawRecord` as a reader produced it, `AnnotatedRecord` as outputs write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["AnnotatedRecord", "RawRecord", "decode_text"]


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
    consumer: str | None = None  # the consumer a reader found, when the catalog names a header or field
    # Credential values the reader found outside the URL (a HAR entry's request headers, cookies and
    # form fields, its Set-Cookie headers): removed from the whole output record (§7).
    secrets: tuple[str, ...] = ()


# Made for every record that reaches an output; treated as read-only. Not slotted: orjson writes a
# dataclass with a __dict__ ~3x faster than a slotted one (0.35 µs against 1.05 µs a record).
@dataclass
class AnnotatedRecord:
    """A judged record, redacted: the `annotated/` line of DOMAIN.md §6, fields in contract order."""

    time: str
    method: str
    url: str
    resource: str
    http_status: int
    status_code: int
    sub_code: int | str | None
    message: str | None
    body_format: str
    gateway_code: str | None
    verdict: str
    flags: list[str]
    catalog_message: str | None
    consumer: str | None
    source: str

    def to_json(self) -> bytes:
        """The `annotated/` line (orjson writes a dataclass's fields in their declared order)."""
        return orjson.dumps(self)

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON object (a group's sample), fields in contract order."""
        return dict(self.__dict__)  # __init__ sets the fields in their declared order

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values, not its field names too: every group's samples are shuffled
        (282 bytes a record instead of 452; about half the time to pickle and unpickle)."""
        return AnnotatedRecord, tuple(self.__dict__.values())


def decode_text(raw: bytes) -> str:
    """UTF-8 with invalid bytes escaped as `\\xHH`: a bad byte is kept visible, never fatal."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")
