"""The stream's alerts: first-seen groups (known ones never again) and calls over the rate limit."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats
from statuslens.transforms.model.records import AnnotatedRecord
from statuslens.transforms.streaming.beam_alerts import FirstSeenAlertFn
from statuslens.transforms.streaming.window_lines import new_anomaly_alert, rate_alert

WINDOW = {"window_start": "2009-12-10T21:40:00.000Z", "window_end": "2009-12-10T21:41:00.000Z", "pane": {}}


def record(code: int, message: str | None = None) -> AnnotatedRecord:
    return AnnotatedRecord(
        "2009-12-10T21:40:10.000Z",
        "GET",
        "https://api-user.netflix.com/oauth/login?oauth_token=REDACTED",
        "oauth/login",
        code,
        code,
        None,
        message,
        "none",
        None,
        "undocumented_code",
        [],
        None,
        "k1",
        "logs/access.log:7",
    )


def group(code: int, message: str | None = None) -> AnomalyGroup:
    sample = record(code, message)
    stats = GroupStats().add((1_260_481_210_000, "logs/access.log", 7), sample, f"{code} is not in the table.")
    return AnomalyGroup.from_stats(GroupKey.of_record(sample), stats)


def test_a_new_anomaly_alert_names_the_group_its_window_and_an_example() -> None:
    assert new_anomaly_alert(group(405, "Method  Not Allowed."), WINDOW) == {
        "kind": "new_anomaly",
        "verdict": "undocumented_code",
        "status_code": 405,
        "sub_code": None,
        "message": "Method  Not Allowed.",  # as first seen, not normalised
        "method": "GET",
        "resource": "oauth/login",
        "count": 1,
        "first_seen": "2009-12-10T21:40:10.000Z",
        "last_seen": "2009-12-10T21:40:10.000Z",
        "consumers": 1,
        "window_start": "2009-12-10T21:40:00.000Z",
        "window_end": "2009-12-10T21:41:00.000Z",
        "explanation": "405 is not in the table.",
        "example": "https://api-user.netflix.com/oauth/login?oauth_token=REDACTED",
        "causes": [],
        "top_consumers": [],
    }


def test_a_retimed_alert_also_says_when_on_the_log_s_own_clock() -> None:
    alert = new_anomaly_alert(group(405), WINDOW, first_ms=1_260_481_210_000, shift_ms=3_000)
    assert alert["first_seen"] == "2009-12-10T21:40:10.000Z"
    assert alert["first_seen_original"] == "2009-12-10T21:40:07.000Z"
    assert "first_seen_original" not in new_anomaly_alert(group(405), WINDOW, first_ms=1_260_481_210_000)


def test_known_groups_are_not_alerted_again() -> None:
    known = {group(418).id}
    with TestPipeline(runner="BundleBasedDirectRunner", options=PipelineOptions([])) as pipeline:
        alerts = (
            pipeline
            | beam.Create([group(405), group(405), group(418)])
            | beam.Map(lambda g: (g.id, new_anomaly_alert(g, WINDOW)))
            | beam.ParDo(FirstSeenAlertFn(known)).with_input_types(tuple[str, Any])
            | beam.Map(lambda a: a["status_code"])
        )
        assert_that(alerts, equal_to([405]))


def test_rate_alert_only_over_the_limit() -> None:
    assert rate_alert("k1", 1_260_481_210_000, 4, 0, 4) is None
    assert rate_alert("k1", 1_260_481_210_000, 7, 3, 4) == {
        "kind": "rate_limit",
        "consumer": "k1",
        "second": "2009-12-10T21:40:10.000Z",
        "calls": 7,
        "limit": 4,
        "over_qps_answers": 3,
        "throttled": True,
    }
    retimed = rate_alert("k1", 1_260_481_210_000, 7, 0, 4, shift_ms=-60_000)
    assert retimed is not None and retimed["second_original"] == "2009-12-10T21:41:10.000Z"
