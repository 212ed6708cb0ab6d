"""The table's "Applies to…" column as a predicate over a request.

DOMAIN.md §1 gives the vocabulary: a named scope (`All feeds`), a method (`POSTs`), a method on
resources (`POSTs to R or R`) or bare resources (`R or R`, any method).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RequestFacts", "Scope", "parse_scope"]

_METHOD_RE = re.compile(r"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|TRACE)s(?:\s+to\s+(.+))?$", re.IGNORECASE)


# Hashable (explanations are cached by it) but not frozen: one is made per record, and a frozen
# dataclass costs ~4x more to create. Treat as read-only.
@dataclass(slots=True, unsafe_hash=True)
class RequestFacts:
    """What a scope needs to know about a request."""

    method: str
    resource: str
    query_params: frozenset[str]
    is_collection: bool


@dataclass(frozen=True)
class Scope:
    """A parsed applies-to cell; `kind` is always, collection, query_param, resources or method."""

    kind: str
    phrase: str
    method: str | None = None
    resources: tuple[str, ...] = ()
    param: str | None = None

    def matches(self, request: RequestFacts) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        if self.kind == "always" or self.kind == "method":
            return True
        if self.kind == "collection":
            return request.is_collection
        if self.kind == "query_param":
            return self.param in request.query_params
        return request.resource in self.resources

    def why_not(self, request: RequestFacts) -> str:
        """Why this request is outside the scope, as the end of an explanation sentence."""
        if self.method is not None and request.method != self.method:
            return f"this request is a {request.method}"
        if self.kind == "collection":
            return f"{request.resource} is not a resource collection"
        if self.kind == "query_param":
            return f"this request has no {self.param}"
        if self.kind == "resources":
            return f"this request is for {request.resource}"
        return "this request matches it"


def parse_scope(phrase: str, named: dict[str, Scope], templates: frozenset[str]) -> Scope:
    """Read an applies-to phrase; raises ValueError naming what is wrong."""
    text = " ".join(phrase.split())
    if text in named:
        return named[text]
    method_match = _METHOD_RE.match(text)
    if method_match:
        method = method_match.group(1).upper()
        if method_match.group(2) is None:
            return Scope(kind="method", phrase=text, method=method)
        return Scope(
            kind="resources", phrase=text, method=method, resources=_resource_list(method_match.group(2), templates)
        )
    return Scope(kind="resources", phrase=text, resources=_resource_list(text, templates))


def _resource_list(text: str, templates: frozenset[str]) -> tuple[str, ...]:
    names = tuple(name.strip().strip("/") or "/" for name in re.split(r"\s+or\s+|\s*,\s*", text))
    for name in names:
        if name not in templates:
            raise ValueError(f"{name!r} is neither a named scope nor a template in resources")
    return names
