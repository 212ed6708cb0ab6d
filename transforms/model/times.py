"""The one time format of every output (DOMAIN.md §6): ISO 8601 UTC with milliseconds and `Z`."""

from __future__ import annotations

from datetime import datetime, timezone

from statuslens.transforms.memo import FORMATTED_DAYS, BoundedMemo

__all__ = ["format_time"]


def format_time(epoch_ms: int) -> str:
    """`1260481210000` -> `2009-12-10T21:40:10.000Z`.

    The date part of each day is formatted once and kept in the one module-level memo of the hot
    path: it is called from every stage (records, groups, windows), it holds at most 4,096 strings of
    11 characters (under 1 MiB with their keys), and a day's text never changes, so sharing it costs nothing.
    """
    days, millis = divmod(epoch_ms, 86_400_000)
    day = _DAYS.get(days)
    if day is None:
        stamp = datetime.fromtimestamp(days * 86_400, tz=timezone.utc)
        day = _DAYS.put(days, f"{stamp.year:04d}-{stamp:%m-%d}T", 1)  # %Y drops the zeros of years < 1000
    seconds, millis = divmod(millis, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{day}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


_DAYS: BoundedMemo[int, str] = BoundedMemo(FORMATTED_DAYS)
