"""Property tests of the redactor: a canary secret in any §7 parameter never survives (DOMAIN.md §7).

Names are written plain or with percent-escapes, values raw, URL-encoded or JSON-escaped, inside a URL,
a log line or a JSON line, and the canary may be echoed elsewhere in the text.
"""

from __future__ import annotations

import string
from urllib.parse import unquote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from statuslens.transforms.json_view import json_view
from statuslens.transforms.redact import Redactor, redact_text, redact_url

SECRET_NAMES = [
    "oauth_token",
    "oauth_signature",
    "oauth_token_secret",
    "request_token_secret",
    "feed_token",
    "access_token",
    "client_secret",
    "password",
    "sig",
    "signature",
    "api_key",
    "apikey",
    "api-key",
    "x-api-key",
    "access_key",
    "API_KEY",
]
PLAIN = ["page=2", "oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf", "term=star+wars", "q=a%20b", "v=1.0"]
SETTINGS = settings(max_examples=200, deadline=None)

canaries = st.text(string.ascii_letters + string.digits, min_size=6, max_size=16).map(lambda s: "Zq" + s)


@st.composite
def encoded_name(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(SECRET_NAMES))
    escape = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    hex_case = draw(st.sampled_from(["%{:02X}", "%{:02x}"]))
    return "".join(hex_case.format(ord(c)) if e else c for c, e in zip(name, escape, strict=True))


@st.composite
def encoded_value(draw: st.DrawFn, canary: str) -> str:
    how = draw(st.sampled_from(["raw", "url", "json"]))
    picks = draw(st.lists(st.booleans(), min_size=len(canary), max_size=len(canary)))
    if how == "raw":
        return canary
    form = "%{:02X}" if how == "url" else "\\u{:04x}"
    return "".join(form.format(ord(c)) if p else c for c, p in zip(canary, picks, strict=True))


@st.composite
def url_with_canary(draw: st.DrawFn) -> tuple[str, str]:
    canary = draw(canaries)
    pair = f"{draw(encoded_name())}={draw(encoded_value(canary))}"
    params = draw(st.lists(st.sampled_from(PLAIN), max_size=3))
    params.insert(draw(st.integers(0, len(params))), pair)
    if draw(st.booleans()):  # echoed, as the seed's oauth_callback repeats the request token
        params.append(f"echo={canary}")
    path = draw(st.sampled_from(["/v1/users", "/catalog/titles", "/oauth/access_token"]))
    return f"https://api.example.com{path}?" + "&".join(params), canary


def _survives(canary: str, text: str) -> bool:
    return canary in text or canary in unquote_plus(text) or canary in json_view(text)[0]


@SETTINGS
@given(url_with_canary())
def test_no_canary_survives_redact_url(case: tuple[str, str]) -> None:
    url, canary = case
    for redacted, secrets in (redact_url(url), Redactor().redact_url(url)):
        assert not _survives(canary, redacted), redacted
        assert secrets


@SETTINGS
@given(url_with_canary(), st.sampled_from(["log", "json", "go-json"]))
def test_no_canary_survives_redact_text(case: tuple[str, str], shape: str) -> None:
    url, canary = case
    if shape == "log":
        text = f'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET {url} HTTP/1.1" 401 12 "-" "Java/1.6"'
    elif shape == "json":
        text = '{"time":"2009-12-10T21:40:10Z","url":"' + url + '","status":401}'
    else:  # Go's encoder escapes & as \u0026
        text = '{"url":"' + url.replace("&", "\\u0026") + '","status":401}'
    for redacted in (redact_text(text), Redactor().redact_text(text)):
        assert not _survives(canary, redacted), redacted
