"""The stream's alerts: a group seen for the first time, and a consumer over its calls per second.

`new_anomaly_alert` and `rate_alert` are the pure alert shapes; the DoFn and the composite around
them only decide when one is due.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.coders import BooleanCoder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.transforms.window import FixedWindows

from statuslens.transforms.model.groups import AnomalyGroup, normalize_message
from statuslens.transforms.model.times import format_time

__all__ = ["FirstSeenAlertFn", "RateLimitAlerts", "new_anomaly_alert", "rate_alert"]

OVER_QPS_CODE = "ERR_403_DEVELOPER_OVER_QPS"
OVER_QPS_MESSAGE = "developer over qps"


def new_anomaly_alert(group: AnomalyGroup, window: Mapping[str, Any]) -> dict[str, Any]:
    """The `new_anomaly` alert of a group first seen in `window` (its `window_start`/`window_end`):
    the group's key fields, when and where it was first seen, why, and one example URL."""
    return {
        "kind": "new_anomaly",
        **group.key_json(),
        "first_seen": group.first_seen,
        "window_start": window["window_start"],
        "window_end": window["window_end"],
        "explanation": group.explanation,
        "example": group.samples[0].url if group.samples else None,
    }


class FirstSeenAlertFn(beam.DoFn):
    """(group id, (AnomalyGroup, its window's fields)) -> one `new_anomaly` alert the first time a
    group is ever seen, e.g. ('["undocumented_code",405,null,"","GET","oauth/login"]', (group,
    {"window_start": "2009-12-10T21:40:00.000Z", "window_end": "2009-12-10T21:41:00.000Z", …})).

    Runs in the global window so "first" means first since the job started; `known` seeds the
    groups a batch or cron run already reported (`--known anomalies.jsonl`), so a restart does not
    alert on everything again."""

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = frozenset(known)

    def process(
        self,
        element: tuple[str, tuple[AnomalyGroup, Mapping[str, Any]]],
        seen: Any = beam.DoFn.StateParam(SEEN),
    ) -> Iterator[dict[str, Any]]:
        key, (group, window) = element
        if key in self.known or seen.read():
            return
        seen.write(True)
        yield new_anomaly_alert(group, window)


def rate_alert(consumer: str, second_ms: int, calls: int, over_qps: int, limit: int) -> dict[str, Any] | None:
    """The rate-limit alert for one consumer key in one calendar second, or None within the limit."""
    if calls <= limit:
        return None
    return {
        "kind": "rate_limit",
        "consumer": consumer,
        "second": format_time(second_ms),
        "calls": calls,
        "limit": limit,
        "over_qps_answers": over_qps,
        "throttled": over_qps > 0,
    }


class _CountCallsFn(beam.CombineFn):
    """(calls, Developer Over Qps answers) summed."""

    def create_accumulator(self) -> tuple[int, int]:
        return 0, 0

    def add_input(self, acc: tuple[int, int], value: tuple[int, int]) -> tuple[int, int]:
        return acc[0] + value[0], acc[1] + value[1]

    def merge_accumulators(self, accs: Iterable[tuple[int, int]]) -> tuple[int, int]:
        calls = qps = 0
        for a, b in accs:
            calls, qps = calls + a, qps + b
        return calls, qps

    def extract_output(self, acc: tuple[int, int]) -> tuple[int, int]:
        return acc


def _calls(record: bytes) -> Iterator[tuple[str, tuple[int, int]]]:
    doc = orjson.loads(record)
    if not doc.get("consumer"):
        return
    over_qps = doc.get("gateway_code") == OVER_QPS_CODE or (
        doc.get("status_code") == 403 and normalize_message(doc.get("message") or "") == OVER_QPS_MESSAGE
    )
    yield doc["consumer"], (1, int(over_qps))


class RateLimitAlerts(beam.PTransform):  # type: ignore[type-arg]
    """Annotated records -> a `rate_limit` alert per consumer key and calendar second over the limit
    (the catalog's calls_per_second: 4 for the Netflix API), with how many 403 Developer Over Qps
    answers came in that second."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def expand(self, records: Any) -> Any:
        limit = self.limit

        def to_alert(
            key: str, totals: tuple[int, int], window: Any = beam.DoFn.WindowParam
        ) -> Iterator[dict[str, Any]]:
            alert = rate_alert(key, int(window.start.micros // 1000), totals[0], totals[1], limit)
            if alert is not None:
                yield alert

        return (
            records
            | "CallsByConsumer" >> beam.FlatMap(_calls)
            | "CalendarSeconds" >> beam.WindowInto(FixedWindows(1))
            | "CountCalls" >> beam.CombinePerKey(_CountCallsFn())
            | "OverTheLimit" >> beam.FlatMapTuple(to_alert)
        )
