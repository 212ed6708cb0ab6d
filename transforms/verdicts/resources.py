"""Map raw request paths to resource templates.

`users/T1pYkT0/queues/instant?max_results=5` becomes `users/{user_token}/queues/instant`. A literal
segment beats a variable (`users/current` is not `users/{user_token}`); a path the catalog does not
know gets a generic template (numbers -> `{id}`, long token-like segments -> `{token}`), so a raw
path — with its ids and tokens — never becomes a group key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from statuslens.transforms.memo import RESOURCE_PATHS, BoundedMemo

__all__ = ["ResourceMatcher", "generic_template", "split_url"]

_ID_RE = re.compile(r"^[0-9]+$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-.~%=+]{16,}$")
_HEXISH_RE = re.compile(r"^(?=.*[0-9])[0-9a-fA-F\-]{8,}$")
_MAX_SEGMENTS = 12
_MAX_SEGMENT_CHARS = 64


def split_url(url: str) -> tuple[str, str]:
    """`http://h/a/b/?x=1#f` -> (`a/b`, `x=1`): the path without host and slashes, and the query."""
    rest = url
    scheme_end = rest.find("://")
    if scheme_end != -1 and "/" not in rest[:scheme_end]:
        slash = rest.find("/", scheme_end + 3)
        qmark = rest.find("?", scheme_end + 3)
        if slash == -1 or (qmark != -1 and qmark < slash):
            rest = "/" + rest[qmark:] if qmark != -1 else "/"
        else:
            rest = rest[slash:]
    hash_at = rest.find("#")
    if hash_at != -1:
        rest = rest[:hash_at]
    path, _, query = rest.partition("?")
    return path.strip("/"), query


def generic_template(path: str) -> str:
    """A template for a path no catalog entry covers: ids and tokens replaced, length bounded."""
    if not path:
        return "/"
    segments = path.split("/")
    out = []
    for segment in segments[:_MAX_SEGMENTS]:
        if _ID_RE.match(segment):
            out.append("{id}")
        elif (
            len(segment) > _MAX_SEGMENT_CHARS
            or (_TOKEN_RE.match(segment) and _has_digit(segment))
            or _HEXISH_RE.match(segment)
        ):
            out.append("{token}")
        else:
            out.append(segment)
    if len(segments) > _MAX_SEGMENTS:
        out.append("…")
    return "/".join(out)


def _has_digit(text: str) -> bool:
    return any("0" <= ch <= "9" for ch in text)


class ResourceMatcher:
    """A segment trie over the catalog's templates, literal children tried before segments that mix
    text and variables (`{jobId}:cancel`), and those before plain variables; each path's match is
    remembered (requests repeat their paths).

    `base_paths` (OpenAPI servers / basePath, §9) are prefixes a path may carry: a path that starts
    with one is matched without it, then as it is (a proxy may already have stripped it); the generic
    template of an unknown path leaves the prefix out too. `any_variable`: `{id}` matches any segment,
    as every variable of an OpenAPI path does (otherwise `{id}` is digits only, as in the Netflix table).
    """

    def __init__(self, templates: Iterable[str], base_paths: Iterable[str] = (), any_variable: bool = False) -> None:
        self._root = _Node()
        for template in templates:
            node = self._root
            for segment in template.split("/") if template != "/" else ():
                node = node.child(segment, any_variable)
            node.end = template
        bases = sorted((base.split("/") for base in base_paths if base), key=len, reverse=True)
        # (segments, literal only?): a literal base is compared as a slice, the rare `{version}` one by pattern.
        self._bases = [(base, all("{" not in part for part in base)) for base in bases]
        self._paths: BoundedMemo[str, tuple[str, bool]] = BoundedMemo(RESOURCE_PATHS)

    def match(self, path: str) -> tuple[str, bool]:
        """(template, documented): the catalog template of `path`, or a generic one and False."""
        hit = self._paths.get(path)
        if hit is not None:
            return hit
        segments = [s for s in path.split("/") if s]
        inner = self._without_base(segments) if self._bases else None
        found = self._root.walk(inner, 0) if inner is not None else None
        if found is None:
            found = self._root.walk(segments, 0)
        shown = inner if inner is not None else segments
        result = (found, True) if found is not None else (generic_template("/".join(shown)), False)
        return self._paths.put(path, result, len(path))

    def _without_base(self, segments: list[str]) -> list[str] | None:
        for base, literal in self._bases:
            size = len(base)
            if size > len(segments):
                continue
            if (segments[:size] == base) if literal else all(map(_base_accepts, base, segments)):
                return segments[size:]
        return None


class _Node:
    """One trie level: literal children by name, then mixed segments (`{jobId}:cancel`) and plain
    variables, each with what it accepts, tried in that order."""

    __slots__ = ("end", "literals", "patterns")

    def __init__(self) -> None:
        self.end: str | None = None
        self.literals: dict[str, _Node] = {}
        self.patterns: list[tuple[int, Any, _Node]] = []  # (0 mixed / 1 plain, test, child), sorted

    def child(self, segment: str, any_variable: bool) -> _Node:
        if "{" not in segment:
            return self.literals.setdefault(segment, _Node())
        for _, test, node in self.patterns:
            if getattr(test, "segment", None) == segment:
                return node
        node = _Node()
        plain = segment[0] == "{" and segment[-1] == "}" and segment.count("{") == 1
        test = _Accepts(segment, plain, any_variable)
        self.patterns.append((1 if plain else 0, test, node))
        self.patterns.sort(key=lambda entry: entry[0])  # stable: mixed ones first, in template order
        return node

    def walk(self, segments: list[str], i: int) -> str | None:
        if i == len(segments):
            return self.end
        segment = segments[i]
        literal = self.literals.get(segment)
        if literal is not None:
            found = literal.walk(segments, i + 1)
            if found is not None:
                return found
        for _, test, node in self.patterns:
            if test(segment):
                found = node.walk(segments, i + 1)
                if found is not None:
                    return found
        return None


class _Accepts:
    """Whether a path segment fits a variable or mixed template segment."""

    __slots__ = ("any", "regex", "segment")

    def __init__(self, segment: str, plain: bool, any_variable: bool) -> None:
        self.segment = segment
        self.any = plain and (any_variable or segment != "{id}")
        self.regex: re.Pattern[str] | None = None
        if plain and not self.any:
            self.regex = _ID_RE
        elif not plain:
            parts = re.split(r"(\{[^{}]*\})", segment)
            self.regex = re.compile("".join(".+?" if p.startswith("{") else re.escape(p) for p in parts if p))

    def __call__(self, segment: str) -> bool:
        return self.any or (self.regex is not None and self.regex.fullmatch(segment) is not None)


def _base_accepts(pattern: str, segment: str) -> bool:
    if "{" not in pattern:
        return pattern == segment
    plain = pattern[0] == "{" and pattern[-1] == "}" and pattern.count("{") == 1
    return _Accepts(pattern, plain, True)(segment)
