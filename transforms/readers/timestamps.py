"""Timestamps in the forms logs carry (DOMAIN.md §4), as epoch milliseconds.

ISO 8601 (with `Z` or an offset), epoch seconds or milliseconds (number or digits), and nginx's
`10/Dec/2009:21:40:10 +0000`. (Output times are `model.times.format_time`'s.) `parse_time` computes
each time; a reader parses with its own `TimeParser`, which remembers nginx times and dates.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from statuslens.transforms.memo import NGINX_DAYS, NGINX_TIMES, BoundedMemo
from statuslens.transforms.model.numbers import is_ascii_number

__all__ = ["TimeParser", "parse_time"]

_MONTHS = {
    m: i
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)
}
# Epoch values above this are milliseconds (1e11 seconds is the year 5138).
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS_THRESHOLD = 100_000_000_000
_MIN_MS = -62_135_596_800_000  # 0001-01-01
_MAX_MS = 253_402_300_799_999  # 9999-12-31


def parse_time(value: object) -> int:
    """Epoch milliseconds of a log timestamp; ValueError when it is not one."""
    return _parse(value, _plain_nginx_ms)


class TimeParser:
    """`parse_time` for one reader, remembering nginx times and their dates: access logs repeat each
    second many times and span few days. Made with its line parser (in a DoFn's `setup()`)."""

    __slots__ = ("_days", "_times")

    def __init__(self) -> None:
        self._times: BoundedMemo[str, int] = BoundedMemo(NGINX_TIMES)
        self._days: BoundedMemo[str, int] = BoundedMemo(NGINX_DAYS)

    def parse(self, value: object) -> int:
        """Epoch milliseconds of a log timestamp; ValueError when it is not one."""
        return _parse(value, self._nginx_ms)

    def _nginx_ms(self, text: str) -> int:
        known = self._times.get(text)
        if known is None:
            known = self._times.put(text, _checked(_nginx_ms(text, self._days)), len(text))
        return known


def _parse(value: object, nginx_ms: Callable[[str], int]) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return _checked(_epoch_ms(float(value)))
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if len(text) >= 20 and text[2] == "/" and text[6] == "/" and text[11] == ":":
        return nginx_ms(text)
    if is_ascii_number(text.replace(".", "", 1)):
        return _checked(_epoch_ms(float(text)))
    return _checked(_iso_ms(text))


def _plain_nginx_ms(text: str) -> int:
    return _checked(_nginx_ms(text, None))


def _epoch_ms(number: float) -> int:
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite timestamp")
    return int(number) if abs(number) >= _MS_THRESHOLD else round(number * 1000)


def _nginx_ms(text: str, days: BoundedMemo[str, int] | None) -> int:
    """`10/Dec/2009:21:40:10 +0000` as epoch ms; `days` remembers each date's epoch seconds."""
    try:
        day_start = days.get(text[:11]) if days is not None else None
        if day_start is None:
            day, month, year = int(text[0:2]), _MONTHS[text[3:6]], int(text[7:11])
            # timegm would roll 31/Feb over into March: check the day against the month.
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise ValueError(f"not a date: {text!r}")
            day_start = calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0))
            if days is not None:
                days.put(text[:11], day_start, 1)
        hour, minute, second = int(text[12:14]), int(text[15:17]), int(text[18:20])
        rest = text[20:].strip()
        offset = 0
        if rest:
            sign = -1 if rest[0] == "-" else 1
            if rest[0] not in "+-" or len(rest) != 5 or not is_ascii_number(rest[1:]):
                raise ValueError(f"bad offset in {text!r}")
            offset = sign * (int(rest[1:3]) * 3600 + int(rest[3:5]) * 60)
        if not (hour < 24 and minute < 60 and second < 61):
            raise ValueError(f"not a time: {text!r}")
        seconds = day_start + hour * 3600 + minute * 60 + second - offset
    except (KeyError, ValueError, IndexError) as exc:
        raise ValueError(f"not an nginx time: {text!r}") from exc
    return seconds * 1000


def _iso_ms(text: str) -> int:
    candidate = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    try:
        stamp = datetime.fromisoformat(candidate)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return (stamp - _EPOCH) // timedelta(milliseconds=1)


def _checked(ms: int) -> int:
    if not _MIN_MS <= ms <= _MAX_MS:
        raise ValueError("timestamp out of range")
    return ms
