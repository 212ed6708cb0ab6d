"""AnalyzeLogs, the shared composite, on a TestPipeline with the runner pinned."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import orjson
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator, Judgement
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.conftest import TEST_RUNNER

LOGIN_405 = (
    b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"https://api-user.netflix.com/oauth/login'
    b'?oauth_token=jfafgrb3cr5mdf5gtx8ht3d4&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf",'
    b'"status":405}'
)
LOGIN_405_LATER = LOGIN_405.replace(b"21:40:10", b"21:41:00").replace(b"k4bg", b"zzzz")
QUEUE_412_710 = (
    b'{"time":"2009-12-10T21:40:11Z","method":"POST","url":"http://api.netflix.com/users/T1pYkT0x/'
    b'queues/instant","status":412,"body":"<status><status_code>412</status_code><sub_code>710'
    b'</sub_code><message>Title already in queue</message></status>"}'
)
OVER_QPS = (
    b'{"time":"2009-12-10T21:40:12Z","method":"GET","url":"http://api.netflix.com/catalog/people/7",'
    b'"status":403,"body":"<h1>Developer Over Qps</h1>"}'
)
SUPPRESSED = (
    b'{"time":"2009-12-10T21:40:13Z","method":"GET","url":"http://api.netflix.com/users/current'
    b'?suppress_response_codes=true","status":200,"body":"<status><status_code>401</status_code>'
    b'<message>Access token is invalid</message></status>"}'
)


def _chunks() -> list[Chunk]:
    return [
        Chunk("a.jsonl", "jsonl", 1, (LOGIN_405, QUEUE_412_710, b"  ", b"not json")),
        Chunk("a.jsonl", "jsonl", 5, (OVER_QPS, SUPPRESSED, LOGIN_405_LATER)),
        Chunk("b.log.gz", "combined", 1, (Problem("truncated archive", b"1.2.3.4 - - [10/Dec", damage=True),)),
    ]


def _run(check: Any) -> None:
    with TestPipeline(runner=TEST_RUNNER) as pipeline:
        results = pipeline | beam.Create(_chunks()) | AnalyzeLogs(load_catalog(), annotated_mode="errors")
        check(results)


def test_anomaly_groups_are_counted_with_earliest_samples_and_explanations() -> None:
    def check(results: dict[str, Any]) -> None:
        summarized = results["anomalies"] | beam.Map(
            lambda g: (
                g.key.verdict,
                g.key.status_code,
                g.key.resource,
                g.count,
                g.consumers,
                g.first_seen,
                g.last_seen,
                [s.source for s in g.samples],
                g.explanation,
            )
        )
        assert_that(
            summarized,
            equal_to(
                [
                    (
                        "undocumented_code",
                        405,
                        "oauth/login",
                        2,
                        2,
                        "2009-12-10T21:40:10.000Z",
                        "2009-12-10T21:41:00.000Z",
                        ["a.jsonl:1", "a.jsonl:7"],
                        "405 is not in the table; the documented codes are "
                        "200, 201, 304, 400, 401, 403, 404, 412, 422, 500.",
                    ),
                    (
                        "out_of_scope",
                        403,
                        "catalog/people/{id}",
                        1,
                        0,
                        "2009-12-10T21:40:12.000Z",
                        "2009-12-10T21:40:12.000Z",
                        ["a.jsonl:5"],
                        "403 is documented only for All feeds; this request has no feed_token.",
                    ),
                ]
            ),
        )

    _run(check)


def test_counts_add_up_and_cover_every_item() -> None:
    def check(results: dict[str, Any]) -> None:
        def project(counts: Counts) -> dict[str, int]:
            return {
                "records_in": counts.records_in,
                "records_annotated": counts.records_annotated,
                "dead_letter": counts.dead_letter,
                "blank_lines": counts.blank_lines,
                "documented": counts.verdicts["documented"],
                "mismatch": counts.flags["http_status_mismatch"],
                "a_records": counts.inputs["a.jsonl"].records,
                "b_dead": counts.inputs["b.log.gz"].dead_letter,
            }

        assert_that(
            results["stats"] | beam.Map(project),
            equal_to(
                [
                    {
                        "records_in": 7,
                        "records_annotated": 5,
                        "dead_letter": 2,
                        "blank_lines": 1,
                        "documented": 2,
                        "mismatch": 1,
                        "a_records": 5,
                        "b_dead": 1,
                    }
                ]
            ),
            label="CheckCounts",
        )

    _run(check)


def test_dead_letters_name_source_and_reason_and_redact_raw() -> None:
    def check(results: dict[str, Any]) -> None:
        letters = results["dead_letter"] | beam.Map(lambda b: tuple(orjson.loads(b).values()))
        assert_that(
            letters,
            equal_to(
                [
                    ("a.jsonl:4", "not valid JSON: invalid literal, expected 'null'", "not json"),
                    ("b.log.gz", "truncated archive", "1.2.3.4 - - [10/Dec"),
                ]
            ),
        )

    _run(check)


def test_annotated_errors_mode_keeps_errors_anomalies_and_flags_only() -> None:
    def check(results: dict[str, Any]) -> None:
        records = results["annotated"] | beam.Map(lambda b: orjson.loads(b)["source"])
        # The documented 412/710 is an error (>= 400), so it is written; nothing else is documented.
        assert_that(records, equal_to(["a.jsonl:1", "a.jsonl:2", "a.jsonl:5", "a.jsonl:6", "a.jsonl:7"]))

    _run(check)


def test_annotated_records_never_carry_the_oauth_token() -> None:
    def check(results: dict[str, Any]) -> None:
        leaks = results["annotated"] | beam.Filter(lambda b: b"jfafgrb3cr5mdf5gtx8ht3d4" in b)
        assert_that(leaks, equal_to([]))

    _run(check)


def test_flagged_records_are_grouped_by_flag() -> None:
    def check(results: dict[str, Any]) -> None:
        flagged = results["flagged"] | beam.MapTuple(lambda flag, stats: (flag, stats.count, stats.records[0].source))
        assert_that(flagged, equal_to([("http_status_mismatch", 1, "a.jsonl:6")]))

    _run(check)


def test_dead_letters_and_unexpected_errors_are_beam_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    real_judge = Annotator.judge

    def judge(self: Annotator, raw: RawRecord) -> Judgement:
        if raw.http_status == 412:
            raise KeyError("a bug")
        return real_judge(self, raw)

    monkeypatch.setattr(Annotator, "judge", judge)  # the in-process runner uses this class
    pipeline = TestPipeline(runner=TEST_RUNNER)
    _ = pipeline | beam.Create(_chunks()) | AnalyzeLogs(load_catalog())
    result = pipeline.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
    # "not json" and the truncated archive are bad input; the 412 met a bug.
    assert counters["dead_letters"] == 3 and counters["unexpected_errors"] == 1
