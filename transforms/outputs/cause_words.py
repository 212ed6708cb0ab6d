"""A group's causes and top consumers in words (DOMAIN.md §8), one plain sentence each, for the reports.

`cause_sentence` says one cause ("144 of 144 came in seconds where the consumer made more than 4 calls
per second (peak 7)"), `consumers_sentence` who sent the group's records ("1 of 12 consumers sent 91%
…"), `limit_phrase` and `INTERMITTENT` what a proposed table row adds to its message. Nothing is
escaped here: consumer ids come from logs, and each renderer escapes the whole sentence with its own
escaper.
"""

from __future__ import annotations

from collections.abc import Sequence

from statuslens.transforms.model.causes import (
    BurstCause,
    Cause,
    ConsumerShare,
    Episode,
    RateLimitCause,
    TransientCause,
)

__all__ = [
    "INTERMITTENT",
    "cause_sentence",
    "consumers_sentence",
    "episode_span",
    "limit_phrase",
    "seconds_text",
]

INTERMITTENT = "intermittent: retried successfully"
_DASH = "\N{EN DASH}"  # between an episode's start and end, as the issue writes it


def cause_sentence(cause: Cause, count: int) -> str:
    """One cause of a group of `count` records, in one sentence (no final period: a list item)."""
    if isinstance(cause, RateLimitCause):
        where = "seconds" if cause.records != 1 else "a second"
        return (
            f"{cause.records} of {count} came in {where} where the consumer made more than "
            f"{_calls(cause.limit)} per second (peak {cause.peak_calls_per_second})"
        )
    if isinstance(cause, TransientCause):
        were = "were" if cause.records != 1 else "was"
        # The median of one delay is that delay: say so plainly.
        within = "within a median" if cause.records != 1 else "within"
        return (
            f"{cause.records} of {count} {were} retried successfully {within} "
            f"{seconds_text(cause.median_retry_seconds)} s: intermittent"
        )
    return _burst(cause)


def _burst(cause: BurstCause) -> str:
    episodes = cause.episodes
    noun = "episode" if len(episodes) == 1 else "episodes"
    return f"{len(episodes)} {noun}: " + ", ".join(episode_span(e) for e in episodes)


def episode_span(episode: Episode) -> str:
    """`2009-12-10 14:00` en dash `14:03`: start and end to the minute, the end's date only when it
    differs, one time when both fall in the same minute."""
    start, end = _minute(episode.start), _minute(episode.end)
    if start == end:
        return start
    if start[:10] == end[:10] and len(end) == 16:
        end = end[11:]
    return f"{start}{_DASH}{end}"


def _minute(time: str) -> str:
    """`2009-12-10T14:03:59.120Z` -> `2009-12-10 14:03`; a text not in §6's format stays as it is."""
    if len(time) >= 16 and time[10] == "T" and time[13] == ":":
        return f"{time[:10]} {time[11:16]}"
    return time


def seconds_text(seconds: float) -> str:
    """`1.0`, `0.25`, `1.125`: the figure as anomalies.jsonl writes it (3 decimals at most)."""
    return repr(round(float(seconds), 3))


def limit_phrase(limit: int) -> str:
    """`more than 4 calls per second per consumer`: the limit as a proposed row names it."""
    return f"more than {_calls(limit)} per second per consumer"


def _calls(limit: int) -> str:
    return f"{limit} call" if limit == 1 else f"{limit} calls"


def consumers_sentence(top: Sequence[ConsumerShare], consumers: int, count: int) -> str | None:
    """Who sent a group of `count` records from `consumers` distinct consumers; None without `top`.

    When the top consumer sent at least half of the records (`2·k ≥ n`, as §8 compares), the
    sentence says so first: one client, most likely its bug rather than the API's. Otherwise the
    top consumers are listed with their records and shares.
    """
    if not top:
        return None
    consumers = max(consumers, len(top))
    first = top[0]
    if 2 * first.records >= count:
        noun = "consumer" if consumers == 1 else "consumers"
        text = f"1 of {consumers} {noun} sent {_percent(first.share)} (consumer {first.consumer})"
        return text + (": likely a client bug rather than an API bug" if consumers > 1 else "")
    listed = ", ".join(f"{c.consumer} {c.records} ({_percent(c.share)})" for c in top)
    return f"Top consumers of {consumers}: {listed}"


def _percent(share: float) -> str:
    return f"{share:.0%}"
