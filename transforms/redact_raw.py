"""Redaction of a dead letter's `raw`: the text of an item that could not be read as a record.

Such text is often JSON (a damaged HAR, a JSON line that failed) whose credentials are not query
parameters: header objects (`{"name": "Authorization", "value": "Bearer …"}`), header mappings
(`"Set-Cookie": "sid=…"`), HAR cookie arrays, form parameters and JSON fields named like §7's
parameters (`"password": "…"`, `"client_secret": "…"`). Their values become `REDACTED` and are
removed from the rest of the text too; then `redact_text` does the rest. A value cut off by the
1,024-byte limit (no closing quote) is redacted as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from statuslens.transforms.redact import (
    REDACTED,
    SECRET_HEADERS,
    collect_secrets,
    is_secret_param,
    redact_headers,
    redact_text,
)

__all__ = ["is_secret_field", "raw_secrets", "redact_raw"]

# A JSON string's body (escapes kept), closed by `"` or cut off by the end of the text.
_STRING = r'"((?:[^"\\]|\\.)*+)(?:"|\Z)'
# One level deeper: a JSON document held in a JSON string (HAR `postData.text`), quotes escaped.
_INNER_STRING = r'\\"((?:[^"\\]|\\[^"])*+)(?:\\"|\Z)'
_OBJECT_RE = re.compile(r"\{[^{}]*+(?:\}|\Z)")
_NAME_RE = re.compile(r'"name"\s*:\s*' + _STRING)
_VALUE_RE = re.compile(r'("value"\s*:\s*)' + _STRING)
_COOKIES_RE = re.compile(r'"cookies"\s*:\s*\[[^\]]*+(?:\]|\Z)')
_FIELD_RE = re.compile(r'("([A-Za-z0-9_\-]{1,64})"\s*:\s*)' + _STRING)
_INNER_FIELD_RE = re.compile(r'(\\"([A-Za-z0-9_\-]{1,64})\\"\s*:\s*)' + _INNER_STRING)
_FIELD_LIST_RE = re.compile(r'("([A-Za-z0-9_\-]{1,64})"\s*:\s*)(\[[^\]]*+(?:\]|\Z))')
_LIST_STRING_RE = re.compile("()" + _STRING)


def is_secret_field(name: str) -> bool:
    """Whether a header, form parameter or JSON field of this name holds a credential."""
    return name.lower() in SECRET_HEADERS or is_secret_param(name)


def raw_secrets(text: str) -> set[str]:
    """Every credential value in `text`: §7's parameters and the JSON forms above."""
    return collect_secrets(text) | _redact_json(text)[1]


def redact_raw(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """`text` with the JSON forms above and everything `redact_text` finds redacted."""
    if '"' in text:
        text, found = _redact_json(text)
        return redact_text(text, found.union(extra_secrets))
    return redact_text(text, extra_secrets)


def _redact_json(text: str) -> tuple[str, set[str]]:
    found: set[str] = set()
    if '"' not in text:
        return text, found

    def value(match: re.Match[str], name: str | None = None) -> str:
        secret = match.group(match.re.groups)
        if secret and secret != REDACTED:
            found.add(secret)
            if name is not None:
                found.update(redact_headers([{"name": name, "value": secret}])[1])
        return match.group(1) + '"' + REDACTED + '"'

    def header_object(match: re.Match[str]) -> str:
        named = _NAME_RE.search(match.group())
        if named is None or not is_secret_field(named.group(1)):
            return match.group()
        return _VALUE_RE.sub(lambda m: value(m, named.group(1)), match.group())

    def field(match: re.Match[str]) -> str:
        return value(match, match.group(2)) if is_secret_field(match.group(2)) else match.group()

    def inner_field(match: re.Match[str]) -> str:
        if not is_secret_field(match.group(2)):
            return match.group()
        if match.group(3) and match.group(3) != REDACTED:
            found.add(match.group(3))
        return match.group(1) + '\\"' + REDACTED + '\\"'

    def field_list(match: re.Match[str]) -> str:
        if not is_secret_field(match.group(2)):
            return match.group()
        return match.group(1) + _LIST_STRING_RE.sub(lambda m: value(m, match.group(2)), match.group(3))

    text = _OBJECT_RE.sub(header_object, text)
    text = _COOKIES_RE.sub(lambda m: _VALUE_RE.sub(value, m.group()), text)
    text = _FIELD_RE.sub(field, text)
    text = _FIELD_LIST_RE.sub(field_list, text)
    if '\\"' in text:
        text = _INNER_FIELD_RE.sub(inner_field, text)
    return text, found
