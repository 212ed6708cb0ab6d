"""Secrets never leave the process (DOMAIN.md §7)."""

from __future__ import annotations

import pytest

from statuslens.transforms.memo import SECRET_FORMS, SECRET_NAMES
from statuslens.transforms.redact import (
    REDACTED,
    Redactor,
    collect_secrets,
    header_secrets,
    is_secret_param,
    redact_headers,
    redact_text,
    redact_url,
    scrub,
)

# The seed's comment (Doug), as a client sends it: oauth_callback repeats the request token URL-encoded.
SEED_TOKEN = "jfafgrb3cr5mdf5gtx8ht3d4"
SEED_SIGNATURE = "N%2B2Swwj2eWf%2Flg1wgzrHrjcA3cY%3D"
SEED_LOGIN = (
    "https://api-user.netflix.com/oauth/login?application_name=myApp"
    f"&oauth_token={SEED_TOKEN}"
    "&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
    f"&oauth_callback=http%3A%2F%2FmyServer%2Fmy%2Fpath%2F%3Frequest_token%3D{SEED_TOKEN}"
    "&request_token_secret=mySecret42"
    "&oauth_timestamp=1260481210&oauth_nonce=4RiQMA&oauth_signature_method=HMAC-SHA1"
    f"&oauth_signature={SEED_SIGNATURE}"
)
SEED_LOGIN_REDACTED = (
    "https://api-user.netflix.com/oauth/login?application_name=myApp"
    "&oauth_token=REDACTED"
    "&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
    "&oauth_callback=http%3A%2F%2FmyServer%2Fmy%2Fpath%2F%3Frequest_token%3DREDACTED"
    "&request_token_secret=REDACTED"
    "&oauth_timestamp=1260481210&oauth_nonce=4RiQMA&oauth_signature_method=HMAC-SHA1"
    "&oauth_signature=REDACTED"
)


def test_seed_login_url() -> None:
    url, secrets = redact_url(SEED_LOGIN)
    assert url == SEED_LOGIN_REDACTED
    assert {SEED_TOKEN, "mySecret42", SEED_SIGNATURE, "N+2Swwj2eWf/lg1wgzrHrjcA3cY="} <= secrets
    assert "k4bghqddunxytt5x8p3qx9bf" not in secrets  # an application id, not a secret


def test_seed_callback_written_plain_is_redacted_too() -> None:
    plain = SEED_LOGIN.replace(
        "http%3A%2F%2FmyServer%2Fmy%2Fpath%2F%3Frequest_token%3D", "http://myServer/my/path/?request_token="
    )
    url, _ = redact_url(plain)
    assert SEED_TOKEN not in url
    assert "oauth_callback=http://myServer/my/path/?request_token=REDACTED" in url


def test_secret_repeated_elsewhere_in_the_record_is_gone() -> None:
    _, secrets = redact_url(SEED_LOGIN)
    body = f"<status><message>Expired or bad request token {SEED_TOKEN} (sig {SEED_SIGNATURE})</message></status>"
    scrubbed = scrub(body, secrets)
    assert SEED_TOKEN not in scrubbed and SEED_SIGNATURE not in scrubbed
    assert scrubbed == ("<status><message>Expired or bad request token REDACTED (sig REDACTED)</message></status>")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://api.netflix.com/users/T1pYkT0/feeds?feed_token=Zq3kP9x2vB7mN4&output=atom",
            "http://api.netflix.com/users/T1pYkT0/feeds?feed_token=REDACTED&output=atom",
        ),
        (
            "/oauth/access_token?oauth_token=abc12345&oauth_token_secret=s3cr3tXY&x=1",
            "/oauth/access_token?oauth_token=REDACTED&oauth_token_secret=REDACTED&x=1",
        ),
        ("/login?user=bob&password=hunter22", "/login?user=bob&password=REDACTED"),
        (
            "/a?sig=0a1b2c3d&signature=ffee0011&client_secret=topsecret",
            "/a?sig=REDACTED&signature=REDACTED&client_secret=REDACTED",
        ),
        ("/a?Oauth_Token=ABCDEFG1&refresh_token=RT-999999", "/a?Oauth_Token=REDACTED&refresh_token=REDACTED"),
        # Not secrets: the consumer key, the signature method, plain parameters.
        (
            "/catalog/titles?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf&oauth_signature_method=HMAC-SHA1"
            "&term=star%20wars&max_results=5",
            "/catalog/titles?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf&oauth_signature_method=HMAC-SHA1"
            "&term=star%20wars&max_results=5",
        ),
        ("/catalog/titles", "/catalog/titles"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url)[0] == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://bob:hunter22@api.netflix.com/catalog/titles?max_results=5",
            "http://REDACTED@api.netflix.com/catalog/titles?max_results=5",
        ),
        ("ftp://anonymous@files.example.com/x", "ftp://REDACTED@files.example.com/x"),
        # The password is gone everywhere; a user name that is a common word must not eat the host
        # or the path where the same letters appear.
        (
            "http://user:pa55word@api.netflix.com/users/T1pYkT0/queues?pa55word",
            "http://REDACTED@api.netflix.com/users/T1pYkT0/queues?REDACTED",
        ),
        ("http://netflix:pa55word@api.netflix.com/catalog/titles", "http://REDACTED@api.netflix.com/catalog/titles"),
    ],
)
def test_user_info(url: str, expected: str) -> None:
    assert redact_url(url)[0] == expected


def test_redact_text_on_a_raw_log_line() -> None:
    line = (
        "203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "
        '"GET /users/T1pYkT0/feeds?feed_token=Zq3kP9x2vB7mN4 HTTP/1.1" 401 - "-" "Java/1.6" '
        '"<status><message>Bad feed token Zq3kP9x2vB7mN4</message></status>"'
    )
    redacted = redact_text(line)
    assert "Zq3kP9x2vB7mN4" not in redacted
    assert redacted.count(REDACTED) == 2
    assert "feed_token=REDACTED HTTP/1.1" in redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oauth_token%3Djfafgrb3cr5mdf5gtx8ht3d4&x=1", "oauth_token%3DREDACTED&x=1"),
        ("oauth_token%253Djfafgrb3cr5mdf5gtx8ht3d4", "oauth_token%253DREDACTED"),
        ("request_token%3djfafgrb3cr5mdf5gtx8ht3d4", "request_token%3dREDACTED"),  # lower-case hex
        # Too short to search for elsewhere, but still redacted where it stands.
        ("oauth_token=ab and ab elsewhere", "oauth_token=REDACTED and ab elsewhere"),
        ("no secrets here", "no secrets here"),
        ("", ""),
        ("mailto:bob@example.com", "mailto:bob@example.com"),
        # A URL inside JSON text, its ampersands escaped as \u0026: each parameter is still found.
        (
            '{"url":"/x?k=1\\u0026oauth_signature=SIGvalue99\\u0026password=hunter22"}',
            '{"url":"/x?k=1\\u0026oauth_signature=REDACTED\\u0026password=REDACTED"}',
        ),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_extra_secrets_are_scrubbed_in_every_encoding() -> None:
    secret = "N+2Swwj2eWf/lg1wgzrHrjcA3cY="
    text = f"a {secret} b N%2B2Swwj2eWf%2Flg1wgzrHrjcA3cY%3D c N%252B2Swwj2eWf%252Flg1wgzrHrjcA3cY%253D"
    assert redact_text(text, {secret}) == "a REDACTED b REDACTED c REDACTED"


@pytest.mark.parametrize("shown", ["N%2B2Swwj2eWf%2Flg1wgzrHrjcA3cY%3D", "N%252B2Swwj2eWf%252Flg1wgzrHrjcA3cY%253D"])
def test_a_secret_shown_only_encoded_is_scrubbed(shown: str) -> None:
    """The raw value is absent: the shortcut that skips absent secrets must still find its encodings."""
    secret = "N+2Swwj2eWf/lg1wgzrHrjcA3cY="
    assert scrub(f"x={shown}&y=1", {secret}) == "x=REDACTED&y=1"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("oauth_signature", True),
        ("oauth_token", True),
        ("oauth_token_secret", True),
        ("request_token_secret", True),
        ("feed_token", True),
        ("OAUTH_TOKEN", True),
        ("password", True),
        ("sig", True),
        ("signature", True),
        ("oauth_consumer_key", False),
        ("oauth_signature_method", False),
        ("oauth_nonce", False),
        ("max_results", False),
        ("token_type", False),
    ],
)
def test_is_secret_param(name: str, secret: bool) -> None:
    assert is_secret_param(name) is secret


def test_collect_secrets_decodes_nested_parameters() -> None:
    found = collect_secrets("oauth_callback=http%3A%2F%2Fh%2F%3Frequest_token%3DTOKEN12345")
    assert "TOKEN12345" in found


HAR_HEADERS: list[dict[str, object]] = [
    {
        "name": "Authorization",
        "value": 'OAuth oauth_consumer_key="k4bghqddunxytt5x8p3qx9bf", '
        'oauth_token="tok987654", oauth_signature="c2lnbmF0dXJl"',
    },
    {"name": "proxy-authorization", "value": "Basic dXNlcjpwYXNzd29yZA=="},
    {"name": "Cookie", "value": "session=abc123xyz; theme=dark"},
    {"name": "Set-Cookie", "value": "sid=qwerty987; Path=/; Domain=.netflix.com; Max-Age=3600; HttpOnly"},
    {"name": "X-Api-Key", "value": "key-99999999"},
    {"name": "Content-Type", "value": "text/xml"},
    {"name": "X-Mashery-Error-Code", "value": "ERR_403_DEVELOPER_OVER_QPS"},
]


def test_redact_headers() -> None:
    redacted, secrets = redact_headers(HAR_HEADERS)
    assert [h["value"] for h in redacted] == [REDACTED] * 5 + ["text/xml", "ERR_403_DEVELOPER_OVER_QPS"]
    assert [h["name"] for h in redacted] == [h["name"] for h in HAR_HEADERS]  # keys kept
    assert HAR_HEADERS[0]["value"] != REDACTED  # the input is not modified
    # The parts that may be echoed elsewhere in the record are collected for scrubbing.
    assert {"tok987654", "c2lnbmF0dXJl", "dXNlcjpwYXNzd29yZA==", "abc123xyz", "qwerty987", "key-99999999"} <= secrets
    assert "k4bghqddunxytt5x8p3qx9bf" not in secrets


def test_oauth_header_parameters_are_also_secrets_decoded() -> None:
    """OAuth 1.0 header parameters are percent-encoded; a body echoes the signature decoded."""
    header = 'OAuth oauth_consumer_key="k1", oauth_signature="Zq%2Bsig%2F9%3D"'
    _, secrets = redact_headers([{"name": "Authorization", "value": header}])
    assert {"Zq%2Bsig%2F9%3D", "Zq+sig/9="} <= secrets
    assert scrub("signature Zq+sig/9= is wrong", secrets) == "signature REDACTED is wrong"


def test_header_secrets_of_a_record() -> None:
    headers = {"set-cookie": "sid=qwerty987; Path=/", "content-type": "text/xml", "x-api-key": "key-99999999"}
    assert header_secrets(headers) == {"sid=qwerty987; Path=/", "qwerty987", "key-99999999"}
    assert header_secrets({"content-type": "text/xml"}) == set()


def test_set_cookie_attributes_are_not_secrets() -> None:
    # Path, Domain and Max-Age describe the cookie; scrubbing them would garble hosts and numbers.
    _, secrets = redact_headers(HAR_HEADERS)
    assert not {".netflix.com", "3600", "/"} & secrets
    record = "GET https://api.netflix.com/catalog/titles?max_results=3600 sid=qwerty987"
    assert scrub(record, secrets) == ("GET https://api.netflix.com/catalog/titles?max_results=3600 sid=REDACTED")


def test_scrub_is_independent_of_secret_order() -> None:
    # Two secrets of the same length overlapping in the text: the output must not depend on which
    # one a set happens to yield first (outputs are deterministic, DOMAIN.md §6).
    text = "token abcd1234ef here"
    assert scrub(text, ["abcd1234", "cd1234ef"]) == scrub(text, ["cd1234ef", "abcd1234"])


def test_a_redactor_gives_the_module_answers_on_repeated_and_distinct_input() -> None:
    """More distinct parameter names and secrets than a Redactor remembers, then the same again: its
    redactions are the module functions' (which remember nothing)."""
    urls = [SEED_LOGIN, "/login?user=bob&password=hunter22", "http://user:pa55word@api.netflix.com/x?pa55word"]
    for i in range(SECRET_NAMES.entries // 20 + 5):  # twenty new names, forty new secrets each
        params = [f"p{i}x{j}_token=v{i}x{j}%2B{j}/x&q{j}=1" for j in range(20)]
        urls.append("/a?" + "&".join(params) + f"&oauth_token=tok{i % 30}%3D%3D")
    assert 2 * 20 * (len(urls) - 3) > SECRET_FORMS.entries
    redactor = Redactor()
    for url in urls + urls[::-1]:
        redacted, secrets = redactor.redact_url(url)
        assert (redacted, secrets) == redact_url(url), url
        body = f"<status><message>bad token {' '.join(sorted(secrets))} in {url}</message></status>"
        assert redactor.scrub(redactor.redact_text(body), secrets) == scrub(redact_text(body), secrets), url
