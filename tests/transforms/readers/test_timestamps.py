"""parse_time, TimeParser and format_time (DOMAIN.md §4 timestamp forms, §6 output form)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from statuslens.transforms.memo import NGINX_DAYS
from statuslens.transforms.model.times import format_time
from statuslens.transforms.readers.timestamps import TimeParser, parse_time

# 2009-12-10T21:40:10Z: the seed's oauth_timestamp=1260481210.
SEED_MS = 1_260_481_210_000


@pytest.mark.parametrize(
    ("value", "epoch_ms"),
    [
        ("2009-12-10T21:40:10Z", SEED_MS),
        ("2009-12-10T21:40:10z", SEED_MS),
        ("2009-12-10T21:40:10.123Z", SEED_MS + 123),
        ("2009-12-10T21:40:10.123456789Z", SEED_MS + 123),
        ("2009-12-10T22:40:10+01:00", SEED_MS),
        ("2009-12-10T16:40:10-05:00", SEED_MS),
        ("2009-12-10T16:40:10.5-0500", SEED_MS + 500),
        ("2009-12-10 21:40:10", SEED_MS),  # no offset: UTC
        (" 2009-12-10T21:40:10Z ", SEED_MS),
        # epoch seconds and milliseconds, as numbers and as digits
        (1260481210, SEED_MS),
        (1260481210.25, SEED_MS + 250),
        (1260481210123, SEED_MS + 123),
        ("1260481210", SEED_MS),
        ("1260481210.5", SEED_MS + 500),
        ("1260481210123", SEED_MS + 123),
        (0, 0),
        # nginx $time_local with offsets
        ("10/Dec/2009:21:40:10 +0000", SEED_MS),
        ("10/Dec/2009:22:40:10 +0100", SEED_MS),
        ("10/Dec/2009:16:40:10 -0500", SEED_MS),
        ("11/Dec/2009:03:10:10 +0530", SEED_MS),
        ("10/Dec/2009:21:40:10", SEED_MS),
        ("20/Jul/2009:22:59:26 +0000", 1_248_130_766_000),  # lnav's access_log sample
    ],
)
def test_parse_time(value: object, epoch_ms: int) -> None:
    assert parse_time(value) == epoch_ms
    times = TimeParser()
    assert times.parse(value) == epoch_ms and times.parse(value) == epoch_ms  # computed, then remembered


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "   ",
        "-",
        "1e10",
        "1.5.3",
        "2009-13-10T00:00:00Z",
        "2009-12-32T00:00:00Z",
        "32/Dec/2009:21:40:10 +0000",
        "31/Feb/2009:21:40:10 +0000",  # no such day: not rolled over into March
        "29/Feb/2009:21:40:10 +0000",
        "10/Foo/2009:21:40:10 +0000",
        "10/Dec/2009:25:40:10 +0000",
        "10/Dec/2009:21:40:10 +00",
        "10/Dec/2009:21:40:10 0000",
        "10/Dec/2009:21:40:10 +0000 extra",
        None,
        True,
        [],
        {"time": 1},
        float("nan"),
        float("inf"),
        10**20,
    ],
)
def test_parse_time_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_time(value)
    times = TimeParser()
    for _ in range(2):  # a refusal is not remembered as a time
        with pytest.raises(ValueError):
            times.parse(value)


def test_a_time_parser_agrees_with_parse_time_on_repeated_and_distinct_times() -> None:
    """More distinct dates than a TimeParser remembers, three seconds and two offsets of each, read
    twice in a shuffled order: every answer is parse_time's."""
    first = datetime(1900, 1, 1, tzinfo=timezone.utc)
    stamps = [
        f"{first + timedelta(days=day, seconds=second):%d/%b/%Y:%H:%M:%S} {offset}"
        for day in range(NGINX_DAYS.entries + 100)
        for second in (7, 4007, 80_007)
        for offset in ("+0000", "-0530")
    ]
    again = stamps[:]
    random.Random(3).shuffle(again)
    stamps += again
    times = TimeParser()
    for stamp in stamps:
        assert times.parse(stamp) == parse_time(stamp), stamp


def test_leap_day_exists_in_leap_years() -> None:
    assert format_time(parse_time("29/Feb/2008:00:00:00 +0000")) == "2008-02-29T00:00:00.000Z"


@pytest.mark.parametrize(
    ("epoch_ms", "text"),
    [
        (SEED_MS, "2009-12-10T21:40:10.000Z"),
        (SEED_MS + 7, "2009-12-10T21:40:10.007Z"),
        (SEED_MS + 999, "2009-12-10T21:40:10.999Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ],
)
def test_format_time(epoch_ms: int, text: str) -> None:
    assert format_time(epoch_ms) == text


@pytest.mark.parametrize(
    "value", ["2009-12-10T21:40:10.250Z", "10/Dec/2009:21:40:10 +0000", "1260481210250", 1260481210.25]
)
def test_round_trip_is_iso_utc_with_milliseconds(value: object) -> None:
    text = format_time(parse_time(value))
    assert text.startswith("2009-12-10T21:40:10.") and text.endswith("Z") and len(text) == 24
    assert parse_time(text) == parse_time(value)


def test_format_time_matches_datetime_across_the_whole_range() -> None:
    """format_time builds the time of day by arithmetic on a cached date: check it against datetime."""
    rng = random.Random(5)
    values = [0, -1, 86_399_999, -86_400_001, 1_260_481_210_000, -62_135_596_800_000, 253_402_300_799_999]
    values += [rng.randint(-62_135_596_800_000, 253_402_300_799_999) for _ in range(20_000)]
    for ms in values:
        seconds, millis = divmod(ms, 1000)
        stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
        assert format_time(ms) == f"{stamp.year:04d}-{stamp:%m-%dT%H:%M:%S}.{millis:03d}Z"
