"""Timeline: bucketed counts that merge like the other counts, whatever the order and the split."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from statuslens.transforms.model.timeline import MAX_BUCKETS, WIDTHS_MS, Timeline

T0 = 1_260_481_210_000  # 2009-12-10T21:40:10.000Z


def test_a_short_run_is_counted_per_second() -> None:
    timeline = Timeline.of_times([T0, T0 + 999, T0 + 1000, T0 + 9_500])
    assert timeline.width_ms == 1000
    assert list(timeline) == [((T0 // 1000,), 2), ((T0 // 1000 + 1,), 1), ((T0 // 1000 + 9,), 1)]


def test_a_longer_span_moves_up_the_ladder_until_it_fits() -> None:
    timeline = Timeline.of_times([T0, T0 + 200_000])  # 201 s: over 120 one-second buckets
    assert timeline.width_ms == 5_000
    day = Timeline.of_times([T0, T0 + 86_400_000])
    assert day.width_ms == 900_000 and (lambda s: s[1] - s[0] < MAX_BUCKETS)(day.span())


def test_labels_are_kept_and_totalled_by_position() -> None:
    second = T0 // 1000
    timeline = Timeline.of_seconds({(second, "documented", 200): 5, (second, "out_of_scope", 403): 2})
    assert timeline.totals(1) == {second: {"documented": 5, "out_of_scope": 2}}
    assert timeline.totals(2) == {second: {200: 5, 403: 2}}
    assert timeline.totals() == {second: {None: 7}}


def test_add_counts_one_time_and_coarsens_like_of_times() -> None:
    timeline = Timeline()
    times = [T0 + n * 7_000 for n in range(40)]  # 273 s
    for time_ms in times:
        timeline.add(time_ms)
    assert timeline == Timeline.of_times(times) and timeline.width_ms == 5_000


def test_fitted_and_at_level_are_copies_never_finer() -> None:
    timeline = Timeline.of_times([T0, T0 + 60_000])
    coarse = timeline.fitted(10)
    assert coarse.width_ms == 15_000 and timeline.width_ms == 1000
    assert sum(coarse.cells.values()) == 2
    assert coarse.at_level(0).width_ms == 15_000  # never finer than it is


def test_an_empty_timeline_merges_to_the_other() -> None:
    other = Timeline.of_times([T0, T0 + 300_000])
    assert Timeline().merge(other) == other and not Timeline() and Timeline().span() is None


@given(
    st.lists(st.integers(min_value=0, max_value=10 * 86_400_000), min_size=1, max_size=60),
    st.lists(st.integers(min_value=0, max_value=59), max_size=60),
)
def test_merging_parts_in_any_order_equals_counting_the_whole(times: list[int], cuts: list[int]) -> None:
    """Same buckets and counts whatever the split and the merge order: reports are the same bytes on any
    runner and worker count."""
    edges = sorted({0, len(times), *(c for c in cuts if c < len(times))})
    parts = [times[a:b] for a, b in pairwise(edges)]
    whole = Timeline.of_times(times)
    forward, backward = Timeline(), Timeline()
    for part in parts:
        forward.merge(Timeline.of_times(part))
    for part in reversed(parts):
        backward.merge(Timeline.of_times(part))
    assert forward == whole == backward
    assert sum(whole.cells.values()) == len(times)
    assert whole.width_ms in WIDTHS_MS
