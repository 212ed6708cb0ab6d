"""A memo for the hot path whose memory stays bounded whatever the input, and the limits of every memo.

Logs repeat themselves (the same second, the same error body, the same path), so remembering a
parse pays; hostile logs repeat nothing and make every key as long as a line may be, so a memo
bounded only by its number of entries could grow to gigabytes. `BoundedMemo` is a plain dict (a
hit is one C-level `get`) that is emptied when either its entry count or the summed size of what
it holds would pass its limits; emptying rather than LRU keeps hits at full dict speed, and a log's
repetitions are recent, so the memo refills at once.

Each memo is an attribute of the object that uses it (a line parser, its TimeParser, the Annotator,
its ResourceMatcher and Redactor), made with that object in a DoFn's `setup()`; nothing is shared
through a module. Only `model.times.format_time` keeps a module-level table, of at most 4,096 day
strings of 11 characters (its docstring says why). All limits are below, so what one worker may
hold is read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "BODY_INFOS",
    "EXPLANATIONS",
    "FAST_OUTCOMES",
    "FORMATTED_DAYS",
    "LINE_TIMES",
    "MEMO_BODY_BYTES",
    "NGINX_BODIES",
    "NGINX_DAYS",
    "NGINX_TIMES",
    "PATH_VERDICTS",
    "REQUEST_FREE_VERDICTS",
    "RESOURCE_PATHS",
    "SCOPE_FREE",
    "SECRET_FORMS",
    "SECRET_NAMES",
    "BoundedMemo",
    "MemoLimit",
]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class MemoLimit:
    """At most `entries` entries whose sizes (characters or bytes) sum to at most `size`; an entry
    whose size is over `largest` is computed each time, never kept. `largest` is at most a tenth of
    `size`, so no single entry empties a memo."""

    entries: int
    size: int
    largest: int

    def __post_init__(self) -> None:
        if self.largest * 10 > self.size:
            raise ValueError(f"a memo's largest entry ({self.largest}) must be at most a tenth of its size")


# The longest body worth remembering (nginx's unescaping, the annotator's parse): error bodies are
# short and repeat; long ones rarely do.
MEMO_BODY_BYTES = 2048

# readers/: access logs repeat each second many times and span few days.
LINE_TIMES = MemoLimit(4096, 1 << 18, 64)  # nginx parser, raw time field -> ms; a time padded past 64 bytes is not kept
NGINX_TIMES = MemoLimit(100_000, 4 << 20, 64)  # TimeParser, nginx time text -> ms (JSON lines' `time_local` too)
NGINX_DAYS = MemoLimit(4096, 4096, 1)  # TimeParser, `10/Dec/2009` -> epoch s; size 1 each: the keys are 11 chars
NGINX_BODIES = MemoLimit(8192, 8 << 20, MEMO_BODY_BYTES)  # nginx parser, raw body -> text (at most 4x the bytes)

# verdicts/: APIs answer the same error for the same resources again and again.
BODY_INFOS = MemoLimit(8192, 8 << 20, 2 * MEMO_BODY_BYTES)  # (body, gateway header) -> parse_body's BodyInfo
FAST_OUTCOMES = MemoLimit(8192, 8 << 20, MEMO_BODY_BYTES)  # fast path, (raw status, raw body) -> code or "plain"
REQUEST_FREE_VERDICTS = MemoLimit(
    10_000, 4 << 20, 256 << 10
)  # (code, sub_code, message) -> verdict, codes no request changes
PATH_VERDICTS = MemoLimit(
    50_000, 8 << 20, 256 << 10
)  # (code, sub_code, message, method, resource) -> verdict, codes whose scopes read only those
SCOPE_FREE = MemoLimit(10_000, 10_000, 1)  # (code, sub_code) -> request-free?; size 1 each: sub_codes are <= 64 chars
EXPLANATIONS = MemoLimit(10_000, 8 << 20, 512 << 10)  # (verdict, code, sub_code, message, request) -> its text
RESOURCE_PATHS = MemoLimit(50_000, 16 << 20, 1 << 20)  # ResourceMatcher, request path -> (template, documented)

# redact.py (the Redactor): records repeat their parameter names and a user's token.
SECRET_NAMES = MemoLimit(4096, 1 << 18, 64)  # query parameter name -> whether its value is a credential
SECRET_FORMS = MemoLimit(8192, 2 << 20, 256)  # secret -> its raw and URL-encoded forms (up to 16x its length)

# model/times.py: an output spans few days.
FORMATTED_DAYS = MemoLimit(4096, 4096, 1)  # day number -> `2009-12-10T`; size 1 each: the values are 11 chars


class BoundedMemo(dict[K, V]):
    """`memo.get(key)`; on a miss `memo.put(key, value, size)` (size: the key's characters or bytes)."""

    __slots__ = ("largest", "max_entries", "max_size", "size")  # no instance dict: `memo.get` is as fast as a dict's

    def __init__(self, limit: MemoLimit) -> None:
        super().__init__()
        self.max_entries = limit.entries
        self.max_size = limit.size
        self.largest = limit.largest
        self.size = 0

    def clear(self) -> None:
        super().clear()
        self.size = 0

    def put(self, key: K, value: V, size: int) -> V:
        """Remember `value` under `key` unless `size` is over the limit's `largest`; return `value`."""
        if size > self.largest:
            return value
        if len(self) >= self.max_entries or self.size + size > self.max_size:
            self.clear()
        self[key] = value
        self.size += size
        return value
