"""GroupKey, GroupStats and AnomalyGroup: one identity, one order, one accumulator for every stage."""

from __future__ import annotations

import pickle
import random

import orjson

from statuslens.transforms.model.causes import BurstCause, ConsumerShare, Episode, RateLimitCause
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats, OrderKey
from statuslens.transforms.model.records import AnnotatedRecord
from statuslens.transforms.model.timeline import Timeline
from tests.contract import GROUP_KEYS


def record(second: int, consumer: str | None = None, message: str | None = "Developer Over Qps") -> AnnotatedRecord:
    return AnnotatedRecord(
        f"2009-12-10T21:40:{second:02d}.000Z",
        "GET",
        f"http://api.netflix.com/catalog/people/{second}",
        "catalog/people/{id}",
        403,
        403,
        None,
        message,
        "gateway",
        None,
        "out_of_scope",
        [],
        None,
        consumer,
        f"a.log:{second}",
    )


def order(second: int, path: str = "a.log") -> OrderKey:
    return (1_260_481_200_000 + second * 1000, path, second)


def test_the_key_normalises_the_message_once_and_its_id_is_one_json_string() -> None:
    key = GroupKey.of("out_of_scope", 403, None, "  Developer   Over QPS. ", "GET", "catalog/people/{id}")
    assert key.message == "developer over qps"
    assert key.id == '["out_of_scope",403,null,"developer over qps","GET","catalog/people/{id}"]'
    assert GroupKey.of_record(record(1)) == key
    assert GroupKey.of("undocumented_code", 405, None, None, "GET", "oauth/login").message == ""


def test_a_key_read_back_from_json_is_the_key_it_was_written_from() -> None:
    group = AnomalyGroup.from_stats(GroupKey.of_record(record(1)), GroupStats().add(order(1), record(1), "why"))
    line = orjson.loads(orjson.dumps(group.to_json()))
    assert GroupKey.from_json(line) == group.key and GroupKey.from_json(line).id == group.id


def test_sort_order_puts_no_subcode_first_then_integers_then_text() -> None:
    def key(sub: int | str | None) -> GroupKey:
        return GroupKey("undocumented_subcode", 400, sub, "", "GET", "users/current")

    keys = [key("abc"), key(120), key(None), key(7), key("120")]
    assert [k.sub_code for k in sorted(keys, key=GroupKey.sort_key)] == [None, 7, 120, "120", "abc"]


def test_groups_sort_by_count_descending_then_by_key() -> None:
    def group(code: int, count: int) -> AnomalyGroup:
        stats = GroupStats()
        for second in range(count):
            stats.add(order(second), record(second), None)
        return AnomalyGroup.from_stats(GroupKey("undocumented_code", code, None, "", "GET", "x"), stats)

    groups = [group(418, 1), group(405, 1), group(500, 3)]
    assert [(g.key.status_code, g.count) for g in sorted(groups, key=AnomalyGroup.sort_key)] == [
        (500, 3),
        (405, 1),
        (418, 1),
    ]


def test_stats_merged_from_parts_equal_one_pass_over_all_records() -> None:
    samples = [(order(s, path), record(s, consumer=f"k{s % 3}"), f"e{s}") for s in range(20) for path in ("a", "b")]
    random.Random(7).shuffle(samples)
    one_pass = GroupStats()
    for sample in samples:
        one_pass.add(*sample)
    parts = [GroupStats(), GroupStats(), GroupStats()]
    for n, sample in enumerate(samples):
        parts[n % 3].add(*sample)
    merged = GroupStats.merged([parts[2], GroupStats.merged(parts[:2])])
    for stats in (one_pass, merged):
        assert stats.count == 40 and stats.consumers == {"k0", "k1", "k2"}
        assert stats.first == order(0, "a") and stats.last_ms == order(19)[0]
        assert [s[0] for s in stats.samples] == [order(0, "a"), order(0, "b"), order(1, "a")]
        assert stats.explanation == "e0" and stats.first_seen == "2009-12-10T21:40:00.000Z"
        assert stats.last_seen == "2009-12-10T21:40:19.000Z"
    assert merged.samples == one_pass.samples
    assert merged.timeline == one_pass.timeline and sum(merged.timeline.cells.values()) == 40  # the report's chart


def test_stats_and_records_survive_pickling_value_for_value_and_pickle_smaller_than_by_field_names() -> None:
    stats = GroupStats(limit=2)
    for second in (5, 3, 9):
        stats.add(order(second), record(second, consumer=f"k{second % 2}"), f"e{second}")
    back = pickle.loads(pickle.dumps(stats, protocol=pickle.HIGHEST_PROTOCOL))
    fields = ("limit", "count", "first", "last_ms", "consumers", "samples", "timeline")
    assert [getattr(back, name) for name in fields] == [getattr(stats, name) for name in fields]
    assert back.samples[0][1] == record(3, consumer="k1") and back.samples[0][1].to_dict() == record(3, "k1").to_dict()
    back.add(order(1), record(1), "e1")  # a restored accumulator keeps accumulating
    assert back.count == 4 and back.explanation == "e1" and stats.count == 3
    one = record(3)
    by_names = pickle.dumps((AnnotatedRecord, (), dict(vars(one))), protocol=pickle.HIGHEST_PROTOCOL)
    assert len(pickle.dumps(one, protocol=pickle.HIGHEST_PROTOCOL)) < len(by_names)


def test_an_anomaly_group_is_the_anomalies_jsonl_object() -> None:
    stats = GroupStats().add(order(2), record(2, "k1", "Developer  Over Qps"), "403 is documented only for All feeds.")
    stats.add(order(1), record(1, None, "developer over qps"), "first")
    group = AnomalyGroup.from_stats(GroupKey.of_record(record(1)), stats)
    doc = group.to_json()
    assert list(doc) == GROUP_KEYS
    assert doc["message"] == "developer over qps"  # as first seen (the earliest record's)
    assert (doc["causes"], doc["top_consumers"]) == ([], [])  # none given: empty lists, never absent
    assert (doc["count"], doc["consumers"], doc["explanation"]) == (2, 1, "first")
    assert [s["source"] for s in doc["samples"]] == ["a.log:1", "a.log:2"]
    assert orjson.dumps(doc["samples"][0]) == record(1, None, "developer over qps").to_json()


def test_a_group_writes_its_causes_and_top_consumers_after_the_explanation() -> None:
    stats = GroupStats().add(order(1), record(1, "k1", "Developer Over Qps"), "why")
    causes = (RateLimitCause(4, 1, 1.0, 7, Timeline.of_times([1])), BurstCause((Episode("a", "b", 5),)))
    group = AnomalyGroup.from_stats(GroupKey.of_record(record(1)), stats, causes, (ConsumerShare("k1", 1, 1.0),))
    doc = group.to_json()
    assert doc["causes"] == [
        {"cause": "rate_limit", "limit": 4, "records": 1, "share": 1.0, "peak_calls_per_second": 7},
        {"cause": "burst", "episodes": [{"start": "a", "end": "b", "records": 5}]},
    ]
    assert doc["top_consumers"] == [{"consumer": "k1", "records": 1, "share": 1.0}]
    assert "timeline" not in doc and group.timeline == stats.timeline  # the charts' data: never in the JSON
