"""Causes on AnalyzeLogs' groups (DOMAIN.md §8), from facts spread over chunks and inputs."""

from __future__ import annotations

import pickle
from array import array
from typing import Any

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.cause_lookup import find_causes
from statuslens.transforms.model.causes import ConsumerShare, RateLimitCause, TransientCause
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.model.urls import url_path
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.conftest import TEST_RUNNER


def line(time: str, url: str, status: int, body: str | None = None, method: str = "GET") -> bytes:
    doc = f'{{"time":"2009-12-10T{time}Z","method":"{method}","url":"{url}","status":{status}'
    return (doc + (f',"body":"{body}"' if body else "") + "}").encode()


PEOPLE = "http://api.netflix.com/catalog/people/{}?oauth_consumer_key=k1"
LOGIN = "https://api-user.netflix.com/oauth/login?oauth_consumer_key=k2&oauth_nonce={}"


def _chunks() -> list[Chunk]:
    # k1: 4 documented 200s and one Over Qps 403 in the second 21:40:10, split over two chunks;
    # k2: a 405 on oauth/login, retried successfully 1.5 s later from another input.
    first = tuple(line(f"21:40:10.{i}00", PEOPLE.format(i), 200) for i in range(3))
    second = (
        line("21:40:10.800", PEOPLE.format(7), 200),
        line("21:40:10.900", PEOPLE.format(8), 403, "<h1>Developer Over Qps</h1>"),
        line("21:41:00.000", LOGIN.format("a"), 405),
    )
    other = (line("21:41:01.500", LOGIN.format("b"), 200),)
    return [
        Chunk("a.jsonl", "jsonl", 1, first),
        Chunk("a.jsonl", "jsonl", 4, second),
        Chunk("b.jsonl", "jsonl", 1, other),
    ]


def test_groups_carry_rate_limit_and_transient_causes_from_every_record_of_the_run() -> None:
    with TestPipeline(runner=TEST_RUNNER) as pipeline:
        results = pipeline | beam.Create(_chunks()) | AnalyzeLogs(load_catalog(), annotated_mode="none")
        summarized = results["anomalies"] | beam.Map(lambda g: (g.key.status_code, g.causes, g.top_consumers))
        assert_that(
            summarized,
            equal_to(
                [
                    (403, (RateLimitCause(4, 1, 1.0, 5),), (ConsumerShare("k1", 1, 1.0),)),
                    (405, (TransientCause(1, 1.0, 1.5),), (ConsumerShare("k2", 1, 1.0),)),
                ]
            ),
        )


def _facts(parts: list[tuple[int, str, str, int]], group: GroupKey) -> CauseFacts:
    facts = CauseFacts()
    times = array("q", [time_ms for time_ms, _, _, _ in parts])
    requests = [f"GET {url_path(url)}" if code < 400 else "" for _, _, url, code in parts]
    facts.add_calls(["k1"] * len(parts), times, requests)
    for time_ms, consumer, url, code in parts:
        if code >= 400:
            facts.add_group_record(group, time_ms, consumer, url)
    return facts


def test_facts_merge_in_any_order_to_the_same_causes_and_survive_pickling() -> None:
    group = GroupKey.of("undocumented_code", 504, None, None, "GET", "catalog/titles")
    rows = [(1000 * i, "k1", f"/catalog/titles?term={i}", 504 if i % 2 else 200) for i in range(12)]
    parts = [_facts(rows[i : i + 3], group) for i in range(0, 12, 3)]
    forward = CauseFacts()
    for part in parts:
        forward.merge(pickle.loads(pickle.dumps(part)))
    backward = CauseFacts()
    for part in reversed(parts):
        backward.merge(part)
    found: Any = list(find_causes(forward, 4))
    assert found == list(find_causes(backward, 4))
    ((key, causes, top),) = found
    assert key == group and causes[0] == TransientCause(5, 0.833, 1.0)  # each 504 but the last retried 1 s later
    assert top == (ConsumerShare("k1", 6, 1.0),)
    assert len(parts[0].calls) == 1 and parts[0].calls_of("k1") == 3  # a merge leaves a part as it was
