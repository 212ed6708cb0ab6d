"""classify and explain: the verdict rules of DOMAIN.md §5 on the real bundled catalogs."""

from __future__ import annotations

import pytest

from statuslens.transforms.verdicts.catalog import Catalog, default_catalog_path, load_catalog, parse_catalog
from statuslens.transforms.verdicts.classify import VERDICTS, Verdict, classify, explain, request_independent
from statuslens.transforms.verdicts.resources import ResourceMatcher, split_url
from statuslens.transforms.verdicts.scopes import RequestFacts

# Real request URLs in the shapes of the seed page and its comments.
LOGIN = (
    "https://api-user.netflix.com/oauth/login?application_name=myApp&oauth_token=jfafgrb3cr5mdf5gtx8ht3d4"
    "&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf&oauth_timestamp=1260481210&oauth_nonce=4RiQMA"
)
INSTANT = "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/queues/instant?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
DISC = "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/queues/disc?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
PERSON = "http://api.netflix.com/catalog/people/30011713?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
FEED = "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/feeds?feed_token=Zq3kP9x2vB7mN4&output=atom"
TITLES = "http://api-public.netflix.com/catalog/titles?term=star%20wars&max_results=0"
CURRENT = "http://api.netflix.com/users/current?max_results=5"
RATE_ACTUAL = "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/ratings/title/actual?title_refs=x"
RATE_PREDICTED = "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/ratings/title/predicted?title_refs=x"
ACCESS_TOKEN = "http://api.netflix.com/oauth/access_token?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"

CATALOG_10 = load_catalog()
CATALOG_15 = load_catalog(default_catalog_path().with_name("netflix-api-1.5.yaml"))


def request(catalog: Catalog, method: str, url: str) -> RequestFacts:
    path, query = split_url(url)
    resource, _ = ResourceMatcher(r.template for r in catalog.resources).match(path)
    params = frozenset(pair.partition("=")[0] for pair in query.split("&") if pair)
    return RequestFacts(
        method=method, resource=resource, query_params=params, is_collection=resource in catalog.collections
    )


def verdict(
    method: str, url: str, code: int, sub: int | str | None, message: str | None, catalog: Catalog = CATALOG_10
) -> Verdict:
    return classify(catalog, code, sub, message, request(catalog, method, url))


# --- the seed's comments (DOMAIN.md §5 examples) -----------------------------------------------


@pytest.mark.parametrize("catalog", [CATALOG_10, CATALOG_15], ids=["1.0", "1.5"])
@pytest.mark.parametrize(
    ("method", "url", "code", "sub", "message", "expected"),
    [
        # Doug: 405 from oauth/login, not in the table at all.
        ("GET", LOGIN, 405, None, None, Verdict("undocumented_code")),
        # eddiewebb: 412/710 on the instant queue; the table lists it now.
        ("POST", INSTANT, 412, 710, "Title already in queue", Verdict("documented", "Title already in queue")),
        # ... and with the commenter's wording the message is not the documented one.
        ("POST", INSTANT, 412, 710, "disc already exists in queue", Verdict("undocumented_message")),
        # Edward Petersen: the gateway's <h1>Developer Over Qps</h1>; 403 is documented only for feeds.
        ("GET", PERSON, 403, None, "Developer Over Qps", Verdict("out_of_scope")),
        ("GET", FEED, 403, None, "Developer Over Qps", Verdict("undocumented_message")),
    ],
)
def test_seed_comment_cases(
    catalog: Catalog, method: str, url: str, code: int, sub: int | None, message: str | None, expected: Verdict
) -> None:
    assert verdict(method, url, code, sub, message, catalog) == expected


# --- one table per rule --------------------------------------------------------------------------


@pytest.mark.parametrize("code", [405, 429, 502, 503, 504, 100])
def test_rule_1_code_not_in_table(code: int) -> None:
    assert verdict("GET", TITLES, code, None, "Anything at all", CATALOG_10).verdict == "undocumented_code"


@pytest.mark.parametrize(
    ("code", "sub"),
    [
        (400, 999),
        (400, "999"),
        (412, 711),
        (404, 1),  # the code is documented but never with a subcode
        (400, "QUEUE_FULL"),
        (201, 641),
    ],
)
def test_rule_2_subcode_not_in_table(code: int, sub: int | str) -> None:
    assert verdict("POST", INSTANT, code, sub, "Title already in queue").verdict == "undocumented_subcode"


@pytest.mark.parametrize(
    ("method", "url", "code", "sub", "message", "expected"),
    [
        # With a sub_code the candidates are the rows with that (code, sub_code), whatever their scope.
        ("GET", TITLES, 400, 120, None, "documented"),  # All resource collections: catalog/titles is one
        ("GET", TITLES, 400, "120", None, "documented"),  # a text subcode from a body is the same subcode
        ("GET", CURRENT, 400, 120, None, "out_of_scope"),  # users/current is not a collection
        ("POST", INSTANT, 400, 130, None, "documented"),
        ("GET", INSTANT, 400, 130, None, "out_of_scope"),  # POSTs only
        # Without a sub_code: the rows of the code without a subcode ...
        ("POST", INSTANT, 201, None, None, "documented"),  # "POSTs", not the 640 row
        ("GET", INSTANT, 201, None, None, "out_of_scope"),
        # (All rows of the code when none lacks a subcode: the next test, on a catalog built for it.)
    ],
)
def test_rule_3_candidates_and_scope(
    method: str, url: str, code: int, sub: int | str | None, message: str | None, expected: str
) -> None:
    assert verdict(method, url, code, sub, message).verdict == expected


SUBCODE_ONLY = b"""\
schema: statuslens.catalog/v1
name: subcode-only
resources: [{template: "users/{user_token}/queues/instant", collection: true}, {template: users/current}]
scopes: {All resources: {match: always}}
statuses:
  - code: 412
    subcode: 710
    applies_to: "users/{user_token}/queues/instant"
    messages: [Title already in queue]
"""


@pytest.mark.parametrize(
    ("url", "message", "expected"),
    [
        (INSTANT, "Title already in queue", Verdict("documented", "Title already in queue")),
        (INSTANT, None, Verdict("documented", "Title already in queue")),
        (INSTANT, "Something else", Verdict("undocumented_message")),
        (CURRENT, "Title already in queue", Verdict("out_of_scope", "Title already in queue")),
        (CURRENT, None, Verdict("out_of_scope")),
    ],
)
def test_rule_3_no_subcode_falls_back_to_every_row_of_the_code(
    url: str, message: str | None, expected: Verdict
) -> None:
    catalog = parse_catalog(SUBCODE_ONLY, "subcode-only.yaml")
    assert verdict("POST", url, 412, None, message, catalog) == expected


@pytest.mark.parametrize(
    ("method", "url", "code", "sub", "message", "expected"),
    [
        # 4a. the message matches an in-scope row (after normalisation).
        ("GET", PERSON, 404, None, "resource NOT found.", Verdict("documented", "Resource not found")),
        ("GET", LOGIN, 401, None, "  Authorization   failed ", Verdict("documented", "Authorization failed")),
        ("GET", TITLES, 401, None, "Invalid signature", Verdict("documented", "Invalid signature")),
        ("GET", ACCESS_TOKEN, 401, None, "Consumer key mismatch", Verdict("documented", "Consumer key mismatch")),
        ("GET", FEED, 401, None, "Bad feed token", Verdict("documented", "Bad feed token")),
        ("GET", FEED, 403, None, "Invalid feed token", Verdict("documented", "Invalid feed token")),
        (
            "GET",
            TITLES,
            412,
            None,
            "Precondition failed. Resource has been modified.",
            Verdict("documented", "Precondition failed. Resource has been modified."),
        ),
        # 4b. it matches only a candidate whose scope does not cover the request.
        ("GET", PERSON, 401, None, "Bad feed token", Verdict("out_of_scope", "Bad feed token")),
        ("GET", PERSON, 401, None, "Authorization failed", Verdict("out_of_scope", "Authorization failed")),
        ("GET", PERSON, 403, None, "Invalid feed token", Verdict("out_of_scope", "Invalid feed token")),
        (
            "GET",
            INSTANT,
            400,
            None,
            "Cannot move a series parent title",
            Verdict("out_of_scope", "Cannot move a series parent title"),
        ),  # a GET, the row is for POSTs
        # 4c. no match, in-scope rows list messages -> undocumented_message.
        ("GET", PERSON, 404, None, "No such person", Verdict("undocumented_message")),
        ("GET", PERSON, 500, None, "Internal server error", Verdict("undocumented_message")),
        ("POST", RATE_ACTUAL, 422, None, "Rating out of range", Verdict("undocumented_message")),
        # 4d. in-scope rows exist but none lists a message (200's row) -> documented.
        ("GET", TITLES, 200, None, "OK", Verdict("documented")),
        # 4e. no in-scope row at all -> out_of_scope.
        ("POST", RATE_PREDICTED, 422, None, "Title has been rated", Verdict("out_of_scope")),
        ("GET", TITLES, 201, None, "Created", Verdict("out_of_scope")),
    ],
)
def test_rule_4_with_a_message(
    method: str, url: str, code: int, sub: int | None, message: str, expected: Verdict
) -> None:
    assert verdict(method, url, code, sub, message) == expected


@pytest.mark.parametrize(
    ("method", "url", "code", "sub", "expected"),
    [
        ("GET", TITLES, 200, None, Verdict("documented")),
        ("GET", PERSON, 404, None, Verdict("documented", "Resource not found")),
        ("GET", TITLES, 304, None, Verdict("documented", "Resource not modified")),
        # Several in-scope messages: no single catalog message to name.
        ("GET", LOGIN, 401, None, Verdict("documented")),
        ("POST", RATE_ACTUAL, 422, None, Verdict("documented", "Title has already been rated")),
        ("POST", RATE_PREDICTED, 422, None, Verdict("out_of_scope")),
        ("GET", PERSON, 403, None, Verdict("out_of_scope")),
        ("GET", FEED, 403, None, Verdict("documented", "Invalid feed token")),
        ("GET", DISC, 412, 710, Verdict("out_of_scope")),  # 1.0 documents 710 for the instant queue only
    ],
)
def test_rule_5_without_a_message(method: str, url: str, code: int, sub: int | None, expected: Verdict) -> None:
    assert verdict(method, url, code, sub, None) == expected
    assert verdict(method, url, code, sub, "") == expected  # an empty message is no message


def test_every_verdict_is_one_of_the_five() -> None:
    assert set(VERDICTS) == {
        "documented",
        "undocumented_code",
        "undocumented_subcode",
        "undocumented_message",
        "out_of_scope",
    }


# --- the API 1.5 edition ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "v10", "v15"),
    [
        # 1.5's "[PARAMETER_NAME] is invalid" takes any parameter name; 1.0's literal only itself.
        (
            "max_results is invalid",
            Verdict("undocumented_message"),
            Verdict("documented", "[PARAMETER_NAME] is invalid"),
        ),
        (
            "parameter name is invalid",
            Verdict("documented", "parameter name is invalid"),
            Verdict("documented", "[PARAMETER_NAME] is invalid"),
        ),
        ("is invalid", Verdict("undocumented_message"), Verdict("undocumented_message")),
    ],
)
def test_placeholder_message_editions(message: str, v10: Verdict, v15: Verdict) -> None:
    assert verdict("GET", TITLES, 400, None, message, CATALOG_10) == v10
    assert verdict("GET", TITLES, 400, None, message, CATALOG_15) == v15


@pytest.mark.parametrize(
    ("code", "sub", "message"),
    [
        (412, 710, "Title already in queue"),
        (400, 130, "Title not found or not available"),
        (400, 650, "Queue is too large"),
        (400, None, "Cannot move a series parent title"),
        (201, 640, "Only some titles in the series or disc set were added."),
    ],
)
def test_queue_rows_apply_to_the_disc_queue_in_15(code: int, sub: int | None, message: str) -> None:
    assert verdict("POST", DISC, code, sub, message, CATALOG_15).verdict == "documented"
    assert verdict("POST", INSTANT, code, sub, message, CATALOG_15).verdict == "documented"
    assert verdict("POST", DISC, code, sub, message, CATALOG_10).verdict != "documented"


def test_201_640_wording_differs_between_editions() -> None:
    old = "Only some titles in the set were added."
    new = "Only some titles in the series or disc set were added."
    assert verdict("POST", INSTANT, 201, 640, old, CATALOG_10).verdict == "documented"
    assert verdict("POST", INSTANT, 201, 640, new, CATALOG_10).verdict == "undocumented_message"
    assert verdict("POST", INSTANT, 201, 640, new, CATALOG_15).verdict == "documented"
    assert verdict("POST", INSTANT, 201, 640, old, CATALOG_15).verdict == "undocumented_message"


# --- explanations ----------------------------------------------------------------------------------


def explanation(method: str, url: str, code: int, sub: int | None, message: str | None) -> str:
    facts = request(CATALOG_10, method, url)
    found = classify(CATALOG_10, code, sub, message, facts)
    return explain(CATALOG_10, found.verdict, code, sub, message, facts)


@pytest.mark.parametrize(
    ("method", "url", "code", "sub", "message", "expected"),
    [
        (
            "GET",
            LOGIN,
            405,
            None,
            None,
            "405 is not in the table; the documented codes are 200, 201, 304, 400, 401, 403, 404, 412, 422, 500.",
        ),
        (
            "GET",
            TITLES,
            400,
            999,
            None,
            "400 is documented with subcodes 120, 130, 620, 650, 660, 690; subcode 999 is not.",
        ),
        ("GET", PERSON, 404, 7, None, "404 is documented with no subcode; subcode 7 is not."),
        (
            "POST",
            INSTANT,
            412,
            710,
            "disc already exists in queue",
            '412/710 for users/{user_token}/queues/instant documents "Title already in queue"; '
            'this response says "disc already exists in queue".',
        ),
        (
            "GET",
            PERSON,
            403,
            None,
            "Developer Over Qps",
            "403 is documented only for All feeds; this request has no feed_token.",
        ),
        (
            "GET",
            PERSON,
            401,
            None,
            "Bad feed token",
            '"Bad feed token" is documented for 401 only for All feeds; this request has no feed_token.',
        ),
        ("GET", INSTANT, 201, None, None, "201 is documented only for POSTs; this request is a GET."),
        (
            "GET",
            CURRENT,
            400,
            120,
            None,
            "400/120 is documented only for All resource collections; users/current is not a resource collection.",
        ),
        ("POST", INSTANT, 412, 710, "Title already in queue", "412/710 is documented for this request."),
    ],
)
def test_explain(method: str, url: str, code: int, sub: int | None, message: str | None, expected: str) -> None:
    assert explanation(method, url, code, sub, message) == expected


def test_explain_lists_at_most_four_documented_messages() -> None:
    text = explanation("GET", ACCESS_TOKEN, 401, None, "Token expired")
    # In scope: the 4 "All resources" messages, the 6 OAuth ones and "Invalid signature" -> 4 shown, then "…".
    assert text.startswith("401 for All resources and OAuth and access token resources documents ")
    assert text.count('"') == 2 * 4 + 2
    assert '; …; this response says "Token expired".' in text


@pytest.mark.parametrize("catalog", [CATALOG_10, CATALOG_15], ids=["1.0", "1.5"])
def test_request_independent_codes_get_one_verdict_for_every_request(catalog: Catalog) -> None:
    """The annotator skips path and query work for these codes: that must never change a verdict."""
    urls = [LOGIN, INSTANT, DISC, PERSON, FEED, TITLES, CURRENT, RATE_ACTUAL, ACCESS_TOKEN]
    requests = [request(catalog, method, url) for method in ("GET", "POST", "DELETE") for url in urls]
    keys = {(row.code, row.subcode) for row in catalog.rows} | {(row.code, None) for row in catalog.rows}
    keys |= {(405, None), (412, 999)}
    messages = [None, "Title already in queue", "Access token is invalid", "no such thing"]
    independent = dependent = 0
    for code, sub in sorted(keys, key=str):
        if not request_independent(catalog, code, sub):
            dependent += 1
            continue
        independent += 1
        for message in messages:
            verdicts = [classify(catalog, code, sub, message, r) for r in requests]
            found = {(v.verdict, v.catalog_message) for v in verdicts}
            assert len(found) == 1, (code, sub, message, found)
    assert independent >= 5 and dependent >= 5  # both kinds exist in the real catalogs


def test_request_independent_is_false_where_scope_decides() -> None:
    assert request_independent(CATALOG_10, 200, None)
    assert request_independent(CATALOG_10, 405, None)  # rule 1 decides
    assert not request_independent(CATALOG_10, 403, None)  # 403 is documented for feeds only
    assert verdict("GET", PERSON, 403, None, None) != verdict("GET", FEED, 403, None, None)
