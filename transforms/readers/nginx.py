"""Access-log lines described by an nginx `log_format` string.

`compile_log_format('$remote_addr - $remote_user [$time_local] "$request" $status …')` builds one
regular expression; an `NginxParser` over it turns lines into RawRecords, remembering repeated times
and bodies (`LineFormat.parse`: one line, no memos). Quoted fields are unescaped as nginx and Apache
write them: `\\xHH` bytes (nginx's default), JSON escapes (`escape=json`), Apache's `\\"` and `\\\\`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

from statuslens.transforms.errors import RecordError
from statuslens.transforms.memo import LINE_TIMES, NGINX_BODIES, BoundedMemo
from statuslens.transforms.model.records import RawRecord, decode_text
from statuslens.transforms.readers.apache import apache_to_nginx, is_apache_format
from statuslens.transforms.readers.fields import BOM, require_status
from statuslens.transforms.readers.timestamps import TimeParser

__all__ = ["NAMED_FORMATS", "LineFormat", "NginxParser", "compile_log_format", "unescape_field"]

_COMMON = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'
_COMBINED = _COMMON + ' "$http_referer" "$http_user_agent"'
NAMED_FORMATS: dict[str, str] = {
    "common": _COMMON,
    "combined": _COMBINED,
    "combined_body": _COMBINED + ' "$resp_body"',
}
_VAR_RE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")
_METHOD_RE = re.compile(r"^[A-Z][A-Z_\-]{1,19}$")
_ESCAPE_RE = re.compile(rb"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[\"\\/bfnrt])")
_SIMPLE_ESCAPES = {bytes([k]): bytes([v]) for k, v in zip(b'"\\/bfnrt', b'"\\/\b\f\n\r\t', strict=True)}
_BODY_VARS = ("resp_body", "response_body", "body")
_TIME_VARS = ("time_local", "time_iso8601", "msec")


@dataclass(frozen=True)
class LineFormat:
    """A compiled log_format: its name (or the format string) and the regexes for one line.

    `quick_regex` reads quoted fields as plain runs of non-quotes, several times faster than
    `regex` on long escaped bodies. None of its fields can hold a `"` and each of its literal quotes
    must not follow a backslash, so a line it matches holds no `\\"` at all: on such a line no
    quoted field can hold an escaped quote and both regexes read the same fields. A line it does not
    match goes to `regex`.
    """

    name: str
    regex: re.Pattern[bytes]
    variables: tuple[str, ...]
    body_var: str | None = None
    header_vars: tuple[tuple[str, str], ...] = ()  # ($sent_http_x_y variable, header name x-y)
    quick_regex: re.Pattern[bytes] | None = None
    ends_in_user_agent: bool = False  # the line ends with `"$http_user_agent"`: a cut quote is read

    def matches(self, line: bytes) -> bool:
        return self._match(line) is not None

    def _match(self, line: bytes) -> re.Match[bytes] | None:
        if self.quick_regex is not None:
            match = self.quick_regex.fullmatch(line)
            if match is not None:
                return match
        return self.regex.fullmatch(line)

    def parse(self, line: bytes) -> RawRecord:
        """One line as a RawRecord, without memos (tests, one-off callers); readers use an NginxParser."""
        return NginxParser(self).parse(line)


class NginxParser:
    """Parses the lines of a LineFormat, remembering repeated times and short bodies (transforms/memo.py).

    `fallbacks` are tried in order on a line `fmt` does not match: files mix formats (a `common` line
    among `combined` ones), detection picks one per file, and a well-formed line of a sibling format
    is still a record. One parser is made per reader, in a DoFn's `setup()`.
    """

    __slots__ = ("_bodies", "_fallbacks", "_parse_time", "_times", "format")

    def __init__(self, fmt: LineFormat, fallbacks: Sequence[LineFormat] = (), times: TimeParser | None = None) -> None:
        self.format = fmt
        self._fallbacks = tuple(fallbacks)
        self._parse_time = (times or TimeParser()).parse
        # Lines repeat the same second many times, and responses the same body.
        self._times: BoundedMemo[bytes, int] = BoundedMemo(LINE_TIMES)
        self._bodies: BoundedMemo[bytes, str] = BoundedMemo(NGINX_BODIES)

    def parse(self, line: bytes) -> RawRecord:
        fmt = self.format
        match = fmt._match(line)
        if match is None:
            fmt, match = self._fallback(line)
        values = match.groupdict()
        method, url = _request_parts(values)
        time_ms = self._time(values)
        status_raw = values["status"]
        status = _STATUSES.get(status_raw)
        if status is None:
            status = require_status(status_raw.decode("ascii", "replace") if status_raw is not None else None)
        body = self.body_of(values[fmt.body_var]) if fmt.body_var is not None else None
        headers = {}
        for var, header in fmt.header_vars:
            raw_value = values[var]
            if raw_value and raw_value != b"-":
                headers[header] = unescape_field(raw_value)
        return RawRecord(time_ms, method, url, status, body, headers)

    def body_of(self, raw_body: bytes | None) -> str | None:
        """The body a raw field holds: None when absent or `-`, else unescaped (remembered)."""
        if not raw_body or raw_body == b"-":
            return None
        return self._bodies.get(raw_body) or self._bodies.put(raw_body, unescape_field(raw_body), len(raw_body))

    def quick_fields(self, line: bytes) -> tuple[int, str, str, bytes | None, bytes | None] | None:
        """`parse`'s time, method, URL, raw status and raw body; None off its own format or with header fields."""
        fmt = self.format
        match = None if fmt.header_vars else fmt._match(line)
        if match is None:
            return None
        values = match.groupdict()
        method, url = _request_parts(values)
        return self._time(values), method, url, values["status"], values[fmt.body_var] if fmt.body_var else None

    def _fallback(self, line: bytes) -> tuple[LineFormat, re.Match[bytes]]:
        for fmt in self._fallbacks:
            match = fmt._match(line)
            if match is not None:
                return fmt, match
        if line.startswith(BOM):  # a file's first line after a byte-order mark
            return self._fallback_all(line[len(BOM) :])
        # A line cut inside its user-agent (no closing quote; `…/bot.html`): its time, request and
        # status are intact, so it is read with the quote it lacks, as GoAccess reads it.
        stripped = line.rstrip(b" \t\r")
        if not stripped.endswith(b'"'):
            for fmt in (self.format, *self._fallbacks):
                if fmt.ends_in_user_agent:
                    match = fmt._match(stripped + b'"')
                    if match is not None:
                        return fmt, match
        raise RecordError(f"line does not match log format {self.format.name}")

    def _fallback_all(self, line: bytes) -> tuple[LineFormat, re.Match[bytes]]:
        match = self.format._match(line)
        return (self.format, match) if match is not None else self._fallback(line)

    def _time(self, values: dict[str, bytes | None]) -> int:
        for var in _TIME_VARS:
            raw = values.get(var)
            if raw is not None:
                if (known := self._times.get(raw)) is not None:
                    return known
                try:
                    ms = self._parse_time(raw.decode("ascii", "replace"))
                except ValueError as exc:
                    raise RecordError(str(exc)) from None
                return self._times.put(raw, ms, len(raw))  # a time padded to a megabyte is not kept
        raise RecordError("missing time")


def compile_log_format(spec: str, name: str | None = None) -> LineFormat:
    """Compile a named format (`combined`), an nginx log_format string or an Apache LogFormat string
    (transforms/readers/apache.py); ValueError if unusable."""
    if spec in NAMED_FORMATS:
        name, spec = spec, NAMED_FORMATS[spec]
    elif is_apache_format(spec):
        name, spec = name or spec, apache_to_nginx(spec)
    text = re.sub(r"^\s*escape=(default|json|none)\s+", "", spec.strip())
    pieces = _VAR_RE.split(text)
    # split() yields: literal, braced-name, plain-name, literal, ...
    literals = pieces[0::3]
    names = [b or p for b, p in zip(pieces[1::3], pieces[2::3], strict=True)]
    if not names:
        raise ValueError(f"log format {spec!r} has no $variables")
    if "status" not in names:
        raise ValueError(f"log format {spec!r} has no $status")
    if not ("request" in names or ("request_method" in names and ("request_uri" in names or "uri" in names))):
        raise ValueError(f"log format {spec!r} needs $request, or $request_method with $request_uri")
    if not any(t in names for t in _TIME_VARS):
        raise ValueError(f"log format {spec!r} needs $time_local, $time_iso8601 or $msec")
    parts: list[str] = []
    quick: list[str] = []
    seen: set[str] = set()
    quoted_fields = 0
    for i, var in enumerate(names):
        parts.append(_literal_regex(literals[i]))
        quick.append(_literal_regex(literals[i], guard_quotes=True))
        before, after = literals[i][-1:], literals[i + 1][:1]
        quick_group = None
        if before == '"' and after == '"':
            # "unrolled" form of (?:[^"\\]|\\.)*: one character class run at a time, several
            # times faster in Python's regex engine on long quoted fields (bodies, URLs).
            group = r'[^"\\]*+(?:\\.[^"\\]*+)*+'
            quick_group = r'[^"]*+'
            quoted_fields += 1
        elif before == "[" and after == "]":
            group = r"[^\]]*"
            quick_group = r'[^\]"]*'
        elif after and not after.isspace():
            group = "[^" + re.escape(after) + "]*"
            quick_group = "[^" + re.escape(after) + '"]*'
        else:
            group = r"\S*"
            quick_group = r'[^\s"]*'
        if var in seen or not _is_read(var):
            parts.append("(?:" + group + ")")  # a variable nothing reads is matched, not captured
            quick.append("(?:" + (quick_group or group) + ")")
        else:
            seen.add(var)
            parts.append(f"(?P<{var}>{group})")
            quick.append(f"(?P<{var}>{quick_group or group})")
    parts.append(_literal_regex(literals[-1]))
    quick.append(_literal_regex(literals[-1], guard_quotes=True))
    pattern = "".join(parts) + r"[ \t\r]*"
    quick_pattern = "".join(quick) + r"[ \t\r]*"
    body_var = next((v for v in _BODY_VARS if v in seen), None)
    header_vars = tuple(
        (v, v.split("_http_", 1)[1].replace("_", "-")) for v in names if v.startswith(_HEADER_PREFIXES) and v in seen
    )
    return LineFormat(
        name=name or spec,
        regex=re.compile(pattern.encode(), re.DOTALL),
        variables=tuple(names),
        body_var=body_var,
        header_vars=tuple(dict.fromkeys(header_vars)),
        quick_regex=re.compile(quick_pattern.encode(), re.DOTALL) if quoted_fields else None,
        ends_in_user_agent=names[-1] == "http_user_agent" and literals[-1].rstrip() == '"',
    )


_HEADER_PREFIXES = ("sent_http_", "upstream_http_")
_READ_VARS = frozenset({"request", "request_method", "request_uri", "uri", "args", "status", *_TIME_VARS, *_BODY_VARS})


def _is_read(var: str) -> bool:
    return var in _READ_VARS or var.startswith(_HEADER_PREFIXES)


def unescape_field(raw: bytes) -> str:
    """Undo nginx/Apache escaping of one quoted field and decode it as UTF-8."""
    if b"\\" not in raw:
        return decode_text(raw)
    if raw.count(b"\\") == raw.count(b"\\x"):
        # Only \xHH escapes (nginx's default escaping: bodies are full of \x22): undone in one C pass.
        # A malformed one (`\xZZ`, a cut-off `\x`) makes escape_decode refuse; the regex handles it.
        try:
            return decode_text(codecs.escape_decode(raw)[0])
        except ValueError:
            pass
    return decode_text(_ESCAPE_RE.sub(_unescape_one, raw))


def _unescape_one(match: re.Match[bytes]) -> bytes:
    token = match.group(1)
    if token[:1] == b"x":
        return bytes([int(token[1:], 16)])
    if token[:1] == b"u":
        return chr(int(token[1:], 16)).encode("utf-8", "surrogatepass")
    return _SIMPLE_ESCAPES[token]


def _literal_regex(literal: str, guard_quotes: bool = False) -> str:
    # One space in a format may be several in a line (aligned columns, double spaces).
    text = " +".join(re.escape(chunk) for chunk in literal.split(" "))
    return text.replace('"', r'(?<!\\)"') if guard_quotes else text


def _request_parts(values: dict[str, bytes | None]) -> tuple[str, str]:
    request = values.get("request")
    if request is not None:
        text = unescape_field(request)
        parts = text.split()
        if len(parts) == 3 and parts[2].startswith("HTTP/"):
            method, url = parts[0], parts[1]
        elif len(parts) >= 3 and parts[-1].startswith("HTTP/"):
            method, url = parts[0], " ".join(parts[1:-1])
        elif len(parts) >= 2:
            # HTTP/0.9 style, or an unencoded space in the URL with the version missing (scanners).
            method, url = parts[0], " ".join(parts[1:])
        else:
            raise RecordError("request line has no method and URL")
    else:
        method = unescape_field(values.get("request_method") or b"")
        uri = values.get("request_uri") or values.get("uri") or b""
        url = unescape_field(uri)
        args = values.get("args")
        if args and args != b"-" and "?" not in url:
            url += "?" + unescape_field(args)
    if method not in _COMMON_METHODS and not _METHOD_RE.match(method):
        raise RecordError("request line has no method and URL")
    if not url:
        raise RecordError("missing url")
    return method, url


_STATUSES = {str(code).encode(): code for code in range(100, 600)}
_COMMON_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"})
