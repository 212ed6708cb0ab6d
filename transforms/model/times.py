"""The one time format of every output (DOMAIN.md §6): ISO 8601 UTC with milliseconds and `Z`."""

from __future__ import annotations

from datetime import datetime, timezone

from statuslens.transforms.memo import BoundedMemo

__all__ = ["format_time"]


def format_time(epoch_ms: int) -> str:
    """`1260481210000` -> `2009-12-10T21:40:10.000Z`."""
    days, millis = divmod(epoch_ms, 86_400_000)
    day = _DAYS.get(days)
    if day is None:
        stamp = datetime.fromtimestamp(days * 86_400, tz=timezone.utc)
        day = _DAYS.put(days, f"{stamp.year:04d}-{stamp:%m-%d}T", 1)  # %Y drops the zeros of years < 1000
    seconds, millis = divmod(millis, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{day}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


# The date part of each day formatted once.
_DAYS: BoundedMemo[int, str] = BoundedMemo(4096, 4096)
