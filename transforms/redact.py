"""Secrets never leave the process (DOMAIN.md §7).

Query parameters that carry credentials (`oauth_signature`, `oauth_token`, `*_secret`, `*_token`,
`password`, `sig`, `signature`, the key names in `KEY_NAMES`) and URL user-info become `REDACTED`, the
key kept. A name is judged decoded (`oauth%5Ftoken`, `oauth\\u005ftoken`), a value is found also when
JSON-escaped (`oauth_token=\\u004c…`), and every value found is removed from the whole text, so a token
repeated URL-encoded inside another parameter (the seed's `oauth_callback`) is gone too.

The module functions compute everything each time (dead letters, error text, ship); the annotator
redacts with its own `Redactor`, which remembers which parameter names are credentials and each
secret's encoded forms: records repeat their parameter names and a user's token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from statuslens.transforms.json_view import json_view
from statuslens.transforms.memo import SECRET_FORMS, SECRET_NAMES, BoundedMemo
from statuslens.transforms.scrub import scrub_secrets

__all__ = [
    "KEY_NAMES",
    "REDACTED",
    "SECRET_HEADERS",
    "Redactor",
    "collect_secrets",
    "header_secrets",
    "is_secret_param",
    "redact_headers",
    "redact_text",
    "redact_url",
    "scrub",
]

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
_SECRET_NAMES = frozenset({"oauth_signature", "oauth_token", "oauth_token_secret", "password", "sig", "signature"})
# The names people give API keys. Not `*_key`: `oauth_consumer_key` is an application id (§7); not a
# bare `key` either: `?key=orders` would then be cut out of every path that says "orders".
KEY_NAMES = frozenset(
    {"api_key", "apikey", "api-key", "x-api-key", "access_key", "secret_key", "private_key", "passwd"}
)
# A value shorter than this is redacted where it stands but not searched for elsewhere: replacing
# every "1" in a record would destroy it without protecting anything.
_MIN_GLOBAL_SECRET = 4
# A parameter name followed by `=` (or an encoded `=`); `++` and the look-behind keep the scan linear.
# A name that holds `-` or percent-escapes (`x-api-key`, `oauth%5Ftoken`) matches from its last such
# character on; `_scan_spans` takes the rest of it from the text before (rare: no cost to other names).
_NAME_SEP_RE = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z0-9_]++)(=|%3[Dd]|%253[Dd])")
_NAME_HEAD_RE = re.compile(r"[A-Za-z0-9_%\-]{1,256}+$")
_NAME_ESCAPE_TAIL_RE = re.compile(r"(?:25)?(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|2[Dd])")
_VALUE_RE = re.compile(r"[^&\s\"'#;<>\\]*")
# The value of a secret named inside another secret's value: it also stops at `?` and `=`, so each
# character is read once however the names repeat (`oauth_token=oauth_token=…`).
_NESTED_VALUE_RE = re.compile(r"[^&\s\"'#;<>\\?=]*")
_USERINFO_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#@\s\"']+)@")
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9_.\-~]*")
# An encoded `=` or `@` followed by more text: parameters or user-info nested inside a value. (An
# encoded `=` at the end of a value is base64 padding, as in every oauth_signature.)
_NESTED_RE = re.compile(r"%(?:25)?(?:3[Dd]|40)(?=[^&%#\s\"'])")


def is_secret_param(name: str) -> bool:
    """Whether a query parameter's value is a credential: its name decoded, or the part of it after a
    `-` (`x-amz-signature`, `my-api-key`), is one of §7's names."""
    lowered = (unquote(unquote(name)) if "%" in name else name).lower()
    while True:
        if lowered in _SECRET_NAMES or lowered in KEY_NAMES or lowered.endswith(("_secret", "_token")):
            return True
        _, dash, lowered = lowered.partition("-")
        if not dash:
            return False


def collect_secrets(text: str) -> set[str]:
    """Every credential value in `text`, also inside URL-encoded (nested) parameters."""
    return {value for value in _redact(text, is_secret_param)[1] if value != REDACTED}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret (and its URL-encoded forms) anywhere in `text`."""
    return _scrub(text, secrets, _encodings)


def redact_text(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """Redact credentials in free text: a raw log line, a body, an error message."""
    return _redact_text(text, extra_secrets, is_secret_param, _encodings)


def redact_url(url: str) -> tuple[str, set[str]]:
    """(redacted url, the secrets it held) — the secrets let callers scrub the rest of a record."""
    return _redact_url(url, is_secret_param, _encodings)


class Redactor:
    """`redact_text`, `redact_url` and `scrub` remembering which parameter names are credentials and
    each short secret's encoded forms (limits in transforms/memo.py). Made with the annotator."""

    __slots__ = ("_forms", "_names")

    def __init__(self) -> None:
        self._names: BoundedMemo[str, bool] = BoundedMemo(SECRET_NAMES)
        self._forms: BoundedMemo[str, tuple[str, ...]] = BoundedMemo(SECRET_FORMS)

    def is_secret_param(self, name: str) -> bool:
        """Whether a query parameter's value is a credential."""
        known = self._names.get(name)
        if known is None:
            known = self._names.put(name, is_secret_param(name), len(name))
        return known

    def forms(self, secret: str) -> tuple[str, ...]:
        """The secret as it may appear in a record: raw, URL-encoded, form-encoded, encoded twice."""
        known = self._forms.get(secret)
        if known is None:
            known = self._forms.put(secret, _encodings(secret), len(secret))
        return known

    def scrub(self, text: str, secrets: Iterable[str]) -> str:
        """Replace each secret (and its URL-encoded forms) anywhere in `text`."""
        return _scrub(text, secrets, self.forms)

    def redact_text(self, text: str, extra_secrets: Iterable[str] = ()) -> str:
        """Redact credentials in free text: a raw log line, a body, an error message."""
        return _redact_text(text, extra_secrets, self.is_secret_param, self.forms)

    def redact_url(self, url: str) -> tuple[str, set[str]]:
        """(redacted url, the secrets it held) — the secrets let callers scrub the rest of a record."""
        return _redact_url(url, self.is_secret_param, self.forms)


_IsSecret = Callable[[str], bool]
_Forms = Callable[[str], tuple[str, ...]]


def _scan_spans(text: str, is_secret: _IsSecret) -> Iterator[tuple[int, int, str]]:
    """(start, end, value) of each credential parameter's value in `text` ((-1, -1, value) for one
    named inside another's value: found, not replaced again).

    Only `name=` is matched, never a value, so a parameter nested inside another one's value
    (`oauth_callback=http://app/?request_token=X`) is found as well.
    """
    last = 0
    for match in _NAME_SEP_RE.finditer(text):
        start = match.start()
        if not is_secret(match.group(1)):
            before = text[start - 1] if start else ""
            # `x-api-key`, `oauth%5Ftoken`: the name goes on before; `%26name` (an encoded `&`) does not.
            if not (before == "-" or (before == "%" and _NAME_ESCAPE_TAIL_RE.match(text, start))):
                continue
            head = _NAME_HEAD_RE.search(text, max(0, start - 256), start)
            if head is None or not is_secret(head.group() + match.group(1)):
                continue
        nested = start < last  # inside the value of a secret before it: already replaced with it
        value_match = (_NESTED_VALUE_RE if nested else _VALUE_RE).match(text, match.end())
        assert value_match is not None  # the pattern matches the empty string
        value = value_match.group()
        if value and value != REDACTED:
            if nested:  # not replaced again, but searched for elsewhere (`sig=X?oauth_token=T … echo T`)
                yield -1, -1, value
                continue
            last = value_match.end()
            yield match.end(), last, value


def _scan(text: str, is_secret: _IsSecret) -> tuple[str, set[str]]:
    """`text` with every credential parameter's value replaced, and the values found."""
    found: set[str] = set()
    pieces: list[str] = []
    last = 0
    for start, end, value in _scan_spans(text, is_secret):
        found.add(value)
        if "%" in value or "+" in value:
            found.add(unquote_plus(value))
        if start < 0:
            continue
        pieces.append(text[last:start])
        pieces.append(REDACTED)
        last = end
    if not pieces:
        return text, found
    pieces.append(text[last:])
    return "".join(pieces), found


def _userinfo_secrets(view: str) -> set[str]:
    found: set[str] = set()
    for match in _USERINFO_RE.finditer(view):
        # `user:password@`: the password is the secret; a user name is often a common word
        # (`user`, `netflix`) that scrubbing would cut out of hosts and paths. A lone part may
        # be a token (`https://TOKEN@host`), so it is searched for.
        user, colon, password = match.group(2).partition(":")
        secret = password if colon else user
        if secret:
            found.add(secret)
    return found


def _redact(text: str, is_secret: _IsSecret) -> tuple[str, set[str]]:
    """Redact parameters and user-info in `text`; also return every secret value it held."""
    redacted, found = _scan(text, is_secret)
    if "\\u" in text or "\\/" in text:
        # JSON text that escapes `&`, `=`, a name's or a value's letters (Go's encoder writes & as
        # \u0026): scan it unescaped too; each value is also taken as written, escapes and all, so that
        # `scrub` removes it from the escaped text.
        found |= _json_view_secrets(text, is_secret)
    if _NESTED_RE.search(text):
        once = unquote_plus(text)
        views = [once, unquote_plus(once)] if "%" in once else [once]
        for view in views:
            found |= _scan(view, is_secret)[1]
            if "@" in view:
                found |= _userinfo_secrets(view)
    if "@" in text:
        found |= _userinfo_secrets(text)
        redacted = _USERINFO_RE.sub(lambda m: m.group(1) + REDACTED + "@", redacted)
    return redacted, found


def _json_view_secrets(text: str, is_secret: _IsSecret) -> set[str]:
    """The secrets of `text` with its JSON string escapes decoded, each also as written in `text`."""
    view, to_text = json_view(text)
    found: set[str] = set()
    for start, end, value in _scan_spans(view, is_secret):
        found.add(value)
        if "%" in value or "+" in value:
            found.add(unquote_plus(value))
        if start >= 0:
            found.add(text[to_text(start) : to_text(end)])
    return found


def _encodings(secret: str) -> tuple[str, ...]:
    """The secret as it may appear in a record: raw, URL-encoded, form-encoded, encoded twice."""
    if _URL_SAFE_RE.fullmatch(secret):
        return (secret,)
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(quote(secret, safe=""), safe="")}
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def _scrub(text: str, secrets: Iterable[str], forms: _Forms) -> str:
    return scrub_secrets(text, secrets, forms, REDACTED, _MIN_GLOBAL_SECRET)


def _redact_text(text: str, extra_secrets: Iterable[str], is_secret: _IsSecret, forms: _Forms) -> str:
    if not text:
        return text
    secrets = set(extra_secrets)
    if "=" in text or "@" in text or "%" in text:  # `%3D`, `%3d`, `%253D`: an encoded `=`
        text, found = _redact(text, is_secret)
        secrets |= found
    return _scrub(text, secrets, forms) if secrets else text


def _redact_url(url: str, is_secret: _IsSecret, forms: _Forms) -> tuple[str, set[str]]:
    if "=" not in url and "@" not in url and "%" not in url:
        return url, set()
    redacted, secrets = _redact(url, is_secret)
    secrets.discard(REDACTED)
    if not secrets:
        return redacted, secrets
    return _scrub(redacted, secrets, forms), secrets


def redact_headers(headers: list[dict[str, object]]) -> tuple[list[dict[str, object]], set[str]]:
    """HAR-style headers with credential headers redacted, plus the values removed."""
    out: list[dict[str, object]] = []
    secrets: set[str] = set()
    for header in headers:
        name = str(header.get("name", ""))
        if name.lower() in SECRET_HEADERS:
            value = str(header.get("value", ""))
            secrets.add(value)
            secrets.update(_header_secrets(name.lower(), value))
            header = {**header, "value": REDACTED}
        out.append(header)
    return out, secrets


def header_secrets(headers: Mapping[str, str]) -> set[str]:
    """The credential values of a record's headers (lower-case names): what a body may echo."""
    return redact_headers([{"name": n, "value": headers[n]} for n in sorted(SECRET_HEADERS.intersection(headers))])[1]


_PAIR_RE = re.compile(r"([A-Za-z0-9_\-]+)=\"?([^\",;\s]+)")
_SCHEME_RE = re.compile(r"^\s*(?:Bearer|Basic|Token)\s+(\S+)", re.IGNORECASE)


def _header_secrets(name: str, value: str) -> set[str]:
    """The parts of a credential header that may be echoed elsewhere in a record."""
    found = {m.group(1) for m in [_SCHEME_RE.match(value)] if m}
    # A Set-Cookie's first pair is the cookie; Path, Domain, Max-Age… after it are not secrets.
    pairs = value.split(";", 1)[0] if name == "set-cookie" else value
    for key, part in _PAIR_RE.findall(pairs):
        if "cookie" in name or is_secret_param(key):
            found.update((part, unquote(part)))  # OAuth header parameters are percent-encoded (RFC 5849)
    return found
