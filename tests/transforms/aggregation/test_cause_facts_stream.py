"""What the stream asks of the reworked `CauseFacts`: `seconds_over` (consumers named again from the
kept names) and `causes(only=)` (a firing's groups, over every call of the window so far)."""

from __future__ import annotations

import pickle
from array import array

import pytest

from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.model.causes import ConsumerShare
from statuslens.transforms.model.groups import GroupKey

T0 = 1_260_481_210_000  # a whole second


def _part(calls: list[tuple[str, int]], names: bool = True) -> CauseFacts:
    facts = CauseFacts()
    facts.add_calls([c for c, _ in calls], array("q", [t for _, t in calls]), [""] * len(calls), names=names)
    return facts


def test_seconds_over_names_each_consumer_second_over_the_limit_across_parts() -> None:
    # k1: 3 calls in T0's second in one part and 2 more in another; k2: 5 calls in the next second.
    first = _part([("k1", T0 + 10), ("k1", T0 + 20), ("k2", T0 + 1000), ("k1", T0 + 900)])
    second = _part([("k1", T0 + 999), ("k1", T0 + 500), *(("k2", T0 + 1001 + i) for i in range(4))])
    facts = CauseFacts().merge(pickle.loads(pickle.dumps(first))).merge(second)
    assert list(facts.seconds_over(4)) == [("k1", T0 // 1000, 5), ("k2", T0 // 1000 + 1, 5)]
    assert list(facts.seconds_over(5)) == []
    assert list(CauseFacts().seconds_over(0)) == []


def test_seconds_over_refuses_facts_without_the_consumers_names() -> None:
    with pytest.raises(ValueError, match="names=True"):
        list(_part([("k1", T0)], names=False).seconds_over(0))


def test_causes_only_answers_the_groups_asked_over_every_call() -> None:
    asked = GroupKey.of("undocumented_code", 504, None, None, "GET", "a")
    other = GroupKey.of("undocumented_code", 500, None, None, "GET", "b")
    facts = _part([("k1", T0 + i) for i in range(6)])  # 6 calls of k1 in one second
    facts.add_group_record(asked, T0, "k1", "/a")
    facts.add_group_record(other, T0 + 1, "k1", "/b")
    ((key, causes, top),) = facts.causes(4, only={asked})
    assert key == asked and top == (ConsumerShare("k1", 1, 1.0),)
    assert [(c.limit, c.records, c.peak_calls_per_second) for c in causes] == [(4, 1, 6)]
    assert {key for key, _, _ in facts.causes(4)} == {asked, other}
