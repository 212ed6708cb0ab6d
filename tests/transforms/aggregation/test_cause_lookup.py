"""find_causes (the run's lookups answered from compressed parts, a consumer at a time) against the
brute-force lookups of test_causes.py, on random runs spread over parts, both search paths."""

from __future__ import annotations

import pickle
import random
from array import array

import numpy as np
import pytest

from statuslens.transforms.aggregation import cause_lookup
from statuslens.transforms.aggregation.cause_facts import CauseFacts, PackedPart
from statuslens.transforms.aggregation.cause_lookup import GroupAnswers, answer_groups, causes_of, find_causes
from statuslens.transforms.aggregation.causes import CompactRecord, group_causes, top_consumers
from statuslens.transforms.aggregation.request_keys import request_key, request_keys
from statuslens.transforms.model.causes import TransientCause
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.model.urls import url_path
from tests.transforms.aggregation.test_causes import T0, Run, lookups

GROUP = GroupKey.of("undocumented_code", 504, None, None, "GET", "catalog/titles")


def _facts(run: Run, chunks: int, seed: int) -> CauseFacts:
    """The run cut into `chunks` parts in a shuffled order (records of one consumer spread over parts);
    its 504s are the group's records."""
    order = list(range(len(run)))
    random.Random(seed).shuffle(order)
    facts = CauseFacts()
    for part in range(chunks):
        mine = [run[i] for i in order[part::chunks]]
        with_consumer = [r for r in mine if r[1]]
        chunk = CauseFacts()
        chunk.add_calls(
            [c for _, c, _, _, _ in with_consumer if c],
            array("q", [t for t, _, _, _, _ in with_consumer]),
            [f"{m} {url_path(url)}" if code < 400 else "" for _, _, m, url, code in with_consumer],
        )
        for t, c, _, url, code in mine:
            if code == 504:
                chunk.add_group_record(GROUP, t, c, url)
        facts.merge(chunk)
    return facts


def _random_run(rng: random.Random, consumers: int = 3) -> Run:
    run: Run = []
    names = [f"k{n}" for n in range(1, consumers + 1)]
    for _ in range(rng.randrange(20, 120)):
        t = T0 + rng.choice([0, 1, 999, 1000, 60_000, 60_001]) * rng.randrange(0, 3) + rng.randrange(0, 4000)
        consumer = rng.choice([*names, None])
        path = rng.choice(["/catalog/titles", "/catalog/titles/", "/users/1"])
        query = rng.choice(["", "?term=a", "?term=b"])
        run.append((t, consumer, rng.choice(["GET", "GET", "POST"]), path + query, rng.choice([200, 200, 504, 404])))
    return run


def _expected(run: Run) -> tuple[object, ...]:
    calls, earliest = lookups(run)
    records = [CompactRecord(t, c, m, url_path(url)) for t, c, m, url, code in run if code == 504]
    return group_causes(records, calls, earliest, 4), top_consumers(records)  # type: ignore[arg-type]


@pytest.mark.parametrize("consumers", [3, 40], ids=["few-consumers", "many-consumers-a-part"])
def test_causes_from_parts_equal_the_brute_force_lookups(consumers: int) -> None:
    rng = random.Random(7)
    checked = 0
    for trial in range(150):
        run = [r for r in _random_run(rng, consumers) if r[4] != 504 or r[2] == "GET"]  # the group's method is GET
        if not any(r[4] == 504 for r in run):
            continue
        found = list(find_causes(_facts(run, rng.randrange(1, 6), trial), 4))
        ((key, causes, top),) = found
        assert key == GROUP and (causes, top) == _expected(run), trial
        checked += 1
    assert checked > 100


def test_a_retry_exactly_60_s_later_counts_and_equal_times_or_another_consumer_do_not() -> None:
    titles = "http://api.netflix.com/catalog/titles?term={}"
    run: Run = [
        (T0, "k1", "GET", titles.format("a"), 504),
        (T0 + 60_000, "k1", "GET", titles.format("b"), 200),  # another query string, the same path: 60.000 s
        (T0 + 100_000, "k1", "GET", "/users/1", 504),
        (T0 + 100_000, "k1", "GET", "/users/1", 200),  # the same millisecond: no retry
        (T0 + 9, "k2", "GET", titles.format("a"), 504),
        (T0 + 10, "k3", "GET", titles.format("a"), 200),  # another consumer's success: no retry of k2's
        (T0 + 200_000, "k1", "GET", "/users/2", 504),
        (T0 + 200_002, "k1", "GET", "/users/2", 200),  # 2 ms
    ]
    for chunks in (1, 3, 8):
        ((_, causes, _),) = find_causes(_facts(run, chunks, chunks), 4)
        assert causes == (TransientCause(records=2, share=0.5, median_retry_seconds=30.001),)


def test_request_keys_depend_on_the_text_only_never_on_the_batch() -> None:
    texts = ["GET /a", "GET /a/" + "x" * 40, "POST /a", "GET /" + "é" * 300, "GET /a\x00", "GET /b", "GET /é"]
    texts += ["GET /" + "y" * 251, "GET /" + "y" * 252, "GET /" + "y" * 253, ""]  # 256 bytes and either side
    for batch in (texts, texts[:3], [t for t in texts if t.isascii()]):  # all-ASCII batches go another way
        together = request_keys(batch).tolist()
        alone = [int(request_keys([text])[0]) for text in batch]
        assert together == alone == [request_key(*t.split(" ", 1)) if t else 0 for t in batch]
    keys = request_keys(texts).tolist()
    assert len(set(keys[:-1])) == len(texts) - 1 and keys[-1] == 0  # distinct texts, distinct keys; "" is none


def test_request_keys_of_texts_one_character_apart_differ() -> None:
    base = "GET /users/T1L686w-zJdld63bmcKryC1s2hLwcymZ3H_GbyIru9gg/queues/instant"
    texts = [base[:at] + other + base[at + 1 :] for at in range(len(base)) for other in "Aa0_/é" if other != base[at]]
    assert len(set(request_keys([base, *texts]).tolist())) == len(texts) + 1


@pytest.mark.parametrize("buckets", [1, 3, 16])
def test_facts_cut_into_consumer_buckets_give_the_causes_of_the_whole(buckets: int) -> None:
    rng = random.Random(11)
    checked = 0
    for trial in range(60):
        run = [r for r in _random_run(rng) if r[4] != 504 or r[2] == "GET"]
        if not any(r[4] == 504 for r in run):
            continue
        facts = _facts(run, rng.randrange(1, 6), trial)
        merged: dict[GroupKey, GroupAnswers] = {}
        cut = list(facts.buckets(buckets))
        assert sum(len(part.calls) for _, part in cut) >= len(facts.calls) and len({at for at, _ in cut}) == len(cut)
        for _, part in cut:
            for group, answers in answer_groups(pickle.loads(pickle.dumps(part))):
                merged.setdefault(group, GroupAnswers()).merge(answers)
        ((key, causes, top),) = find_causes(facts, 4)
        assert list(merged) == [key] and causes_of(merged[key], 4) == (causes, top) == _expected(run), trial
        checked += 1
    assert checked > 40


def test_a_bucket_holds_only_its_consumers_calls_and_group_records() -> None:
    facts = CauseFacts()
    consumers = [f"k{i}" for i in range(40)]
    facts.add_calls(consumers, array("q", [T0 + i for i in range(40)]), [""] * 40)
    for i, consumer in enumerate(consumers):
        facts.add_group_record(GROUP, T0 + i, consumer, "/catalog/titles")
    facts.add_group_record(GROUP, T0, None, "/catalog/titles")
    cut = dict(facts.buckets(4))
    assert sorted(cut) == [0, 1, 2, 3]
    assert sum(part.calls_of(c) for part in cut.values() for c in consumers) == 40
    for at, part in cut.items():
        _, group_consumers, _ = part.groups.of(GROUP)
        assert all(who % 4 == at for who in group_consumers)
        assert set(part.groups.names.values()) == {c for c in consumers if part.calls_of(c)}
    assert sum(len(part.groups.of(GROUP)[0]) for part in cut.values()) == 41  # the consumer-less one in bucket 0


def test_pickled_facts_hold_their_calls_in_one_part_with_the_same_causes() -> None:
    rng = random.Random(5)
    run = [r for r in _random_run(rng) for _ in range(20)]
    facts = _facts(run, 6, 1)
    pickled = pickle.dumps(facts)
    back = pickle.loads(pickled)
    assert len(facts.calls) == 6 and len(back.calls) == 1
    assert isinstance(back.calls[0], PackedPart)  # decoded where it is read, not when unpickled
    twice = CauseFacts().merge(pickle.loads(pickled)).merge(pickle.loads(pickled))
    again = pickle.loads(pickle.dumps(twice))  # packed parts merged and pickled again
    assert [again.calls_of(c) for c in ("k1", "k2", "k3")] == [2 * facts.calls_of(c) for c in ("k1", "k2", "k3")]
    assert list(find_causes(back, 4)) == list(find_causes(facts, 4))
    assert [back.calls_of(c) for c in ("k1", "k2", "k3")] == [facts.calls_of(c) for c in ("k1", "k2", "k3")]


@pytest.mark.parametrize("size", [0, 1, 7])
def test_answers_survive_pickling_column_for_column_and_keep_growing(size: int) -> None:
    answers = GroupAnswers()
    for i in range(size):
        for column, value in zip(answers._columns(), (T0 + i, 1 + i % 3, i, -1 if i % 2 else 250 * i), strict=True):
            column.append(value)
    answers.names = {1 + k: f"k{k}" for k in range(min(size, 3))}
    back = pickle.loads(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL))
    assert [list(c) for c in back._columns()] == [list(c) for c in answers._columns()]
    assert back.names == answers.names and back.records() == answers.records()
    back.merge(answers)
    assert len(back.times) == 2 * size and len(answers.times) == size


def test_lookups_pack_ranks_in_order_and_refuse_what_would_overflow() -> None:
    high, low = np.array([0, 0, 1, 2], dtype=np.int64), np.array([0, 4, 0, 3], dtype=np.int64)
    packed = cause_lookup._packed(high, low, 5)
    assert packed.tolist() == [0, 4, 5, 13] and list(packed) == sorted(packed)
    with pytest.raises(ValueError, match="too many distinct lookups"):
        cause_lookup._packed(np.array([1 << 40], dtype=np.int64), np.array([0], dtype=np.int64), 1 << 22)
