"""HAR 1.2 captures (browser devtools, proxies): a file read whole into chunks of its entries, and
each entry as a record.

A HAR file is one JSON document, not lines, so it is read whole (up to MAX_HAR_BYTES) and any
failure to read or parse it is one damage `Problem` for the whole input.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

import orjson

from statuslens.transforms.errors import InputError, RecordError
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.records import RawRecord, decode_text
from statuslens.transforms.readers.fields import require_status, require_text, require_time
from statuslens.transforms.readers.formats import HAR
from statuslens.transforms.readers.lines import LineReader
from statuslens.transforms.redact import REDACTED, SECRET_HEADERS, redact_headers, redact_text, redact_url
from statuslens.transforms.redact_raw import is_secret_field, raw_secrets

__all__ = [
    "MAX_HAR_BYTES",
    "HarError",
    "entry_raw",
    "entry_secrets",
    "har_chunks",
    "har_entries",
    "looks_like_har",
    "parse_har_entry",
    "request_header",
]

# A HAR is one JSON document, parsed whole: 64 MiB of it peaks near 430 MB (a 240 MB one took 1.35 GB).
# A larger one is one damaged input, read no further than this.
MAX_HAR_BYTES = 64 << 20

_JSONP_RE = re.compile(rb"^\s*[A-Za-z_$][\w$.]*\s*\((.*)\)\s*;?\s*$", re.DOTALL)


class HarError(InputError):
    """A HAR file that is not JSON or has no `log.entries`: the whole input is damaged."""


def looks_like_har(reader: LineReader) -> bool:
    """Whether the first non-blank line opens a HAR document (`{` alone, or `{"log"`)."""
    for line in reader.peek_lines(1):
        text = line.lstrip(b"\xef\xbb\xbf").strip()
        if text:
            return text == b"{" or text.startswith(b'{"log"') or text.startswith(b'{ "log"')
    return False


def har_chunks(path: str, reader: LineReader, chunk_lines: int) -> Iterator[Chunk]:
    """The file's entries in chunks of `chunk_lines // 4`, numbered from 1; damage sets `reader.damage`."""
    data = reader.read_all(MAX_HAR_BYTES)
    if reader.damage is not None:
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    if len(data) > MAX_HAR_BYTES:
        reader.damage = f"HAR file larger than {MAX_HAR_BYTES} bytes"
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    try:
        entries = har_entries(data)
    except HarError as exc:
        reader.damage = str(exc)
        yield Chunk(path, HAR, 1, (Problem(reader.damage, data[:1024], damage=True),))
        return
    del data
    step = max(1, chunk_lines // 4)
    for start in range(0, len(entries), step):
        yield Chunk(path, HAR, start + 1, tuple(entries[start : start + step]))


def har_entries(data: bytes) -> list[Any]:
    """The `log.entries` of a HAR document (a BOM and a JSONP wrapper are accepted)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        wrapped = _JSONP_RE.match(data)
        if wrapped is None:
            raise HarError(f"HAR file is not JSON ({str(exc).split(':')[0]})") from None
        try:
            doc = orjson.loads(wrapped.group(1))
        except orjson.JSONDecodeError as inner:
            raise HarError(f"HAR file is not JSON ({str(inner).split(':')[0]})") from None
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise HarError("HAR file has no log.entries list")
    return entries


def parse_har_entry(entry: Any) -> RawRecord:
    """One HAR entry as a record, or RecordError naming what is missing."""
    if not isinstance(entry, dict):
        raise RecordError("HAR entry is not an object")
    request = entry.get("request")
    response = entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise RecordError("HAR entry has no request or response")
    method = require_text(request.get("method"), "method")
    url = require_text(request.get("url"), "url")
    time_ms = require_time(entry.get("startedDateTime"))
    status = require_status(response.get("status"))
    headers = _header_dict(response.get("headers"))
    authorization = _header_dict(request.get("headers")).get("authorization")
    return RawRecord(
        time_ms=time_ms,
        method=method.upper(),
        url=url,
        http_status=status,
        body=_content_text(response.get("content")),
        headers=headers,
        authorization=authorization,
        secrets=entry_secrets(request, response),
    )


def entry_raw(entry: Any) -> str:
    """The entry as redacted JSON text: a dead letter's `raw`, what `ship` sends."""
    if isinstance(entry, dict):
        entry = dict(entry)
        request, response = entry.get("request"), entry.get("response")
        secrets = set(entry_secrets(request, response))
        if isinstance(request, dict) and isinstance(request.get("url"), str):
            secrets |= redact_url(request["url"])[1]
        for side, part in (("request", request), ("response", response)):
            if isinstance(part, dict) and isinstance(part.get("headers"), list):
                headers = [h for h in part["headers"] if isinstance(h, dict)]
                entry[side] = {**part, "headers": redact_headers(headers)[0]}
        content = response.get("content") if isinstance(response, dict) else None
        if isinstance(content, dict) and str(content.get("encoding", "")).lower() == "base64":
            # A base64 body hides what it echoes from a search of the text: redact it decoded.
            body = _content_text(content) or ""
            redacted = redact_text(body, secrets)
            if redacted != body:
                text = base64.b64encode(redacted.encode()).decode()
                entry["response"] = {**entry["response"], "content": {**content, "text": text}}
        text = orjson.dumps(entry, default=str).decode()
        return redact_text(text, secrets)
    return redact_text(orjson.dumps(entry, default=str).decode())


def entry_secrets(request: Any, response: Any) -> tuple[str, ...]:
    """The credential values of an entry outside its URL, sorted: its request and response headers
    (§7's), every cookie of `request.cookies`, the form parameters and `postData.text` fields named
    like secrets. A response body may echo any of them (`"Bearer … is not valid"`)."""
    found: set[str] = set()
    for part in (request, response):
        headers = part.get("headers") if isinstance(part, dict) else None
        if isinstance(headers, list):
            for header in headers:  # most entries have none of §7's: only their names are looked at
                name = header.get("name") if isinstance(header, dict) else None
                if isinstance(name, str) and name.lower() in SECRET_HEADERS:
                    found |= redact_headers([header])[1]
    if isinstance(request, dict):
        cookies = request.get("cookies")
        if cookies and isinstance(cookies, list):
            found.update(str(c["value"]) for c in cookies if isinstance(c, dict) and c.get("value"))
        post = request.get("postData")
        if isinstance(post, dict):
            params = post.get("params")
            if isinstance(params, list):
                for param in params:
                    if isinstance(param, dict) and is_secret_field(str(param.get("name", ""))) and param.get("value"):
                        found.add(str(param["value"]))
            text = post.get("text")
            if isinstance(text, str) and text:
                found |= raw_secrets(text)
    found.discard("")
    found.discard(REDACTED)
    return tuple(sorted(found))


def request_header(entry: Any, name: str) -> str | None:
    """The value of the entry's request header `name` (any case), or None: a catalog may name the
    header that identifies the consumer (DOMAIN.md §8)."""
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return None
    return _header_dict(request.get("headers")).get(name.lower())


def _header_dict(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(headers, list):
        for header in headers:
            if isinstance(header, dict) and isinstance(header.get("name"), str):
                out.setdefault(header["name"].lower(), str(header.get("value", "")))
    return out


def _content_text(content: Any) -> str | None:
    if not isinstance(content, dict):
        return None
    text = content.get("text")
    if not isinstance(text, str):
        return None
    if str(content.get("encoding", "")).lower() == "base64":
        try:
            return decode_text(base64.b64decode(text, validate=False))
        except (binascii.Error, ValueError):
            return text
    return text
