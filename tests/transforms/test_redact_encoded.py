"""§7 names and values however they are written: percent-encoded names, key names, JSON escapes."""

from __future__ import annotations

import pytest

from statuslens.transforms.redact import KEY_NAMES, Redactor, is_secret_param, redact_text, redact_url

CANARY = "Cy7Tq2canaryZ9"


ENCODED_NAMES = ["oauth%5Ftoken", "OAUTH_TOKE%4E", "oauth_%74oken", "oauth%5ftoken", "%6Fauth_token", "oauth%255Ftoken"]


@pytest.mark.parametrize("name", ENCODED_NAMES)
def test_percent_encoded_parameter_name_is_redacted(name: str) -> None:
    url = f"https://api.example.com/v1/users?{name}={CANARY}&page=2"
    for redacted, _ in (redact_url(url), Redactor().redact_url(url)):
        assert redacted == f"https://api.example.com/v1/users?{name}=REDACTED&page=2"
    assert redact_text(f"GET {url} 401") == f"GET https://api.example.com/v1/users?{name}=REDACTED&page=2 401"


@pytest.mark.parametrize("name", ["api_key", "apikey", "api-key", "x-api-key", "access_key", "API_KEY", "X-Api-Key"])
def test_key_names_are_secret(name: str) -> None:
    assert is_secret_param(name)
    redacted, secrets = redact_url(f"https://h/p?{name}={CANARY}&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf")
    assert redacted == f"https://h/p?{name}=REDACTED&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
    assert secrets == {CANARY}


def test_consumer_key_and_a_bare_key_stay_and_the_key_list_is_the_documented_one() -> None:
    assert not is_secret_param("oauth_consumer_key")
    assert not is_secret_param("key")
    assert {"api_key", "apikey", "api-key", "x-api-key", "access_key"} <= KEY_NAMES


def test_json_escaped_value_in_raw_text_is_redacted() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in CANARY[:3]) + CANARY[3:]
    line = '{"url": "/v1/users?oauth_token=' + escaped + '\\u0026page=2", "status": 401}'
    out = redact_text(line)
    assert out == '{"url": "/v1/users?oauth_token=REDACTED\\u0026page=2", "status": 401}'
    assert Redactor().redact_text(line) == out


def test_json_escaped_parameter_name_is_redacted() -> None:
    line = '{"url": "/v1/users?oauth\\u005ftoken=' + CANARY + '"}'
    assert redact_text(line) == '{"url": "/v1/users?oauth\\u005ftoken=REDACTED"}'
