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
from statuslens.transforms.verdicts.resources import split_url

__all__ = ["CONSUMER_KINDS", "DEFAULT_CONSUMER", "ConsumerFinder", "ConsumerSource"]

CONSUMER_KINDS = ("query", "header", "field")
_OAUTH_KEY = "oauth_consumer_key"
_OAUTH_HEADER_KEY_RE = re.compile(r'oauth_consumer_key="?([^",\s]+)')


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

    __slots__ = ("_header_fallback", "_loose", "_needle", "_pairs", "source")

    def __init__(self, source: ConsumerSource = DEFAULT_CONSUMER) -> None:
        self.source = source
        name = _name_pattern(source.name)
        self._needle = source.name + "="
        self._loose = re.compile(name + "=")
        self._pairs = re.compile(f"(?:^|&){name}=([^&]*)")
        self._header_fallback = source == DEFAULT_CONSUMER

    def find(self, raw: RawRecord) -> str | None:
        if self.source.kind != "query":
            return raw.consumer or None
        consumer = self.in_query(raw.url)
        if consumer is None and self._header_fallback and raw.authorization:
            found = _OAUTH_HEADER_KEY_RE.search(raw.authorization)
            consumer = unquote_plus(found.group(1)) if found else None
        return consumer

    def in_query(self, url: str) -> str | None:
        """The first non-empty value of the parameter in the URL's query, decoded."""
        if self._needle not in url and ("%" not in url or self._loose.search(url) is None):
            return None
        _, query = split_url(url)
        for found in self._pairs.finditer(query):
            value = found.group(1)
            if value:
                return unquote_plus(value) if "%" in value or "+" in value else value
        return None
