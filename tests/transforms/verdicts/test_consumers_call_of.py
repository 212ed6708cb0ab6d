"""`ConsumerFinder.call_of`: the consumer and the URL path in one scan, always equal to the two
exact functions (`find` and `url_path`), whatever the URL (hypothesis over URL syntax)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.model.urls import url_path
from statuslens.transforms.verdicts.consumers import ConsumerFinder, ConsumerSource

FINDERS = (
    ConsumerFinder(),
    ConsumerFinder(ConsumerSource("query", "api_key")),
    ConsumerFinder(ConsumerSource("query", "a#b")),
)
# Pieces that move every branch: schemes, hosts, separators, escapes and the parameter names.
PIECES = st.sampled_from(
    [
        "http://",
        "https://h",
        "://",
        "/",
        "?",
        "&",
        "=",
        "#",
        "%",
        "%5F",
        "+",
        "a",
        "k1",
        "x/y",
        "oauth_consumer_key=",
        "oauth%5Fconsumer_key=",
        "api_key=",
        "a#b=",
        "oauth_consumer_key",
        "?oauth_consumer_key=",
        "&oauth_consumer_key=",
    ]
)


def _raw(url: str, authorization: str | None = None) -> RawRecord:
    return RawRecord(0, "GET", url, 200, authorization=authorization)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join), st.sampled_from([None, 'OAuth oauth_consumer_key="hk"']))
def test_call_of_equals_find_and_url_path(url: str, authorization: str | None) -> None:
    record = _raw(url, authorization)
    for finder in FINDERS:
        assert finder.call_of(record) == (finder.find(record), url_path(url)), url


def test_the_common_urls_take_the_quick_path_with_the_same_answers() -> None:
    finder = ConsumerFinder()
    cases = {
        "http://api.netflix.com/catalog/titles?term=a%20b&oauth_consumer_key=k1&oauth_signature=x%2B": (
            "k1",
            "/catalog/titles",
        ),
        "/users/T1/queues?oauth_consumer_key=k%2B2&x=1": ("k+2", "/users/T1/queues"),
        "http://h?oauth_consumer_key=k3#f": ("k3", ""),
        "/a?x=1?oauth_consumer_key=k4": (None, "/a"),  # a second '?' does not start a pair
        "/a?oauth_consumer_key=&oauth_consumer_key=k5": ("k5", "/a"),  # the first non-empty value
    }
    for url, expected in cases.items():
        assert finder.call_of(_raw(url)) == expected, url
