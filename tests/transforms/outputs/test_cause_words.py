"""A group's causes and consumers in words: the issue's sentences, singular and plural, one per cause."""

from __future__ import annotations

from statuslens.transforms.model.causes import BurstCause, ConsumerShare, Episode, RateLimitCause, TransientCause
from statuslens.transforms.outputs.cause_words import (
    INTERMITTENT,
    cause_sentence,
    consumers_sentence,
    episode_span,
    limit_phrase,
    seconds_text,
)


def test_rate_limit_says_how_many_came_in_seconds_over_the_limit_and_the_peak() -> None:
    cause = RateLimitCause(limit=4, records=144, share=1.0, peak_calls_per_second=7)
    assert cause_sentence(cause, 144) == (
        "144 of 144 came in seconds where the consumer made more than 4 calls per second (peak 7)"
    )
    partial = RateLimitCause(limit=4, records=6, share=0.6, peak_calls_per_second=13)
    assert cause_sentence(partial, 10) == (
        "6 of 10 came in seconds where the consumer made more than 4 calls per second (peak 13)"
    )


def test_rate_limit_singular_one_record_and_a_limit_of_one_call() -> None:
    cause = RateLimitCause(limit=1, records=1, share=1.0, peak_calls_per_second=2)
    assert cause_sentence(cause, 1) == (
        "1 of 1 came in a second where the consumer made more than 1 call per second (peak 2)"
    )


def test_transient_says_how_many_were_retried_and_the_median_delay() -> None:
    cause = TransientCause(records=85, share=1.0, median_retry_seconds=1.0)
    assert cause_sentence(cause, 85) == "85 of 85 were retried successfully within a median 1.0 s: intermittent"
    slow = TransientCause(records=2, share=0.5, median_retry_seconds=30.25)
    assert cause_sentence(slow, 4) == "2 of 4 were retried successfully within a median 30.25 s: intermittent"


def test_transient_singular_has_no_median_of_one() -> None:
    cause = TransientCause(records=1, share=1.0, median_retry_seconds=60.0)
    assert cause_sentence(cause, 1) == "1 of 1 was retried successfully within 60.0 s: intermittent"


def test_seconds_keep_at_most_three_decimals() -> None:
    assert [seconds_text(s) for s in (1.0, 0.5, 1.125, 2.0004, 60)] == ["1.0", "0.5", "1.125", "2.0", "60.0"]


def test_burst_lists_each_episode_to_the_minute() -> None:
    episodes = (
        Episode("2009-12-10T14:00:05.000Z", "2009-12-10T14:03:59.999Z", 40),
        Episode("2009-12-10T18:20:00.000Z", "2009-12-10T18:21:00.000Z", 12),
        Episode("2009-12-10T20:00:00.000Z", "2009-12-10T20:04:00.000Z", 7),
        Episode("2009-12-11T09:15:00.000Z", "2009-12-11T09:15:30.000Z", 5),
    )
    assert cause_sentence(BurstCause(episodes), 64) == (
        "4 episodes: 2009-12-10 14:00\N{EN DASH}14:03, 2009-12-10 18:20\N{EN DASH}18:21, "
        "2009-12-10 20:00\N{EN DASH}20:04, 2009-12-11 09:15"
    )


def test_burst_singular_one_episode() -> None:
    one = BurstCause((Episode("2009-12-10T14:00:00.000Z", "2009-12-10T14:02:00.000Z", 5),))
    assert cause_sentence(one, 5) == "1 episode: 2009-12-10 14:00\N{EN DASH}14:02"


def test_an_episode_across_midnight_keeps_the_end_date() -> None:
    span = episode_span(Episode("2009-12-10T23:58:00.000Z", "2009-12-11T00:03:00.000Z", 9))
    assert span == "2009-12-10 23:58\N{EN DASH}2009-12-11 00:03"


def test_a_time_not_in_the_report_format_is_shown_as_written() -> None:
    assert episode_span(Episode("yesterday", "2009-12-10T14:02:00.000Z", 5)) == "yesterday\N{EN DASH}2009-12-10 14:02"


def test_one_consumer_with_half_or_more_is_said_first() -> None:
    top = (ConsumerShare("abc", 91, 0.91), ConsumerShare("def", 5, 0.05))
    assert consumers_sentence(top, 12, 100) == (
        "1 of 12 consumers sent 91% (consumer abc): likely a client bug rather than an API bug"
    )
    half = (ConsumerShare("abc", 2, 0.5), ConsumerShare("def", 1, 0.25))
    assert consumers_sentence(half, 3, 4) == (
        "1 of 3 consumers sent 50% (consumer abc): likely a client bug rather than an API bug"
    )


def test_the_only_consumer_is_not_called_a_client_bug() -> None:
    assert consumers_sentence((ConsumerShare("abc", 3, 1.0),), 1, 3) == "1 of 1 consumer sent 100% (consumer abc)"


def test_without_a_dominant_consumer_the_top_ones_are_listed_with_counts_and_shares() -> None:
    top = (ConsumerShare("abc", 4, 0.4), ConsumerShare("def", 3, 0.3), ConsumerShare("ghi", 1, 0.1))
    assert consumers_sentence(top, 5, 10) == "Top consumers of 5: abc 4 (40%), def 3 (30%), ghi 1 (10%)"


def test_no_top_consumers_says_nothing() -> None:
    assert consumers_sentence((), 12, 100) is None


def test_the_proposal_phrases() -> None:
    assert limit_phrase(4) == "more than 4 calls per second per consumer"
    assert limit_phrase(1) == "more than 1 call per second per consumer"
    assert INTERMITTENT == "intermittent: retried successfully"
