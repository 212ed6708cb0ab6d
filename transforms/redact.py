"""Secrets never leave the process (DOMAIN.md §7).

Query parameters that carry credentials (`oauth_signature`, `oauth_token`, `*_secret`, `*_token`,
`password`, `sig`, `signature`) and URL user-info become `REDACTED`, the key kept. Every value found
that way is then removed from the whole text, so a token repeated URL-encoded inside another
parameter (the seed's `oauth_callback`) is gone too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote_plus

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "collect_secrets",
    "is_secret_param",
    "redact_headers",
    "redact_text",
    "redact_url",
    "scrub",
]

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
_SECRET_NAMES = frozenset({"oauth_signature", "oauth_token", "oauth_token_secret", "password", "sig",
                           "signature"})
# A value shorter than this is redacted where it stands but not searched for elsewhere: replacing
# every "1" in a record would destroy it without protecting anything.
_MIN_GLOBAL_SECRET = 4
_PARAM_RE = re.compile(
    r"(?<![A-Za-z0-9_])([A-Za-z0-9_]*(?:_secret|_token)|oauth_signature|password|sig|signature)"
    r"(=|%3D|%253D)([^&\s\"'#;<>\\]*)",
    re.IGNORECASE,
)
_USERINFO_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#@\s\"']+)@")


def is_secret_param(name: str) -> bool:
    """Whether a query parameter's value is a credential."""
    lowered = name.lower()
    return lowered in _SECRET_NAMES or lowered.endswith("_secret") or lowered.endswith("_token")


def collect_secrets(text: str) -> set[str]:
    """Every credential value in `text`, also inside URL-encoded (nested) parameters."""
    found: set[str] = set()
    views = [text]
    if "%" in text or "+" in text:
        once = unquote_plus(text)
        views.append(once)
        if "%" in once:
            views.append(unquote_plus(once))
    for view in views:
        for match in _PARAM_RE.finditer(view):
            value = match.group(3)
            if value and value != REDACTED:
                found.add(value)
                decoded = unquote_plus(value)
                if decoded != value:
                    found.add(decoded)
        for match in _USERINFO_RE.finditer(view):
            # `user:password@`: the password is the secret; a user name is often a common word
            # (`user`, `netflix`) that scrubbing would cut out of hosts and paths. A lone part may
            # be a token (`https://TOKEN@host`), so it is searched for.
            user, colon, password = match.group(2).partition(":")
            secret = password if colon else user
            if secret:
                found.add(secret)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret (and its URL-encoded forms) anywhere in `text`."""
    # Longest first, ties by text: the same secrets give the same output whatever their order (§6).
    for secret in sorted(secrets, key=lambda s: (-len(s), s)):
        if len(secret) < _MIN_GLOBAL_SECRET:
            continue
        forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(quote(secret, safe=""), safe="")}
        for form in sorted(forms, key=lambda f: (-len(f), f)):
            if form in text:
                text = text.replace(form, REDACTED)
    return text


def redact_text(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """Redact credentials in free text: a raw log line, a body, an error message."""
    if not text:
        return text
    secrets = set(extra_secrets)
    if "=" in text or "@" in text or "%" in text:  # `%3D`, `%3d`, `%253D`: an encoded `=`
        secrets |= collect_secrets(text)
        text = _PARAM_RE.sub(_redact_param, text)
        text = _USERINFO_RE.sub(lambda m: m.group(1) + REDACTED + "@", text)
    return scrub(text, secrets) if secrets else text


def redact_url(url: str) -> tuple[str, set[str]]:
    """(redacted url, the secrets it held) — the secrets let callers scrub the rest of a record."""
    if "=" not in url and "@" not in url and "%" not in url:
        return url, set()
    secrets = collect_secrets(url)
    if not secrets:
        return url, secrets
    return redact_text(url, secrets), secrets


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


_PAIR_RE = re.compile(r"([A-Za-z0-9_\-]+)=\"?([^\",;\s]+)")
_SCHEME_RE = re.compile(r"^\s*(?:Bearer|Basic|Token)\s+(\S+)", re.IGNORECASE)


def _header_secrets(name: str, value: str) -> set[str]:
    """The parts of a credential header that may be echoed elsewhere in a record."""
    found = {m.group(1) for m in [_SCHEME_RE.match(value)] if m}
    # A Set-Cookie's first pair is the cookie; Path, Domain, Max-Age… after it are not secrets.
    pairs = value.split(";", 1)[0] if name == "set-cookie" else value
    for key, part in _PAIR_RE.findall(pairs):
        if "cookie" in name or is_secret_param(key):
            found.add(part)
    return found


def _redact_param(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + REDACTED
