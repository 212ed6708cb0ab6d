"""The report's charts as data: the run's timeline by verdict and code, bursts, rate-limited records,
and a group's own timeline on the same buckets."""

from __future__ import annotations

from dataclasses import replace

from statuslens.transforms.model.causes import BurstCause, Episode, RateLimitCause
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.outputs.report_charts import CODES_SHOWN, TABLE_ROWS, build_charts, group_chart
from tests.transforms.outputs.report_samples import RECORD, group, record

S0 = 1_260_481_210  # 2009-12-10T21:40:10Z, in seconds


def run_timeline(cells: dict[tuple[int, str, int], int]) -> Timeline:
    return Timeline.of_seconds(cells)


def test_an_empty_run_has_no_charts() -> None:
    assert build_charts(Timeline(), []) is None


def test_every_verdict_has_a_series_over_the_runs_buckets() -> None:
    charts = build_charts(run_timeline({(S0, "documented", 200): 5, (S0 + 3, "undocumented_code", 418): 2}), [])
    assert charts is not None
    assert (charts.width_ms, charts.start, charts.buckets) == (1000, S0, 4)
    verdicts = dict(charts.verdicts)
    assert list(verdicts) == [
        "documented",
        "undocumented_code",
        "undocumented_subcode",
        "undocumented_message",
        "out_of_scope",
    ]
    assert verdicts["documented"] == (5, 0, 0, 0) and verdicts["undocumented_code"] == (0, 0, 0, 2)
    assert dict(charts.codes) == {"200": (5, 0, 0, 0), "418": (0, 0, 0, 2)}
    assert charts.bursts == (False,) * 4 and charts.over_limit == (0,) * 4
    assert charts.bucket_ms(3) == (S0 + 3) * 1000


def test_codes_beyond_the_most_frequent_are_other() -> None:
    cells = {(S0, "documented", 200 + n): 100 - n for n in range(CODES_SHOWN + 2)}
    charts = build_charts(run_timeline(cells), [])
    assert charts is not None
    names = [name for name, _ in charts.codes]
    assert names == [str(200 + n) for n in range(CODES_SHOWN)] + ["other"]
    assert dict(charts.codes)["other"] == (92 + 91,)


def test_bursts_and_over_limit_records_of_the_groups_fall_in_their_buckets() -> None:
    burst = BurstCause((Episode("2009-12-10T21:40:11.000Z", "2009-12-10T21:40:12.500Z", 5),))
    limited = RateLimitCause(4, 2, 1.0, 7, Timeline.of_times([(S0 + 2) * 1000, (S0 + 2) * 1000 + 10]))
    busy = replace(group(RECORD, record(time="2009-12-10T21:40:12.000Z")), causes=(limited, burst))
    charts = build_charts(run_timeline({(S0, "documented", 200): 1, (S0 + 4, "documented", 200): 1}), [busy])
    assert charts is not None and charts.buckets == 5
    assert charts.bursts == (False, True, True, False, False)
    assert charts.over_limit == (0, 0, 2, 0, 0)
    mine = group_chart(charts, busy)
    assert mine.counts == (1, 1, 0, 0, 0)  # the group's records: at S0 and S0 + 1 (report_samples' order keys)
    assert mine.bursts == charts.bursts and mine.over_limit == charts.over_limit


def test_the_table_version_has_at_most_table_rows_buckets() -> None:
    cells = {(S0 + 60 * n, "documented", 200): 1 for n in range(100)}  # 100 minutes
    charts = build_charts(run_timeline(cells), [])
    assert charts is not None and charts.table is not None
    assert charts.buckets <= 120 and charts.table.buckets <= TABLE_ROWS
    assert sum(dict(charts.table.verdicts)["documented"]) == 100 and charts.table.table is None
