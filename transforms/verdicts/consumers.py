"""Who sent a record (DOMAIN.md §8 "Consumer"): a query parameter by default, `oauth_consumer_key`.

Every record needs its consumer for the causes, documented ones too, so finding it must stay cheap:
a C-speed substring test first, and the query is only split when the parameter's name occurs in the
URL (as written or percent-encoded). The rule is the one `Annotator.request_facts` always had: the
first parameter whose decoded name is the name and whose value is not empty, the value decoded;
with the default parameter, an OAuth `Authorization` header's `oauth_consumer_key` when the query
has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.model.urls import url_path

__all__ = ["CONSUMER_KINDS", "DEFAULT_CONSUMER", "ConsumerFinder", "ConsumerSource"]

CONSUMER_KINDS = ("query", "header", "field")
_OAUTH_KEY = "oauth_consumer_key"
_OAUTH_HEADER_KEY_RE = re.compile(r'oauth_consumer_key="?([^",\s]+)')
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.~-]+")


@dataclass(frozen=True)
class ConsumerSource:
    """Where a record's consumer is: a `query` parameter, a request `header` (HAR), or a JSON-lines
    `field` (dotted names reach into objects). Header and field values are read by the readers."""

    kind: str = "query"
    name: str = _OAUTH_KEY

    def __post_init__(self) -> None:
        if self.kind not in CONSUMER_KINDS:
            raise ValueError(f"consumer source must be one of {', '.join(CONSUMER_KINDS)}, got {self.kind!r}")
        if not self.name:
            raise ValueError("consumer source needs a name")


DEFAULT_CONSUMER = ConsumerSource()


def _name_pattern(name: str) -> str:
    """The name as written or with any of its characters percent-encoded (either hex case), a space
    also as `+`: what `unquote_plus` reads back as the name."""
    parts = []
    for char in name:
        codes = "".join(f"%[{h[0]}{h[0].lower()}][{h[1]}{h[1].lower()}]" for h in _hex_pairs(char))
        plus = "|\\+" if char == " " else ""
        parts.append(f"(?:{re.escape(char)}|{codes}{plus})")
    return "".join(parts)


def _hex_pairs(char: str) -> list[str]:
    return [f"{byte:02X}" for byte in char.encode("utf-8")]


class ConsumerFinder:
    """`find(raw)`: the record's consumer, or None when absent or empty."""

    __slots__ = ("_header_fallback", "_loose", "_needle", "_pairs", "_plain", "source")

    def __init__(self, source: ConsumerSource = DEFAULT_CONSUMER) -> None:
        self.source = source
        name = _name_pattern(source.name)
        self._needle = source.name + "="
        self._loose = re.compile(f"[?&]{name}=")  # an encoded name at a pair's start
        self._pairs = re.compile(f"(?:^|&){name}=([^&]*)")
        self._header_fallback = source == DEFAULT_CONSUMER
        # call_of's quick path reads the name as written: only for a name no URL syntax can break.
        self._plain = source.kind == "query" and _PLAIN_NAME.fullmatch(source.name) is not None

    def find(self, raw: RawRecord) -> str | None:
        if self.source.kind != "query":
            return raw.consumer or None
        consumer = self.in_query(raw.url)
        if consumer is None and self._header_fallback and raw.authorization:
            found = _OAUTH_HEADER_KEY_RE.search(raw.authorization)
            consumer = unquote_plus(found.group(1)) if found else None
        return consumer

    def call_of(self, raw: RawRecord) -> tuple[str | None, str]:
        """`(find(raw), url_path(raw.url))`, both of every record (the causes, §8), in a few C-speed
        scans of the URL for the common one: the name as written at a query pair's start, no encoded
        name before it, no `#` anywhere, the query's `?` after any scheme and host, a value. Anything
        else takes the two exact functions."""
        url = raw.url
        at = url.find(self._needle)
        if at > 0 and self._plain and "#" not in url:
            qmark = url.find("?", 0, at)  # the query's `?` is the URL's first (no `#` before it)
            if (
                qmark != -1
                and (qmark == at - 1 or url[at - 1] == "&")
                and (url.find("%", qmark, at) == -1 or self._loose.search(url, qmark, at) is None)
            ):
                value_at = at + len(self._needle)
                value_end = url.find("&", value_at)
                value = url[value_at:] if value_end == -1 else url[value_at:value_end]
                if value:
                    if "%" in value or "+" in value:
                        value = unquote_plus(value)
                    if url[0] == "/":  # a path: no scheme to skip
                        return value, url[:qmark]
                    scheme_end = url.find("://", 0, qmark)
                    if scheme_end == -1:
                        if url.find("://") == -1:  # one after the `?` moves the query (`_query_span`)
                            return value, url[:qmark]
                    elif url.find("/", 0, scheme_end) != -1:
                        return value, url[:qmark]
                    else:
                        slash = url.find("/", scheme_end + 3, qmark)
                        return value, url[slash:qmark] if slash != -1 else ""
        return self.find(raw), url_path(url)

    def in_query(self, url: str) -> str | None:
        """The first non-empty value of the parameter in the URL's query, decoded.

        Plain string searches within the query's bounds answer the common case (the name as
        written, first at a pair's start, with a value); anything else (an encoded name before it,
        an empty value) takes the exact scan of every pair."""
        needle = self._needle
        at = url.find(needle)
        if at == -1 and "%" not in url:
            return None  # the common answer for a URL without the parameter: two C-speed scans
        span = _query_span(url)
        if span is None:
            return None
        start, end = span
        if at != -1 and (at < start or at >= end):
            at = url.find(needle, start, end)
        while at != -1 and at != start and url[at - 1] != "&":
            at = url.find(needle, at + 1, end)
        if at == -1:
            if url.find("%", start, end) == -1 or self._loose.search(url, start - 1, end) is None:
                return None
            return self._scan(url[start:end])
        if url.find("%", start, at) != -1 and self._loose.search(url, start - 1, at) is not None:
            return self._scan(url[start:end])  # an encoded name comes first
        value_at = at + len(needle)
        value_end = url.find("&", value_at, end)
        value = url[value_at : end if value_end == -1 else value_end]
        if not value:
            return self._scan(url[start:end])
        return unquote_plus(value) if "%" in value or "+" in value else value

    def _scan(self, query: str) -> str | None:
        for found in self._pairs.finditer(query):
            value = found.group(1)
            if value:
                return unquote_plus(value) if "%" in value or "+" in value else value
        return None


def _query_span(url: str) -> tuple[int, int] | None:
    """Where `split_url(url)`'s query lies in `url` (after the `?`, before any `#`), found without
    slicing: None when there is no `?`."""
    rest = 0
    scheme_end = -1 if url[:1] == "/" else url.find("://")  # a path first: no scheme to skip
    if scheme_end != -1 and url.find("/", 0, scheme_end) == -1:
        slash = url.find("/", scheme_end + 3)
        qmark = url.find("?", scheme_end + 3)
        if slash == -1 or (qmark != -1 and qmark < slash):
            if qmark == -1:
                return None
            rest = qmark
        else:
            rest = slash
    hash_at = url.find("#", rest)
    end = len(url) if hash_at == -1 else hash_at
    qmark = url.find("?", rest, end)
    return None if qmark == -1 else (qmark + 1, end)
