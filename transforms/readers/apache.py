"""Apache `LogFormat` strings (`%h %l %u %t "%r" %>s %b`) as the nginx `log_format` strings they mean.

Apache and nginx write the same lines (`common` and `combined` are one format under two spellings), so
an Apache format is translated directive by directive and compiled by the nginx compiler
(transforms/readers/nginx.py): one regex engine, one set of rules for quoting and escapes. Modifiers
(`%>s`, `%400,501{User-Agent}i`, `%!200h`) only change what Apache logs, not the shape of a field,
and are dropped. A directive with no nginx twin that matters to us (`%{…}C`, `%{…}n`, …) becomes
a field that is matched and not read; a custom `%{…}t` time format or an unknown letter is refused.
"""

from __future__ import annotations

import re

__all__ = ["apache_to_nginx", "is_apache_format"]

# Letters with one nginx variable; the variable names only matter for the ones statuslens reads
# ($request, $status, $time_local, $request_method, $request_uri, $uri, $args, $sent_http_*).
_SIMPLE = {
    "a": "remote_addr",
    "A": "server_addr",
    "b": "body_bytes_sent",
    "B": "body_bytes_sent",
    "D": "request_time_us",
    "f": "request_filename",
    "h": "remote_addr",
    "H": "server_protocol",
    "I": "bytes_received",
    "k": "keepalive_requests",
    "l": "remote_ident",
    "L": "log_id",
    "m": "request_method",
    "O": "bytes_sent",
    "p": "server_port",
    "P": "pid",
    "r": "request",
    "R": "handler",
    "s": "status",
    "S": "bytes_transferred",
    "T": "request_time",
    "u": "remote_user",
    "U": "uri",
    "v": "server_name",
    "V": "server_name",
    "X": "connection_status",
}
# `%{NAME}x`: request and response headers map onto nginx's $http_* and $sent_http_* (the latter are
# read as response headers, e.g. X-Mashery-Error-Code); the others are fields nothing reads.
_BRACED = {
    "i": "http_",
    "o": "sent_http_",
    "e": "env_",
    "n": "note_",
    "C": "cookie_",
    "a": "remote_addr_",
    "p": "port_",
}
_DIRECTIVE_RE = re.compile(r"%([<>!,0-9]*)(?:\{([^}]*)\})?([A-Za-z%])")


def is_apache_format(spec: str) -> bool:
    """Whether a --log-format string is written in Apache's `%` directives rather than nginx's `$`."""
    return "$" not in spec and _DIRECTIVE_RE.search(spec) is not None


def apache_to_nginx(spec: str) -> str:
    """The nginx log_format string of an Apache LogFormat string; ValueError naming what cannot be read."""
    out: list[str] = []
    position = 0
    for match in _DIRECTIVE_RE.finditer(spec):
        out.append(spec[position : match.start()])
        position = match.end()
        _, braced, letter = match.groups()
        out.append(_directive(braced, letter, match.group(0)))
    out.append(spec[position:])
    # `%U%q` is the path and its query: nginx's $request_uri (one field, read as the URL).
    return "".join(out).replace("${uri}${query}", "${request_uri}")


def _directive(braced: str | None, letter: str, text: str) -> str:
    if letter == "%":
        return "%"
    if letter == "t":
        if braced is None:
            return "[${time_local}]"  # Apache writes the brackets itself: `[10/Oct/2000:13:55:36 -0700]`
        if braced in ("sec", "msec"):  # epoch seconds or milliseconds: read like nginx's $msec
            return "${msec}"
        raise ValueError(f"Apache directive {text!r}: a custom time format cannot be read; use %t")
    if letter == "q":
        return "${query}"
    if braced is not None and letter in _BRACED:
        name = re.sub(r"[^A-Za-z0-9]", "_", braced).lower()
        return "${" + _BRACED[letter] + name + "}"
    if letter in _SIMPLE:
        return "${" + _SIMPLE[letter] + "}"
    raise ValueError(f"Apache directive {text!r} is not known")
