"""Hostile inputs that carry canary secrets in every way issue 13 lists, and a grep for them.

`build_logs(folder)` writes JSON lines, nginx `combined_body` lines and HAR files (plain and
gzipped, a damaged HAR and a truncated `.har.gz`) in which each canary sits where §7 (and the key
names of README "Secrets") says a secret is: a query value under a percent-encoded name, a path
segment of an unknown resource, a HAR request header echoed in the response body (plain and
base64), a too-long line that names it past its first KiB, a JSON-escaped value, HAR cookie arrays,
form parameters and `postData.text`, JSON-lines `Set-Cookie`, user-info, `api_key`/`access_key`…
`Planted` says how many items each file holds and how many must be dead letters, so a test can
check that the run read them (the grep cannot pass on an empty output).

`survivors(text, canaries)` finds each canary in `text` raw, percent-decoded (once and twice),
JSON- or nginx-unescaped, HTML-unescaped, and inside base64 at any alignment.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import orjson

__all__ = ["Canaries", "Planted", "build_logs", "survivors"]

T0 = 1_260_481_210  # 2009-12-10T21:40:10Z, the seed's time
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
HOST = "http://api.netflix.com"


@dataclass
class Canaries:
    """Distinct secrets, each remembered with where it was planted (for a readable failure)."""

    where: dict[str, str] = field(default_factory=dict)

    def new(self, where: str, kind: str = "alnum") -> str:
        """A fresh canary: `alpha` (letters only, short enough that a generic resource template keeps
        it as a path segment), `alnum`, or `b64` (an oauth_signature: `+`, `/` and `=`)."""
        n = len(self.where)
        tag = _LETTERS[n // 26 % 26] + _LETTERS[n % 26]
        digest = hashlib.sha256(f"{n}:{where}".encode()).hexdigest()
        letters = "".join(_LETTERS[int(digest[i : i + 2], 16) % 26] for i in range(0, 16, 2))
        if kind == "alpha":
            value = f"Zq{tag}{letters}Xw"
        elif kind == "b64":
            value = f"Zq{tag}{letters[:4]}+{digest[:4]}/{letters[4:]}="
        else:
            value = f"Zq{tag}{digest[:3]}{letters}{digest[3:6]}"
        self.where[value] = where
        return value


@dataclass
class Planted:
    """What the folder holds: items per file (non-blank lines + HAR entries + 1 per damaged input)
    and the items that must end as dead letters."""

    items: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.items.values())

    @property
    def total_dead(self) -> int:
        return sum(self.dead_letters.values())


def _jsonl_records(c: Canaries, tag: str) -> tuple[list[bytes], int]:
    """(lines, dead letters among them) for one JSON-lines file; every canary distinct per call."""
    lines: list[bytes] = []
    second = [0]

    def rec(url: str, status: int, body: str | None = None, **more: Any) -> bytes:
        second[0] += 1
        doc: dict[str, Any] = {"time": T0 + second[0], "method": more.pop("method", "GET"), "url": url}
        doc["status"] = status
        if body is not None:
            doc["body"] = body
        doc.update(more)
        return orjson.dumps(doc)

    def message(text: str, code: int = 409, sub: int | None = None) -> str:
        inner: dict[str, Any] = {"status_code": code, "message": f"{text} [{tag}]"}
        if sub is not None:
            inner["sub_code"] = sub
        return orjson.dumps({"status": inner}).decode()

    # 1. percent-encoded names, the value echoed in the message
    for name in ("oauth%5Ftoken", "oauth%5ftoken", "api%5Fkey", "oauth%255Ftoken", "OAUTH_TOKE%4E"):
        s = c.new(f"{tag} jsonl {name}=")
        lines.append(rec(f"{HOST}/catalog/titles/movies/7?{name}={s}&oauth_consumer_key=k1", 409, message(f"bad {s}")))
    # 2. a secret repeated as a path segment of an unknown resource (and in the message)
    for name in ("oauth_token", "api_key", "access_key", "feed_token"):
        s = c.new(f"{tag} jsonl path segment + {name}", "alpha")
        url = f"{HOST}/widgets/{s}/detail?{name}={s}&oauth_consumer_key=k2"
        lines.append(rec(url, 409, message(f"widget {s} is locked")))
    # 7. key names and the rest of §7, values echoed in the message
    for name in (
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "access_key",
        "secret_key",
        "private_key",
        "passwd",
        "password",
        "sig",
        "signature",
        "x-amz-signature",
        "request_token_secret",
        "oauth_token_secret",
        "client_secret",
        "refresh_token",
    ):
        s = c.new(f"{tag} jsonl {name}=")
        lines.append(rec(f"/catalog/people/3?{name}={s}", 418, message(f"{name} {s} refused", 418)))
    # an oauth_signature with +, / and = (URL-encoded as clients send it) and echoed decoded
    s = c.new(f"{tag} jsonl oauth_signature", "b64")
    lines.append(rec(f"/catalog/people/4?oauth_signature={quote(s, safe='')}", 418, message(f"sig {s}", 418)))
    # the seed's oauth_callback: the request token repeated URL-encoded inside another parameter
    s = c.new(f"{tag} jsonl oauth_callback")
    callback = quote(f"http://app.example/done?oauth_token={s}", safe="")
    lines.append(rec(f"/oauth/access_token?oauth_token={s}&oauth_callback={callback}", 405))
    # user-info
    s = c.new(f"{tag} jsonl user-info password")
    lines.append(rec(f"https://bob:{s}@api.netflix.com/catalog/people/5", 405, message(f"user bob:{s}", 405)))
    # 5. JSON-escaped values (a valid line: its URL decodes; the message repeats it escaped)
    s = c.new(f"{tag} jsonl url \\u0026oauth_token\\u003d")
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in s)
    lines.append(
        b'{"time":%d,"method":"GET","url":"/catalog/people/6?a=1\\u0026oauth_token\\u003d%s","status":418,'
        b'"body":"{\\"status\\":{\\"status_code\\":418,\\"message\\":\\"t %s\\"}}"}'
        % (T0 + 90, escaped.encode(), escaped.encode())
    )
    # Set-Cookie in response_headers of a valid record, its value echoed in the message
    s = c.new(f"{tag} jsonl response_headers Set-Cookie (valid)")
    lines.append(
        rec(
            "/catalog/people/8",
            419,
            message(f"session {s} expired", 419),
            response_headers={"Set-Cookie": f"sid={s}; Path=/"},
        )
    )
    good = len(lines)
    # Dead letters.
    # 5. a JSON-escaped value in a line that is not JSON (cut)
    s = c.new(f"{tag} jsonl dead letter oauth_token=\\u004c…")
    escaped = f"\\u{ord(s[0]):04x}" + s[1:]
    lines.append(b'{"time":%d,"method":"GET","url":"/x?oauth_token=%s' % (T0, escaped.encode()))
    s = c.new(f"{tag} jsonl dead letter all-escaped value")
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in s)
    lines.append(b'{"time":%d,"url":"/x?oauth\\u005ftoken=%s"' % (T0, escaped.encode()))
    # 7. Set-Cookie in response_headers, password and client_secret fields, in lines without a status
    s1, s2, s3 = (c.new(f"{tag} jsonl dead letter {w}") for w in ("Set-Cookie", "password field", "client_secret"))
    lines.append(
        orjson.dumps(
            {
                "time": T0,
                "method": "POST",
                "url": "/oauth/login",
                "response_headers": {"Set-Cookie": f"sid={s1}; HttpOnly"},
                "password": s2,
                "client_secret": s3,
            }
        )
    )
    s = c.new(f"{tag} jsonl dead letter Set-Cookie list")
    lines.append(
        orjson.dumps(
            {
                "time": "never",
                "method": "GET",
                "url": "/x",
                "status": 200,
                "response_headers": {"set-cookie": [f"a={s}", "b=1"]},
            }
        )
    )
    s = c.new(f"{tag} jsonl dead letter api_key + access_key")
    s2 = c.new(f"{tag} jsonl dead letter access_key")
    lines.append(b"not json at all /x?api_key=%s&access_key=%s" % (s.encode(), s2.encode()))
    # 4. over 1 MiB: the secret in the first KiB, its name only later
    s = c.new(f"{tag} jsonl long line, named late")
    pad = "p" * (1 << 20)
    long = f'{{"time":{T0},"note":"{s}","pad":"{pad}","url":"/x?oauth_token={s}","status":200}}'
    lines.append(long.encode())
    s = c.new(f"{tag} jsonl long line, named late, escaped")
    long = f'{{"time":{T0},"note":"{s}","pad":"{pad}","url":"/x?oauth\\u005ftoken={s}","status":200}}'
    lines.append(long.encode())
    return lines, len(lines) - good


def _nginx_escape(text: str) -> str:
    """nginx's default escaping: `"`, `\\` and bytes outside 0x20-0x7E as `\\xHH`."""
    out = []
    for byte in text.encode():
        out.append(f"\\x{byte:02X}" if byte in (0x22, 0x5C) or not 0x20 <= byte <= 0x7E else chr(byte))
    return "".join(out)


def _nginx_records(c: Canaries, tag: str) -> tuple[list[bytes], int]:
    lines: list[bytes] = []

    def rec(target: str, status: int, body: str = "-", method: str = "GET", i: int = 0) -> bytes:
        return (
            f"198.51.100.{10 + len(lines)} - - [10/Dec/2009:13:41:{len(lines) % 60:02d} -0800] "
            f'"{method} {target} HTTP/1.1" {status} 86 "-" "Roku/DVP-2.8" "{_nginx_escape(body)}"'
        ).encode()

    def xml(text: str, code: int = 409) -> str:
        return f"<status><status_code>{code}</status_code><message>{text} [{tag}]</message></status>"

    for name in ("oauth%5Ftoken", "api%5Fkey", "oauth_signature", "sig", "secret_key"):
        s = c.new(f"{tag} nginx {name}=")
        lines.append(rec(f"{HOST}/catalog/titles/movies/9?{name}={s}", 409, xml(f"token {s} rejected")))
    for name in ("oauth_token", "access_key"):
        s = c.new(f"{tag} nginx path segment + {name}", "alpha")
        lines.append(rec(f"/gadgets/{s}/x?{name}={s}", 409, xml(f"gadget {s}")))
    s = c.new(f"{tag} nginx JSON body echo of api_key")
    body = orjson.dumps({"status": {"status_code": 409, "message": f"key {s} over quota"}}).decode()
    lines.append(rec(f"/catalog/people/1?api_key={s}", 409, body))
    good = len(lines)
    s = c.new(f"{tag} nginx dead letter password=")
    s2 = c.new(f"{tag} nginx dead letter sig=")
    lines.append(f"this is not a log line password={s} sig={s2}".encode())
    s = c.new(f"{tag} nginx dead letter escape=json \\u004c")
    lines.append(f'broken "GET /x?oauth_token=\\u{ord(s[0]):04x}{s[1:]} HTTP/1.1" ???'.encode())
    s = c.new(f"{tag} nginx dead letter user-info", "alnum")
    lines.append(f"garbage http://alice:{s}@api.netflix.com/ here".encode())
    # 4. a too-long nginx line: the secret in the path (first KiB), its name in the body later
    s = c.new(f"{tag} nginx long line, named late", "alpha")
    lines.append(rec(f"/gadgets/{s}", 409, "b" * (1 << 20) + f" oauth_token={s}"))
    return lines, len(lines) - good


def _har_entry(
    second: int,
    url: str,
    status: int | None,
    *,
    request_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    response_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    body: str | None = None,
    base64_body: bool = False,
    cookies: list[tuple[str, str]] = (),  # type: ignore[assignment]
    post: dict[str, Any] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": n, "value": v} for n, v in request_headers],
        "cookies": [{"name": n, "value": v} for n, v in cookies],
        "queryString": [],
    }
    if post is not None:
        request["postData"] = post
    response: dict[str, Any] = {
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": n, "value": v} for n, v in response_headers],
        "content": {"size": 0, "mimeType": "application/json"},
    }
    if status is not None:
        response["status"] = status
    if body is not None:
        if base64_body:
            response["content"] = {
                "mimeType": "application/xml",
                "encoding": "base64",
                "text": base64.b64encode(body.encode()).decode(),
            }
        else:
            response["content"] = {"mimeType": "application/json", "text": body}
    started = f"2009-12-10T21:42:{second % 60:02d}.000Z"
    return {"startedDateTime": started, "time": 12, "request": request, "response": response}


def _har_entries(c: Canaries, tag: str) -> tuple[list[dict[str, Any]], int]:
    entries: list[dict[str, Any]] = []

    def json_message(text: str, code: int = 401) -> str:
        return orjson.dumps({"status": {"status_code": code, "sub_code": 9, "message": f"{text} [{tag}]"}}).decode()

    # 3. request headers echoed in the response body (plain JSON and base64 XML)
    s = c.new(f"{tag} har Authorization: Bearer (echoed)")
    entries.append(
        _har_entry(
            1,
            f"{HOST}/catalog/people/1",
            401,
            request_headers=[("Authorization", f"Bearer {s}")],
            body=json_message(f"Bearer {s} is not valid"),
        )
    )
    t, sig = c.new(f"{tag} har OAuth header oauth_token"), c.new(f"{tag} har OAuth header oauth_signature", "b64")
    oauth = f'OAuth oauth_consumer_key="k9", oauth_token="{t}", oauth_signature="{quote(sig, safe="")}"'
    entries.append(
        _har_entry(
            2,
            f"{HOST}/catalog/people/2",
            401,
            request_headers=[("Authorization", oauth)],
            body=f"<status><status_code>401</status_code><sub_code>9</sub_code><message>token {t} "
            f"sig {sig} rejected</message></status>",
            base64_body=True,
        )
    )
    s, s2 = c.new(f"{tag} har Cookie sid (echoed)"), c.new(f"{tag} har Cookie pref (echoed)")
    entries.append(
        _har_entry(
            3,
            f"{HOST}/catalog/people/3",
            401,
            request_headers=[("Cookie", f"sid={s}; pref={s2}")],
            body=json_message(f"session {s} / {s2} expired"),
        )
    )
    s = c.new(f"{tag} har X-Api-Key (echoed, base64)")
    entries.append(
        _har_entry(
            4,
            f"{HOST}/catalog/people/4",
            403,
            request_headers=[("X-Api-Key", s)],
            body=f"<status><status_code>403</status_code><sub_code>9</sub_code><message>key {s} "
            "over quota</message></status>",
            base64_body=True,
        )
    )
    s = c.new(f"{tag} har Proxy-Authorization Basic (echoed)")
    entries.append(
        _har_entry(
            5,
            f"{HOST}/catalog/people/5",
            407,
            request_headers=[("Proxy-Authorization", f"Basic {s}")],
            body=json_message(f"proxy {s}", 407),
        )
    )
    # 1. and 2. in a HAR URL
    s = c.new(f"{tag} har url oauth%5Ftoken=")
    entries.append(_har_entry(6, f"{HOST}/catalog/people/6?oauth%5Ftoken={s}", 409, body=json_message(f"t {s}", 409)))
    s = c.new(f"{tag} har url path segment + api_key", "alpha")
    entries.append(_har_entry(7, f"{HOST}/things/{s}?api_key={s}", 409, body=json_message(f"thing {s}", 409)))
    # 7. cookie arrays, form params and JSON postData.text, Set-Cookie in the response, echoed
    cookie, form, pw, cs, setc = (
        c.new(f"{tag} har {w}")
        for w in (
            "cookies[] only",
            "postData.params password",
            "postData.text password",
            "postData.text client_secret",
            "response Set-Cookie",
        )
    )
    entries.append(
        _har_entry(
            8,
            f"{HOST}/oauth/login",
            401,
            method="POST",
            cookies=[("sid", cookie)],
            response_headers=[("Set-Cookie", f"sid={setc}; Path=/; HttpOnly")],
            post={
                "mimeType": "application/x-www-form-urlencoded",
                "params": [{"name": "password", "value": form}],
                "text": f"password={form}",
            },
            body=json_message(f"login {cookie} {form} failed"),
        )
    )
    entries.append(
        _har_entry(
            9,
            f"{HOST}/oauth/access_token",
            401,
            method="POST",
            post={"mimeType": "application/json", "text": orjson.dumps({"password": pw, "client_secret": cs}).decode()},
            body=json_message(f"client {cs} with {pw} refused"),
        )
    )
    good = len(entries)
    # A HAR dead letter (no status) carrying all of them at once
    names = (
        "Authorization",
        "Cookie",
        "X-Api-Key",
        "cookies[]",
        "params password",
        "text password",
        "text client_secret",
        "Set-Cookie",
        "url api_key",
    )
    a, k, x, ck, fp, tp, tc, sc, ak = (c.new(f"{tag} har dead letter {w}") for w in names)
    entries.append(
        _har_entry(
            10,
            f"{HOST}/x?api_key={ak}",
            None,
            method="POST",
            request_headers=[("Authorization", f"Bearer {a}"), ("Cookie", f"sid={k}"), ("X-Api-Key", x)],
            response_headers=[("Set-Cookie", f"sid={sc}")],
            cookies=[("other", ck)],
            post={
                "mimeType": "application/json",
                "params": [{"name": "password", "value": fp}],
                "text": orjson.dumps({"password": tp, "client_secret": tc}).decode(),
            },
        )
    )
    return entries, len(entries) - good


def _damaged_har(c: Canaries, tag: str) -> bytes:
    """HAR text with credential headers in its first KiB; the caller cuts or breaks it."""
    a, k, x = (c.new(f"{tag} damaged har {w}") for w in ("Authorization", "Cookie", "X-Api-Key"))
    entry = _har_entry(
        1,
        f"{HOST}/catalog/people/1",
        200,
        request_headers=[("Authorization", f"Bearer {a}"), ("Cookie", f"sid={k}"), ("X-Api-Key", x)],
    )
    return orjson.dumps({"log": {"version": "1.2", "entries": [entry] * 40}})


def build_logs(folder: Path, c: Canaries) -> Planted:
    """Write the hostile folder; returns what it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    planted = Planted()

    def put(name: str, data: bytes, items: int, dead: int, compress: bool = False) -> None:
        (folder / name).write_bytes(gzip.compress(data, mtime=0) if compress else data)
        planted.items[name], planted.dead_letters[name] = items, dead

    for name, compress in (("api.jsonl", False), ("api-old.jsonl.gz", True)):
        lines, dead = _jsonl_records(c, name)
        put(name, b"\n".join(lines) + b"\n\n", len(lines), dead, compress)
    for name, compress in (("access.log", False), ("access-old.log.gz", True)):
        lines, dead = _nginx_records(c, name)
        put(name, b"\n".join(lines) + b"\n", len(lines), dead, compress)
    for name, compress in (("capture.har", False), ("capture-old.har.gz", True)):
        entries, dead = _har_entries(c, name)
        put(name, orjson.dumps({"log": {"version": "1.2", "entries": entries}}), len(entries), dead, compress)
    # 6. a HAR that is not JSON, and a truncated .har.gz: one damaged input each
    text = _damaged_har(c, "broken.har")
    put("broken.har", text[:3000] + b",,, not json", 1, 1)
    whole = gzip.compress(_damaged_har(c, "cut.har.gz"), mtime=0)
    (folder / "cut.har.gz").write_bytes(whole[: len(whole) // 2])
    planted.items["cut.har.gz"], planted.dead_letters["cut.har.gz"] = 1, 1
    return planted


def _base64_cores(secret: str) -> list[str]:
    """The parts of base64 text that encode `secret` whatever its offset, standard and URL-safe."""
    raw = secret.encode()
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        start = 4 if offset else 0
        end = (offset + len(raw)) // 3 * 4
        core = encoded[start:end]
        cores += [core, core.replace("+", "-").replace("/", "_")]
    return cores


_JSON_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
_HEX_ESCAPE_RE = re.compile(r"\\x([0-9a-fA-F]{2})")


def _unescape(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: chr(int(m.group(1), 16)), text)


def _views(text: str) -> list[str]:
    once = unquote(text)
    unescaped = _unescape(_HEX_ESCAPE_RE, _unescape(_JSON_ESCAPE_RE, text))
    return [text, once, unquote(once), unescaped, unquote(unescaped), html.unescape(text), text.replace("\\/", "/")]


def survivors(text: str, canaries: dict[str, str]) -> dict[str, str]:
    """The canaries found in `text` in any of its forms: canary -> the form it was found in."""
    views = _views(text)
    found: dict[str, str] = {}
    for secret in canaries:
        for view in views:
            if secret in view:
                found[secret] = "as text"
                break
        else:
            if any(core in text for core in _base64_cores(secret)):
                found[secret] = "base64"
    return found
