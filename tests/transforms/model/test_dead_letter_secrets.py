"""Dead letters hold no credential in JSON forms: HAR headers, cookies, form and JSON fields (§7)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.transforms.model.dead_letters import dead_letter
from statuslens.transforms.readers.har import entry_raw
from tests.transforms.readers.reading import problems, read

BEARER = "eyJcanaryBearerQ1"
COOKIE = "sidCanaryCookie77"
PASSWORD = "hunter2canaryPw"
CLIENT_SECRET = "csCanarySecret99"
SET_COOKIE = "setCanaryCookie5"
CANARIES = (BEARER, COOKIE, PASSWORD, CLIENT_SECRET, SET_COOKIE)


def _raw(line: bytes | str, source: str = "api.har") -> str:
    doc = orjson.loads(dead_letter(source, "bad record", line))
    raw: str = doc["raw"]
    return raw


def _entry() -> dict[str, Any]:
    """A HAR entry without a response status: a dead letter."""
    return {
        "startedDateTime": "2009-12-10T21:40:10Z",
        "request": {
            "method": "POST",
            "url": "https://api.example.com/oauth/token",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "cookies": [{"name": "sid", "value": COOKIE, "httpOnly": True}],
            "postData": {
                "mimeType": "application/json",
                "params": [{"name": "password", "value": PASSWORD}, {"name": "user", "value": "doug"}],
                "text": orjson.dumps({"client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}).decode(),
            },
        },
        "response": {"headers": [], "cookies": [{"name": "sid", "value": SET_COOKIE}]},
    }


def test_har_entry_cookies_form_params_and_json_post_text_are_redacted() -> None:
    raw = _raw(entry_raw(_entry()))
    for canary in (COOKIE, PASSWORD, CLIENT_SECRET, SET_COOKIE):
        assert canary not in raw
    assert '"name":"user","value":"doug"' in raw  # other parameters are kept
    assert "client_credentials" in raw


def test_json_lines_response_headers_set_cookie_is_redacted() -> None:
    line = orjson.dumps(
        {
            "time": "2009-12-10T21:40:10Z",
            "url": "/v1/users",
            "response_headers": {"Set-Cookie": f"session={SET_COOKIE}"},
        }
    )
    raw = _raw(line, "api.jsonl")
    assert SET_COOKIE not in raw
    assert '"Set-Cookie":"REDACTED"' in raw


HEADERS = (
    '{"log": {"entries": [{"request": {"method": "GET", "url": "https://api.example.com/v1", "headers": ['
    f'{{"name": "Authorization", "value": "Bearer {BEARER}"}}, {{"value": "sid={COOKIE}", "name": "Cookie"}}'
)


@pytest.mark.parametrize("name", ["broken.har", "truncated.har.gz"])
def test_damaged_har_keeps_no_header_value(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".gz"):
        whole = gzip.compress((HEADERS + "]}}]}}").encode())
        path.write_bytes(whole[: len(whole) - 12])  # cut before the end-of-stream marker
    else:
        path.write_text(HEADERS + ", oops")
    items, info, _ = read(path)
    assert info.damaged
    (problem,) = problems(items)
    raw = _raw(problem.raw)
    assert BEARER not in raw
    assert COOKIE not in raw
    assert '"name": "Authorization", "value": "REDACTED"' in raw


def test_a_header_value_cut_by_the_kib_limit_is_redacted() -> None:
    raw = _raw(" " * 970 + '{"name": "Authorization", "value": "Bearer ' + BEARER + '"}')
    assert "Bearer" not in raw
    assert BEARER[:5] not in raw
    assert raw.endswith('"value": "REDACTED"')
