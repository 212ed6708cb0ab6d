"""The stream's first-seen step: a group's `new_anomaly` alert once since the job started.

The alerts themselves are made by the pure rules of `window_lines.py`; this step only decides which
one is the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import apache_beam as beam
from apache_beam.coders import BooleanCoder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

__all__ = ["FirstSeenAlertFn"]


class FirstSeenAlertFn(beam.DoFn):
    """(group id, its `new_anomaly` alert from a window firing) -> the alert the first time a group
    is ever seen, e.g. ('["undocumented_code",405,null,"","GET","oauth/login"]', {"kind":
    "new_anomaly", …}); later firings of the group (in that window or another) say nothing.

    Runs in the global window so "first" means first since the job started; `known` seeds the
    groups a batch or cron run already reported (`--known anomalies.jsonl`), so a restart does not
    alert on everything again."""

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = frozenset(known)

    def process(
        self, element: tuple[str, Mapping[str, Any]], seen: Any = beam.DoFn.StateParam(SEEN)
    ) -> Iterator[Mapping[str, Any]]:
        key, alert = element
        if key in self.known or seen.read():
            return
        seen.write(True)
        yield alert
