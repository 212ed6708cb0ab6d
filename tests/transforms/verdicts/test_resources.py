"""split_url, generic_template and ResourceMatcher (DOMAIN.md §1 resources, §6 templates)."""

from __future__ import annotations

import pytest

from statuslens.transforms.memo import RESOURCE_PATHS
from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.resources import ResourceMatcher, generic_template, split_url

SEED_LOGIN = (
    "https://api-user.netflix.com/oauth/login?application_name=myApp&oauth_token=jfafgrb3cr5mdf5gtx8ht3d4"
    "&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
)


@pytest.mark.parametrize(
    ("url", "path", "query"),
    [
        (
            SEED_LOGIN,
            "oauth/login",
            "application_name=myApp&oauth_token=jfafgrb3cr5mdf5gtx8ht3d4&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf",
        ),
        ("http://api.netflix.com/catalog/people/12345", "catalog/people/12345", ""),
        ("http://api-public.netflix.com/catalog/titles/?term=star%20wars#top", "catalog/titles", "term=star%20wars"),
        ("/users/T1pYkT0/queues/instant?max_results=5", "users/T1pYkT0/queues/instant", "max_results=5"),
        ("users/T1pYkT0", "users/T1pYkT0", ""),
        ("http://api.netflix.com?output=json", "", "output=json"),
        ("http://api.netflix.com", "", ""),
        ("", "", ""),
    ],
)
def test_split_url(url: str, path: str, query: str) -> None:
    assert split_url(url) == (path, query)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("", "/"),
        ("health", "health"),
        ("v2/orders/12345", "v2/orders/{id}"),
        ("foo/T1pYkT0BcDeFgHiJkLmN0/bar", "foo/{token}/bar"),
        ("x/550e8400-e29b-41d4-a716-446655440000", "x/{token}"),
        ("x/" + "a" * 65, "x/{token}"),
        ("docs/getting_started_guide", "docs/getting_started_guide"),  # long but no digit: a word
        ("a/b/c/d/e/f/g/h/i/j/k/l/m/n", "a/b/c/d/e/f/g/h/i/j/k/l/…"),
    ],
)
def test_generic_template(path: str, template: str) -> None:
    assert generic_template(path) == template


@pytest.fixture(scope="module")
def matcher() -> ResourceMatcher:
    return ResourceMatcher(r.template for r in load_catalog().resources)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("users/current", ("users/current", True)),  # a literal segment beats {user_token}
        ("users/T1pYkT0", ("users/{user_token}", True)),
        ("users/T1pYkT0/queues/instant", ("users/{user_token}/queues/instant", True)),
        ("users/T1pYkT0/queues/disc/saved", ("users/{user_token}/queues/disc/saved", True)),
        ("users/T1pYkT0/ratings/title/actual", ("users/{user_token}/ratings/title/actual", True)),
        ("catalog/people/12345", ("catalog/people/{id}", True)),
        ("catalog/titles/movies/60021896/cast", ("catalog/titles/movies/{id}/cast", True)),
        (
            "catalog/titles/series/70136120/seasons/70136136/similars",
            ("catalog/titles/series/{id}/seasons/{id}/similars", True),
        ),
        ("oauth/clock/time", ("oauth/clock/time", True)),
        ("/catalog//titles/", ("catalog/titles", True)),
        # {id} only takes numbers; an unknown path gets a generic template, never the raw path's ids.
        ("catalog/people/T1pYkT0BcDeFgHiJkLmN0", ("catalog/people/{token}", False)),
        ("users/T1pYkT0/friends/98765", ("users/T1pYkT0/friends/{id}", False)),
    ],
)
def test_matcher(matcher: ResourceMatcher, path: str, expected: tuple[str, bool]) -> None:
    assert matcher.match(path) == expected
    assert matcher.match(path) == expected  # the cached answer is the same


def test_a_matcher_gives_the_same_templates_on_repeated_and_distinct_paths() -> None:
    """More distinct paths than a matcher remembers, among paths seen again and again."""
    matcher = ResourceMatcher(r.template for r in load_catalog().resources)
    for i in range(RESOURCE_PATHS.entries // 2 + 1000):  # two new paths each
        assert matcher.match(f"catalog/people/{i}") == ("catalog/people/{id}", True)
        assert matcher.match(f"users/T1pYkT0/friends/{i}") == ("users/T1pYkT0/friends/{id}", False)
        assert matcher.match("users/current") == ("users/current", True)
