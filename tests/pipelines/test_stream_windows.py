"""The stream's windows on TestStream: empty firings, causes over the window so far, rate-limit
seconds at a window edge, retries across windows, and records still held when the input ends."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import orjson
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import BeamAssertException, assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from statuslens.pipelines.stream import StreamConfig, build_stream_graph
from statuslens.transforms.verdicts.catalog import load_catalog

from .test_stream_graph import OVER_QPS, T0, message

WINDOW = 60


def run(stream: TestStream, check: Any, early: float = 10, **settings: Any) -> None:
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    config = StreamConfig(
        **settings,
        subscription="unused",
        output="unused",
        catalog=load_catalog(),
        window_seconds=WINDOW,
        lateness_seconds=120,
        early_seconds=early,
    )
    with TestPipeline(runner="BundleBasedDirectRunner", options=options) as pipeline:
        check(build_stream_graph(pipeline | stream, config))


def test_an_empty_firing_writes_nothing_and_each_group_is_alerted_once_and_complete() -> None:
    stream = (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements([message(10, 405, "/oauth/login", rid="1"), message(12, 405, "/oauth/login", rid="2")])
        .advance_processing_time(15)  # an early firing takes both records
        .add_elements([message(20, 405, "/oauth/login", rid="3")])
        .advance_processing_time(15)  # a second early firing: the same group again, one record
        .advance_watermark_to(T0 + 65)  # the on-time firing finds nothing new
        .advance_watermark_to_infinity()
    )

    def check(out: dict[str, Any]) -> None:
        groups = out["window_groups"] | "Groups" >> beam.Map(lambda g: (g["pane"]["timing"], g["count"]))
        assert_that(groups, equal_to([("early", 2), ("early", 1)]), label="NoZeroGroupLine")
        summaries = out["summaries"] | "Summaries" >> beam.Map(lambda s: s["records_in"])
        assert_that(summaries, equal_to([2, 1]), label="NoEmptySummary")
        nulls = out["alerts"] | "Nulls" >> beam.Map(
            lambda a: (a["kind"], a["count"], sorted(k for k, v in a.items() if v is None))
        )
        # sub_code and message are null in the group itself (a 405 without a body), nothing else
        assert_that(nulls, equal_to([("new_anomaly", 2, ["message", "sub_code"])]), label="OneCompleteAlert")

    run(stream, check)


def test_causes_cover_the_window_so_far_and_a_burst_at_a_window_edge_is_judged_per_calendar_second() -> None:
    # consumer "edge": 5 calls in second 59 and 5 in second 60 (a window edge): over the limit in both;
    # consumer "split": 8 calls within one elapsed second, 4 in second 58 and 4 in second 59: never over.
    edge = [
        message(
            59 + i / 10 if i < 5 else 60 + (i - 5) / 10,
            403,
            f"/catalog/people/{i}",
            body=OVER_QPS,
            rid=f"e{i}",
            consumer="edge",
        )
        for i in range(10)
    ]
    times = [58.6, 58.7, 58.8, 58.9, 59.05, 59.15, 59.25, 59.35]
    split = [message(t, 200, f"/catalog/titles/movies/{i}", rid=f"s{i}", consumer="split") for i, t in enumerate(times)]
    stream = (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements(split[:4] + edge[:3])
        .advance_processing_time(15)  # early firing: 3 of second 59's 5 calls
        .add_elements(split[4:] + edge[3:])
        .advance_watermark_to_infinity()
    )

    def check(out: dict[str, Any]) -> None:
        rates = (
            out["alerts"]
            | "Rates" >> beam.Filter(lambda a: a["kind"] == "rate_limit")
            | "RateKeys" >> beam.Map(lambda a: (a["consumer"], a["second"], a["calls"], a["over_qps_answers"]))
        )
        assert_that(
            rates,
            equal_to(
                [
                    ("edge", "2009-12-10T21:40:59.000Z", 5, 5),
                    ("edge", "2009-12-10T21:41:00.000Z", 5, 5),
                ]
            ),
            label="OnePerOverLimitSecond",
        )
        causes = out["window_groups"] | "Causes" >> beam.Map(
            lambda g: (g["window_start"][14:16], g["pane"]["timing"], g["count"], g["causes"])
        )
        rate = {"cause": "rate_limit", "limit": 4, "records": 5, "share": 1.0, "peak_calls_per_second": 5}

        def burst(second: str) -> dict[str, Any]:
            start, end = f"2009-12-10T21:{second}.000Z", f"2009-12-10T21:{second}.400Z"
            return {"cause": "burst", "episodes": [{"start": start, "end": end, "records": 5}]}

        assert_that(
            causes,
            equal_to(
                [
                    ("40", "early", 3, []),  # 3 calls in second 59 so far: within the limit, no episode of 5
                    ("40", "on_time", 2, [rate, burst("40:59")]),  # the window so far: all 5 over
                    ("41", "on_time", 5, [rate, burst("41:00")]),
                ]
            ),
            label="CausesOverTheWindowSoFar",
        )

    run(stream, check)


def test_a_retry_counts_within_its_window_only_and_a_resent_record_is_dropped() -> None:
    stream = (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements(
            [
                message(30, 504, "/catalog/titles", rid="a"),
                message(31, 200, "/catalog/titles", rid="b"),  # retried 1 s later, same window: transient
                message(59.5, 405, "/oauth/login", rid="c"),
                message(60.5, 200, "/oauth/login", rid="d"),  # its retry is in the next window
            ]
        )
        .advance_watermark_to(T0 + 130)
        .add_elements([message(59.5, 405, "/oauth/login", rid="c")])  # re-sent after its window fired
        .advance_watermark_to_infinity()
    )

    def check(out: dict[str, Any]) -> None:
        causes = out["window_groups"] | "Causes" >> beam.Map(
            lambda g: (g["status_code"], [c["cause"] for c in g["causes"]])
        )
        assert_that(causes, equal_to([(504, ["transient"]), (405, [])]), label="RetriesPerWindow")
        assert_that(out["duplicates"], equal_to(["c"]), label="Resent")

    run(stream, check)


def test_records_still_held_when_the_input_ends_are_all_fired_and_counted_once() -> None:
    records = [message(5 + i, 200 if i % 3 else 405, "/oauth/login", rid=str(i)) for i in range(50)]
    stream = (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements(records[:20])
        .advance_processing_time(15)
        .add_elements(records[20:])  # no firing yet when the input ends: the end fires them
        .advance_watermark_to_infinity()
    )

    def check(out: dict[str, Any]) -> None:
        counted = out["summaries"] | "Counts" >> beam.Map(lambda s: s["records_in"])
        assert_that(counted, sums_to(50), label="AllCounted")
        logins = out["window_groups"] | "Logins" >> beam.Map(lambda g: g["count"])
        assert_that(logins, sums_to(17), label="GroupCounts")

    run(stream, check)


def sums_to(total: int) -> Any:
    def check(actual: list[int]) -> None:
        if sum(actual) != total:
            raise BeamAssertException(f"{actual} sums to {sum(actual)}, not {total}")

    return check


def test_field_map_and_log_format_reach_parsing_and_annotated_records_are_written_per_window() -> None:
    custom = orjson.dumps({"when": (T0 + 10) * 1000, "verb": "GET", "uri": "/oauth/login", "code": 405})
    documented = orjson.dumps({"when": (T0 + 11) * 1000, "verb": "GET", "uri": "/users/current", "code": 200})
    piped = b"198.51.100.1|10/Dec/2009:21:40:12 +0000|GET /oauth/login HTTP/1.1|405"  # matches no known format
    stamp = TimestampedValue
    stream = (
        TestStream(coder=beam.coders.PickleCoder())
        .advance_watermark_to(T0)
        .add_elements(
            [
                stamp((custom, {"id": "a", "fmt": "jsonl", "source": "x.log:1"}), T0 + 10),
                stamp((documented, {"id": "b", "fmt": "jsonl", "source": "x.log:2"}), T0 + 11),
                # no `fmt` (not from ship): the stream's --log-format says how to read it
                stamp((piped, {"id": "c", "source": "y.log:1"}), T0 + 12),
            ]
        )
        .advance_watermark_to_infinity()
    )

    def check(out: dict[str, Any]) -> None:
        assert_that(out["dead_letter"], equal_to([]), label="NothingDeadLettered")
        annotated = out["annotated"] | "Annotated" >> beam.Map(lambda line: orjson.loads(line)["source"])
        assert_that(annotated, equal_to(["x.log:1", "y.log:1"]), label="ErrorsOnly")  # --annotated errors

    fields = {"time": "when", "method": "verb", "status": "code"}
    piped_format = "$remote_addr|$time_local|$request|$status"
    run(stream, check, field_map=fields, log_format=piped_format, annotated_mode="errors")
