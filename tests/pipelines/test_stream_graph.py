"""The streaming graph on TestStream: windows, lateness, duplicates, poison records and alerts."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import orjson
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from statuslens.pipelines.stream import StreamConfig, build_stream_graph
from statuslens.transforms.verdicts.catalog import load_catalog

WINDOW, LATENESS = 60, 120
T0 = 1_260_481_200  # 2009-12-10T21:40:00Z, a window boundary


def message(
    second: float,
    status: int,
    url: str,
    *,
    body: str | None = None,
    rid: str,
    consumer: str = "k1",
    raw: bytes | None = None,
) -> TimestampedValue:
    record: dict[str, Any] = {
        "time": int((T0 + second) * 1000),
        "method": "GET",
        "url": f"{url}?oauth_consumer_key={consumer}",
        "status": status,
    }
    if body:
        record["body"] = body
    data = raw if raw is not None else orjson.dumps(record)
    attributes = {"id": rid, "source": f"logs/access.log:{rid}", "fmt": "jsonl", "ts": str(int((T0 + second) * 1000))}
    return TimestampedValue((data, attributes), T0 + second)


OVER_QPS = "<h1>403 Developer Over Qps</h1>"


def events() -> TestStream:
    burst = [
        message(
            30 + i / 10,
            403 if i >= 4 else 200,
            f"/catalog/people/{i}",
            body=OVER_QPS if i >= 4 else None,
            rid=f"b{i}",
            consumer="burst",
        )
        for i in range(7)
    ]
    calm = [message(40 + i / 10, 200, f"/catalog/people/{i}", rid=f"c{i}", consumer="calm") for i in range(4)]
    return (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements(
            [
                message(10, 405, "/oauth/login", rid="1"),
                message(20, 405, "/oauth/login", rid="2"),
                message(15, 200, "/x", rid="99", raw=b"this is not JSON"),
                message(20, 405, "/oauth/login", rid="2"),  # the shipper re-sent it: a duplicate
                *burst,
                *calm,
            ]
        )
        .add_elements([message(70, 405, "/oauth/login", rid="3")])
        .advance_watermark_to(T0 + 65)  # window [0, 60) fires on time
        .add_elements([message(50, 405, "/oauth/login", rid="4")])  # late, within the allowed lateness
        .advance_watermark_to(T0 + 200)  # window [0, 60) expired at 0 + 60 + 120
        .add_elements([message(45, 405, "/oauth/login", rid="5")])  # beyond the allowed lateness
        .advance_watermark_to_infinity()
    )


def run(check: Any) -> None:
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    config = StreamConfig(
        subscription="unused", output="unused", catalog=load_catalog(), window_seconds=WINDOW, lateness_seconds=LATENESS
    )
    with TestPipeline(runner="BundleBasedDirectRunner", options=options) as pipeline:
        check(build_stream_graph(pipeline | events(), config))


def test_groups_per_window_with_on_time_and_late_panes() -> None:
    def check(out: dict[str, Any]) -> None:
        logins = (
            out["window_groups"]
            | beam.Filter(lambda g: g["resource"] == "oauth/login")
            | beam.Map(
                lambda g: (
                    g["window_start"],
                    g["pane"]["timing"],
                    g["verdict"],
                    g["count"],
                    [s["source"] for s in g["samples"]],
                )
            )
        )
        first, second = "2009-12-10T21:40:00.000Z", "2009-12-10T21:41:00.000Z"
        assert_that(
            logins,
            equal_to(
                [
                    # on time: records 1 and 2 (the re-sent 2 dropped); then a late pane with record 4 alone
                    # (panes are increments: the window's group counts 3 in all)
                    (first, "on_time", "undocumented_code", 2, ["logs/access.log:1", "logs/access.log:2"]),
                    (first, "late", "undocumented_code", 1, ["logs/access.log:4"]),
                    (second, "on_time", "undocumented_code", 1, ["logs/access.log:3"]),
                ]
            ),
            label="CheckLoginGroups",
        )

    run(check)


def test_late_beyond_lateness_is_counted_not_dropped_and_duplicates_are_dropped() -> None:
    def check(out: dict[str, Any]) -> None:
        assert_that(
            out["late"] | beam.Map(lambda r: (r["source"], r["reason"])),
            equal_to([("logs/access.log:5", "later than the allowed lateness (120 s)")]),
            label="Late",
        )
        assert_that(out["duplicates"], equal_to(["2"]), label="Duplicates")
        letters = out["dead_letter"] | beam.Map(lambda b: orjson.loads(b)["source"])
        assert_that(letters, equal_to(["logs/access.log:99"]), label="Poison")

    run(check)


def test_first_seen_alert_fires_once_per_group_and_rate_limit_alerts_only_over_the_limit() -> None:
    def check(out: dict[str, Any]) -> None:
        summary = out["alerts"] | beam.Map(
            lambda a: (
                a["kind"],
                a.get("status_code"),
                a.get("resource"),
                a.get("consumer"),
                a.get("calls"),
                a.get("over_qps_answers"),
            )
        )
        assert_that(
            summary,
            equal_to(
                [
                    ("new_anomaly", 405, "oauth/login", None, None, None),
                    ("new_anomaly", 403, "catalog/people/{id}", None, None, None),
                    ("rate_limit", None, None, "burst", 7, 3),  # 7 calls in one second, 3 answered 403 Over Qps
                ]
            ),
        )

    run(check)
