"""A group's parts (records' stats, cause answers) held per bundle, packed and merged after the shuffle."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from statuslens.transforms.aggregation import group_parts
from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.aggregation.beam_causes import with_causes, without_causes
from statuslens.transforms.aggregation.cause_lookup import GroupAnswers
from statuslens.transforms.aggregation.group_parts import GroupParts, HeldGroups, merged_parts, packed
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog

KEY = tuple(GroupKey.of("out_of_scope", 403, None, "Developer Over Qps", "GET", "catalog/people/{id}"))


def _answers(*times: int) -> GroupAnswers:
    answers = GroupAnswers()
    for time_ms in times:
        for column, value in zip(answers._columns(), (time_ms, 7, 1, -1), strict=True):
            column.append(value)
    answers.names = {7: "k7"}
    return answers


def _sample(second: int) -> Any:
    line = (
        f'{{"time":"2009-12-10T21:40:{second:02d}Z","method":"GET","status":403,'
        f'"url":"http://api.netflix.com/catalog/people/{second}?oauth_consumer_key=k7",'
        '"body":"<h1>Developer Over Qps</h1>"}'
    ).encode()
    analyzer = ChunkAnalyzer(Annotator(load_catalog()), "none", DEFAULT_FIELD_MAP)
    ((key, sample),) = analyzer.analyze(Chunk("a.jsonl", "jsonl", second, (line,))).groups
    assert tuple(key) == KEY
    return sample


def test_a_bundle_holds_one_part_a_group_and_hands_each_on_once() -> None:
    held = HeldGroups()
    for second in (1, 2, 3):
        held.add(KEY, _sample(second))
    held.add(("other",), _sample(4))
    taken = dict(held.take())
    assert list(held.take()) == []  # handed on once
    parts = pickle.loads(taken[KEY])
    assert parts.stats.count == 3 and parts.answers is None and pickle.loads(taken[("other",)]).stats.count == 1


def test_a_bundle_is_full_at_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_parts, "HELD_GROUPS", 2)
    held = HeldGroups()
    held.add(("a",), _sample(1))
    held.add(("a",), _sample(2))
    assert not held.full
    held.add(("b",), _sample(3))
    assert held.full


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_parts_merge_to_one_group_in_any_order_and_inputs_are_only_read(order: tuple[int, ...]) -> None:
    first_answers, second_answers = _answers(1000), _answers(2000)
    answered = GroupParts(answers=_answers())
    answered.merge(GroupParts(answers=first_answers)).merge(GroupParts(answers=second_answers))
    assert list(first_answers.times) == [1000] and list(second_answers.times) == [2000]  # only read
    with_records, later = HeldGroups(), HeldGroups()
    with_records.add(KEY, _sample(1))
    later.add(KEY, _sample(2))
    values = [packed(answered), dict(with_records.take())[KEY], dict(later.take())[KEY]]
    merged = merged_parts(values[i] for i in order)
    assert merged.stats is not None and merged.answers is not None
    assert merged.stats.count == 2 and sorted(merged.answers.times) == [1000, 2000]


def test_answers_without_records_make_no_group_and_records_without_answers_have_no_causes() -> None:
    render = with_causes(4)
    assert list(render(KEY, [packed(GroupParts(answers=_answers(1000)))])) == []
    held = HeldGroups()
    held.add(KEY, _sample(3))
    ((_, value),) = held.take()
    (group,) = render(KEY, [value])
    assert group.count == 1 and group.causes == () and group.top_consumers == () and group.causes_known
    (unknown,) = without_causes(KEY, [value])
    assert unknown.count == 1 and not unknown.causes_known
