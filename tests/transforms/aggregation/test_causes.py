"""The §8 rules on hand-made sequences, boundary cases first (DOMAIN.md §8)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from statuslens.transforms.aggregation.causes import CompactRecord, _round3, group_causes, top_consumers
from statuslens.transforms.model.causes import BurstCause, ConsumerShare, Episode, RateLimitCause, TransientCause
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.model.urls import url_path

T0 = 1_260_481_210_000  # 2009-12-10T21:40:10.000Z, a whole second
Run = list[tuple[int, str | None, str, str, int]]  # every record of a run: (time, consumer, method, url, code)


def lookups(run: Run) -> tuple[object, object]:
    """Brute-force lookups over a whole run, as the contract states them."""

    def calls(consumer: str, second: int) -> int:
        return sum(1 for t, c, _, _, _ in run if c == consumer and t // 1000 == second)

    def earliest(consumer: str, method: str, path: str, t: int) -> int | None:
        found = [
            u
            for u, c, m, url, code in run
            if c == consumer and m == method and url_path(url) == path and code < 400 and t < u <= t + 60_000
        ]
        return min(found) if found else None

    return calls, earliest


def causes(group: list[int], run: Run, limit: int = 4) -> tuple[object, ...]:
    """The causes of the run's records at `group` (indexes)."""
    calls, earliest = lookups(run)
    records = [CompactRecord(run[i][0], run[i][1], run[i][2], url_path(run[i][3])) for i in group]
    return group_causes(records, calls, earliest, limit)  # type: ignore[arg-type]


def test_url_path_ignores_scheme_host_query_and_fragment_and_decodes_nothing() -> None:
    assert url_path("http://api.netflix.com/oauth/login?x=1#f") == "/oauth/login"
    assert url_path("/oauth/login/?oauth_consumer_key=k") == "/oauth/login/"
    assert url_path("/a%20b") == "/a%20b"
    assert url_path("http://h?x=1") == ""
    assert url_path("/a#x?y") == "/a"


def test_rate_limit_when_exactly_half_of_the_consumer_records_are_over() -> None:
    # k1 makes 5 calls in one second (over 4); the group is one of them plus a k2 call alone.
    run: Run = [(T0 + i, "k1", "GET", "/catalog/people/1", 200) for i in range(4)]
    run += [(T0 + 900, "k1", "GET", "/catalog/people/1", 403), (T0 + 5000, "k2", "GET", "/catalog/people/1", 403)]
    assert causes([4, 5], run) == (RateLimitCause(limit=4, records=1, share=0.5, peak_calls_per_second=5),)


def test_a_rate_limit_cause_keeps_when_its_records_over_the_limit_came() -> None:
    """For the report's timeline: the times of the over-limit records, not the others."""
    run: Run = [(T0 + i, "k1", "GET", "/catalog/people/1", 200) for i in range(4)]
    run += [(T0 + 900, "k1", "GET", "/catalog/people/1", 403), (T0 + 5000, "k2", "GET", "/catalog/people/1", 403)]
    (rate,) = causes([4, 5], run)
    assert isinstance(rate, RateLimitCause) and rate.over_limit == Timeline.of_times([T0 + 900])


def test_no_rate_limit_just_under_half_or_at_the_limit() -> None:
    run: Run = [(T0 + i, "k1", "GET", "/a", 200) for i in range(4)]
    run += [(T0 + 900, "k1", "GET", "/a", 403)]
    run += [(T0 + 5000 + i * 1000, "k2", "GET", "/a", 403) for i in range(2)]
    assert causes([4, 5, 6], run) == ()  # 1 of 3 over
    at_limit: Run = [(T0 + i, "k1", "GET", "/a", 403) for i in range(4)]
    assert causes([0, 1, 2, 3], at_limit) == ()  # 4 calls is not more than 4


def test_a_burst_across_a_second_boundary_is_two_calendar_seconds() -> None:
    # 6 calls within 200 ms, but 3 before and 3 after the boundary: never more than 4 in a second.
    run: Run = [(T0 - 300 + i * 100, "k1", "GET", "/a", 403) for i in range(6)]
    assert not any(isinstance(c, RateLimitCause) for c in causes(list(range(6)), run))


def test_consumer_less_records_count_in_the_share_not_in_the_threshold() -> None:
    run: Run = [(T0 + i, "k1", "GET", "/a", 403) for i in range(5)] + [(T0 + 10_000, None, "GET", "/a", 403)]
    assert causes(list(range(6)), run)[0] == RateLimitCause(4, 5, 0.833, 5)


def test_a_group_without_consumers_has_neither_rate_limit_nor_transient() -> None:
    run: Run = [(T0, None, "GET", "/a", 405), (T0 + 1000, None, "GET", "/a", 200)]
    assert causes([0], run) == ()


def test_transient_retry_at_exactly_60_seconds_counts() -> None:
    run: Run = [(T0, "k1", "POST", "/oauth/login", 405), (T0 + 60_000, "k1", "POST", "/oauth/login?a=2", 200)]
    assert causes([0], run) == (TransientCause(records=1, share=1.0, median_retry_seconds=60.0),)


def test_transient_not_after_60_001_ms_nor_at_an_equal_time() -> None:
    late: Run = [(T0, "k1", "POST", "/oauth/login", 405), (T0 + 60_001, "k1", "POST", "/oauth/login", 200)]
    assert causes([0], late) == ()
    same: Run = [(T0, "k1", "POST", "/oauth/login", 200), (T0, "k1", "POST", "/oauth/login", 405)]
    assert causes([1], same) == ()


def test_a_retry_by_another_consumer_or_with_another_method_does_not_count() -> None:
    run: Run = [
        (T0, "k1", "POST", "/oauth/login", 405),
        (T0 + 1000, "k2", "POST", "/oauth/login", 200),
        (T0 + 2000, "k1", "GET", "/oauth/login", 200),
        (T0 + 3000, "k1", "POST", "/oauth/login", 405),  # a failure is not a success
    ]
    assert causes([0], run) == ()


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_delays() -> None:
    run: Run = []
    for i, delay in enumerate((1000, 2000, 3001, 9000)):
        t = T0 + i * 100_000
        run += [(t, "k1", "GET", f"/p/{i}", 500), (t + delay, "k1", "GET", f"/p/{i}?again", 200)]
    # earliest retry only: a second success later does not change the delay
    run.append((T0 + 1500, "k1", "GET", "/p/0", 200))
    assert causes([0, 2, 4, 6], run) == (TransientCause(4, 1.0, 2.5),)


def test_transient_at_exactly_half_with_odd_median() -> None:
    run: Run = [
        (T0, "k1", "GET", "/a", 503),
        (T0 + 1234, "k1", "GET", "/a", 304),
        (T0 + 500_000, "k1", "GET", "/b", 503),
    ]
    assert causes([0, 2], run) == (TransientCause(1, 0.5, 1.234),)


def test_burst_needs_80_percent_in_episodes_of_five() -> None:
    # 8 records in one episode (gaps of exactly 300 s stay together), 2 apart: 8 of 10 = 80%.
    run: Run = [(T0 + i * 300_000, None, "GET", "/a", 500) for i in range(8)]
    run += [(T0 + 10_000_000, None, "GET", "/a", 500), (T0 + 20_000_000, None, "GET", "/a", 500)]
    (burst,) = causes(list(range(10)), run)
    assert burst == BurstCause((Episode("2009-12-10T21:40:10.000Z", "2009-12-10T22:15:10.000Z", 8),))
    sparse: Run = run[:7] + [(T0 + 5_000_000 + i * 400_000, None, "GET", "/a", 500) for i in range(3)]
    assert causes(list(range(10)), sparse) == ()  # 7 of 10 < 80%


def test_burst_episodes_are_listed_largest_first_then_by_start_at_most_ten() -> None:
    run: Run = []
    for episode in range(12):
        size = 6 if episode in (3, 7) else 5
        run += [(T0 + episode * 10_000_000 + i, None, "GET", "/a", 500) for i in range(size)]
    (burst,) = causes(list(range(len(run))), run)
    assert isinstance(burst, BurstCause)
    assert [e.records for e in burst.episodes] == [6, 6] + [5] * 8
    assert burst.episodes[0].start < burst.episodes[1].start
    assert burst.episodes[2].start == "2009-12-10T21:40:10.000Z"


def test_causes_come_in_contract_order() -> None:
    run: Run = [(T0 + i, "k1", "GET", "/a", 403) for i in range(5)] + [(T0 + 2000, "k1", "GET", "/a", 200)]
    found = causes(list(range(5)), run)
    assert [type(c) for c in found] == [RateLimitCause, TransientCause, BurstCause]


def test_top_consumers_by_records_then_name_with_share_of_all_records() -> None:
    records = [CompactRecord(T0, c, "GET", "/a") for c in ["b", "a", "b", None, "c", "a", "b"]]
    assert top_consumers(records) == (
        ConsumerShare("b", 3, 0.429),
        ConsumerShare("a", 2, 0.286),
        ConsumerShare("c", 1, 0.143),
    )
    sixteen = [CompactRecord(T0, "a" if i == 0 else None, "GET", "/a") for i in range(16)]
    assert top_consumers(sixteen) == (ConsumerShare("a", 1, 0.062),)  # 0.0625: a half, to even
    many = [CompactRecord(T0, f"k{i}", "GET", "/a") for i in range(8)]
    assert [s.consumer for s in top_consumers(many)] == ["k0", "k1", "k2", "k3", "k4"]


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_a_share_is_the_exact_ratio_rounded_to_3_decimals_half_to_even(numerator: int, denominator: int) -> None:
    assert _round3(numerator, denominator) == float(round(Fraction(numerator, denominator), 3))


def test_a_share_exactly_half_way_rounds_to_the_even_thousandth() -> None:
    assert (_round3(1, 16), _round3(3, 16), _round3(1, 2000), _round3(3, 2000)) == (0.062, 0.188, 0.0, 0.002)
