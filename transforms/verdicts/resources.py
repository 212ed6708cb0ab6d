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
    """A segment trie over the catalog's templates, literal children tried before variables; each
    path's match is remembered (requests repeat their paths)."""

    def __init__(self, templates: Iterable[str]) -> None:
        self._root: dict[str, Any] = {}
        for template in templates:
            node = self._root
            for segment in template.split("/"):
                node = node.setdefault(segment, {})
            node[""] = template  # "" marks the end of a template; no segment is empty.
        self._paths: BoundedMemo[str, tuple[str, bool]] = BoundedMemo(RESOURCE_PATHS)

    def match(self, path: str) -> tuple[str, bool]:
        """(template, documented): the catalog template of `path`, or a generic one and False."""
        hit = self._paths.get(path)
        if hit is not None:
            return hit
        segments = [s for s in path.split("/") if s]
        found = self._walk(self._root, segments, 0)
        result = (found, True) if found is not None else (generic_template("/".join(segments)), False)
        return self._paths.put(path, result, len(path))

    def _walk(self, node: dict[str, Any], segments: list[str], i: int) -> str | None:
        if i == len(segments):
            end = node.get("")
            return end if isinstance(end, str) else None
        segment = segments[i]
        literal = node.get(segment)
        if isinstance(literal, dict) and not segment.startswith("{"):
            found = self._walk(literal, segments, i + 1)
            if found is not None:
                return found
        for key, child in node.items():
            if key.startswith("{") and _variable_accepts(key, segment):
                found = self._walk(child, segments, i + 1)
                if found is not None:
                    return found
        return None


def _variable_accepts(variable: str, segment: str) -> bool:
    if variable == "{id}":
        return _ID_RE.match(segment) is not None
    return True
