"""JSON-lines access logs: one object per line, fields found by name, alias or a configured map."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.fields import BOM, require_status, require_text, require_time
from statuslens.transforms.readers.timestamps import TimeParser, parse_time

__all__ = ["DEFAULT_FIELDS", "FieldMap", "JsonLineParser", "parse_json_line"]

# Field -> names tried in order. Dotted names reach into nested objects (`request.method`).
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "@timestamp", "ts", "date", "time_local", "time_iso8601"),
    "method": ("method", "request_method", "request.method", "http.request.method"),
    "url": ("url", "uri", "request_uri", "path", "request.uri", "request.url", "url.original"),
    "status": ("status", "status_code", "response.status", "http.response.status_code"),
    "body": ("body", "response_body", "resp_body"),
    "response_headers": ("response_headers", "resp_headers"),
    "request": ("request",),
}


@dataclass(frozen=True)
class FieldMap:
    """Where each record field lives in a JSON line; user entries are tried before the defaults."""

    names: dict[str, tuple[str, ...]]

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str] | None = None) -> FieldMap:
        merged = dict(DEFAULT_FIELDS)
        for field_name, source in (overrides or {}).items():
            if field_name not in merged:
                raise ValueError(f"unknown field {field_name!r}; known: {', '.join(sorted(merged))}")
            merged[field_name] = (source, *merged[field_name])
        return cls(merged)

    def with_consumer(self, name: str) -> FieldMap:
        """The map that also reads the consumer (DOMAIN.md §8) from the field `name` (dotted names reach in)."""
        return FieldMap({**self.names, "consumer": (name,)})

    def lookup(self, doc: Mapping[str, Any], field_name: str) -> Any:
        for name in self.names[field_name]:
            value = _get(doc, name)
            if value is not None:
                return value
        return None


DEFAULT_FIELD_MAP = FieldMap.with_overrides()


def parse_json_line(line: bytes, fields: FieldMap = DEFAULT_FIELD_MAP) -> RawRecord:
    """A JSON-lines record, or RecordError naming what is missing."""
    return _parse(line, fields, parse_time)


class JsonLineParser:
    """`parse_json_line` for one reader, with a TimeParser: JSON logs repeat their seconds too."""

    __slots__ = ("_parse_time", "fields")

    def __init__(self, fields: FieldMap = DEFAULT_FIELD_MAP, times: TimeParser | None = None) -> None:
        self.fields = fields
        self._parse_time = (times or TimeParser()).parse

    def parse(self, line: bytes) -> RawRecord:
        """A JSON-lines record, or RecordError naming what is missing."""
        return _parse(line, self.fields, self._parse_time)


def _parse(line: bytes, fields: FieldMap, parse_time: Callable[[object], int]) -> RawRecord:
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        if line.startswith(BOM):  # a file's first line after a byte-order mark
            return _parse(line[len(BOM) :], fields, parse_time)
        try:
            doc = orjson.loads(_json_safe_text(line))
        except orjson.JSONDecodeError as exc:
            raise RecordError(f"not valid JSON: {str(exc).split(':')[0]}") from None
    if not isinstance(doc, dict):
        raise RecordError("not a JSON object")
    method = fields.lookup(doc, "method")
    url = fields.lookup(doc, "url")
    request = fields.lookup(doc, "request")
    if (method is None or url is None) and isinstance(request, str):
        parts = request.split()
        if len(parts) >= 2:
            method = method or parts[0]
            url = url or parts[1]
    method = require_text(method, "method")
    url = require_text(url, "url")
    time_ms = require_time(fields.lookup(doc, "time"), parse_time)
    status_value = fields.lookup(doc, "status")
    if status_value is None:
        raise RecordError("missing status")
    status = require_status(status_value)
    body = fields.lookup(doc, "body")
    if body is not None and not isinstance(body, str):
        body = orjson.dumps(body).decode()
    headers_value = fields.lookup(doc, "response_headers")
    headers = {str(k).lower(): str(v) for k, v in headers_value.items()} if isinstance(headers_value, dict) else {}
    consumer = fields.lookup(doc, "consumer") if "consumer" in fields.names else None
    return RawRecord(
        time_ms=time_ms,
        method=method.upper(),
        url=url,
        http_status=status,
        body=body,
        headers=headers,
        consumer=str(consumer) if consumer is not None and not isinstance(consumer, (dict, list)) else None,
    )


_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")


def _json_safe_text(line: bytes) -> str:
    """The line with each invalid UTF-8 byte written `\\\\xHH`: inside a JSON string that reads back as
    the visible `\\xHH` of records.decode_text, where a bare `\\xHH` would be an invalid JSON escape."""
    text = line.decode("utf-8", errors="surrogateescape")
    return _ESCAPED_BYTE_RE.sub(lambda m: f"\\\\x{ord(m.group()) - 0xDC00:02x}", text)


def _get(doc: Mapping[str, Any], name: str) -> Any:
    value = doc.get(name)
    if value is not None or "." not in name:
        return value
    current: Any = doc
    for part in name.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current
