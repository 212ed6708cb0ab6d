"""parse_scope and Scope.matches: the "Applies to…" vocabulary of DOMAIN.md §1."""

from __future__ import annotations

import pytest

from statuslens.transforms.verdicts.scopes import RequestFacts, Scope, parse_scope

TEMPLATES = frozenset(
    {
        "catalog/titles",
        "catalog/people/{id}",
        "oauth/login",
        "oauth/request_token",
        "oauth/access_token",
        "users/current",
        "users/{user_token}/feeds",
        "users/{user_token}/queues/disc",
        "users/{user_token}/queues/instant",
        "users/{user_token}/ratings/title/actual",
    }
)
NAMED = {
    "All resources": Scope(kind="always", phrase="All resources"),
    "All resource collections": Scope(kind="collection", phrase="All resource collections"),
    "All feeds": Scope(kind="query_param", phrase="All feeds", param="feed_token"),
    "Login resources": Scope(kind="resources", phrase="Login resources", resources=("oauth/login",)),
    "OAuth and access token resources": Scope(
        kind="resources",
        phrase="OAuth and access token resources",
        resources=("oauth/request_token", "oauth/access_token"),
    ),
}


def facts(method: str, resource: str, params: tuple[str, ...] = (), collection: bool = False) -> RequestFacts:
    return RequestFacts(method=method, resource=resource, query_params=frozenset(params), is_collection=collection)


QUEUE_POST = facts("POST", "users/{user_token}/queues/instant", collection=True)
QUEUE_GET = facts("GET", "users/{user_token}/queues/instant", ("max_results",), collection=True)
DISC_POST = facts("POST", "users/{user_token}/queues/disc", collection=True)
PERSON_GET = facts("GET", "catalog/people/{id}")
FEED_GET = facts("GET", "users/{user_token}/feeds", ("feed_token",))
LOGIN_GET = facts("GET", "oauth/login", ("oauth_token", "oauth_consumer_key"))
TOKEN_GET = facts("GET", "oauth/access_token")
CURRENT_GET_MAX = facts("GET", "users/current", ("max_results",))


@pytest.mark.parametrize(
    ("phrase", "request_facts", "expected"),
    [
        ("All resources", PERSON_GET, True),
        ("All resources", QUEUE_POST, True),
        ("POSTs", QUEUE_POST, True),
        ("POSTs", QUEUE_GET, False),
        ("POSTs to users/{user_token}/queues/instant", QUEUE_POST, True),
        ("POSTs to users/{user_token}/queues/instant", QUEUE_GET, False),
        ("POSTs to users/{user_token}/queues/instant", DISC_POST, False),
        ("POSTs to users/{user_token}/queues/disc or users/{user_token}/queues/instant", DISC_POST, True),
        ("POSTs to users/{user_token}/queues/disc or users/{user_token}/queues/instant", QUEUE_POST, True),
        ("users/{user_token}/queues/instant", QUEUE_GET, True),  # a resource without a method: any method
        ("users/{user_token}/queues/instant", QUEUE_POST, True),
        ("users/{user_token}/ratings/title/actual", PERSON_GET, False),
        # Collections are decided by the resource, not by the presence of max_results.
        ("All resource collections", QUEUE_GET, True),
        ("All resource collections", CURRENT_GET_MAX, False),
        ("All feeds", FEED_GET, True),
        ("All feeds", PERSON_GET, False),
        ("Login resources", LOGIN_GET, True),
        ("Login resources", TOKEN_GET, False),
        ("OAuth and access token resources", TOKEN_GET, True),
        ("OAuth and access token resources", LOGIN_GET, False),
    ],
)
def test_scope_matches(phrase: str, request_facts: RequestFacts, expected: bool) -> None:
    assert parse_scope(phrase, NAMED, TEMPLATES).matches(request_facts) is expected


@pytest.mark.parametrize(
    ("phrase", "kind", "method", "resources"),
    [
        ("POSTs", "method", "POST", ()),
        ("posts", "method", "POST", ()),
        ("DELETEs to users/{user_token}/queues/disc", "resources", "DELETE", ("users/{user_token}/queues/disc",)),
        ("POSTs  to /users/{user_token}/queues/instant/", "resources", "POST", ("users/{user_token}/queues/instant",)),
        (
            "users/{user_token}/queues/disc, users/{user_token}/queues/instant",
            "resources",
            None,
            ("users/{user_token}/queues/disc", "users/{user_token}/queues/instant"),
        ),
    ],
)
def test_parse_scope_shapes(phrase: str, kind: str, method: str | None, resources: tuple[str, ...]) -> None:
    scope = parse_scope(phrase, NAMED, TEMPLATES)
    assert (scope.kind, scope.method, scope.resources) == (kind, method, resources)


def test_named_scope_is_returned_as_configured() -> None:
    assert parse_scope("All  feeds", NAMED, TEMPLATES) is NAMED["All feeds"]


@pytest.mark.parametrize("phrase", ["Some feeds", "POSTs to users/{user_token}/queues", "POSTs to"])
def test_unknown_phrase_raises_naming_it(phrase: str) -> None:
    with pytest.raises(ValueError, match="neither a named scope nor a template"):
        parse_scope(phrase, NAMED, TEMPLATES)


@pytest.mark.parametrize(
    ("phrase", "request_facts", "reason"),
    [
        ("POSTs", QUEUE_GET, "this request is a GET"),
        ("All resource collections", CURRENT_GET_MAX, "users/current is not a resource collection"),
        ("All feeds", PERSON_GET, "this request has no feed_token"),
        ("users/{user_token}/ratings/title/actual", PERSON_GET, "this request is for catalog/people/{id}"),
    ],
)
def test_why_not(phrase: str, request_facts: RequestFacts, reason: str) -> None:
    assert parse_scope(phrase, NAMED, TEMPLATES).why_not(request_facts) == reason
