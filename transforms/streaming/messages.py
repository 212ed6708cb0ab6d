"""Pub/Sub messages as chunks: what `statuslens ship` published, decoded into chunks for the analyzer.

A message is one log record: the (redacted) line or HAR entry as data, and attributes `ts` (event
time, epoch ms), `id` (a stable record id), `source` (`path:line` or `path:entryN`, a `SourceRef`),
`fmt` (the file's format) and, for an item the shipper could only dead-letter, `problem`. Pure.
"""

from __future__ import annotations

from typing import Any

import orjson

from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.sources import SourceRef
from statuslens.transforms.readers.formats import HAR, UNKNOWN, detect_format

__all__ = ["UNNAMED_SOURCE", "message_to_chunk"]

# The path of a message that names no source (not sent by `statuslens ship`).
UNNAMED_SOURCE = "pubsub"


def message_to_chunk(data: bytes, attributes: dict[str, str], default_fmt: str | None = None) -> Chunk:
    """One message as a one-item chunk, numbered and named as the shipper saw it. Its format is the
    one it names (`fmt`: what the shipper detected or was given), else `default_fmt` (the stream's
    `--log-format`), else detected from the message itself."""
    fmt = attributes.get("fmt") or default_fmt or detect_format([data])
    ref = SourceRef.parse(attributes.get("source", ""), entry=fmt == HAR)
    # A source without a number (or none at all) is the whole input: its one item is number 0.
    path, number = (ref.path, ref.number) if ref.number is not None else (ref.path or UNNAMED_SOURCE, 0)
    item: Any = data
    if attributes.get("problem"):
        return Chunk(path, fmt, number, (Problem(attributes["problem"], data),))
    if fmt == HAR:
        try:
            item = orjson.loads(data)
        except orjson.JSONDecodeError:
            item = Problem("HAR entry is not JSON", data)
    if fmt == UNKNOWN:
        item = Problem("message matches no known log format", data)
    return Chunk(path, fmt, number, (item,))
