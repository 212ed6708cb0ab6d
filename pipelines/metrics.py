"""Prometheus metrics in the node_exporter textfile format, for `--metrics-file` of cron and batch.

cron's file has the last run's figures (gauges) and the cumulative ones of its state (counters).
batch keeps no state, so its file has the same run gauges, without the new-groups gauge and the
counters, plus the run's anomaly groups (and how many of them an --expect file names).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statuslens.transforms.outputs.summary import time_filtered

__all__ = ["render_batch_metrics", "render_metrics"]


class _Lines:
    """The file's lines: per metric its HELP and TYPE, then one sample a line."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def metric(self, name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]) -> None:
        self.out.append(f"# HELP {name} {help_text}")
        self.out.append(f"# TYPE {name} {kind}")
        self.out.extend(f"{name}{labels} {_number(value)}" for labels, value in samples)

    def text(self) -> str:
        return "\n".join(self.out) + "\n"


def render_metrics(
    summary: dict[str, Any], new_groups: int, duration: float, last_success: float, totals: dict[str, Any]
) -> str:
    """cron's file: the run's figures (gauges) and the cumulative ones (counters), one sample per line."""
    lines = _Lines()
    _run_records(lines, summary)
    lines.metric("statuslens_run_new_groups", "gauge", "Anomaly groups first seen in the last run.", [("", new_groups)])
    _run_time(lines, duration, last_success)
    lines.metric(
        "statuslens_records_total", "counter", "Records read by all runs.", [("", totals.get("records_in", 0))]
    )
    lines.metric(
        "statuslens_dead_letters_total", "counter", "Dead letters of all runs.", [("", totals.get("dead_letter", 0))]
    )
    lines.metric(
        "statuslens_records_by_verdict_total",
        "counter",
        "Annotated records of all runs, by verdict.",
        [(f'{{verdict="{v}"}}', n) for v, n in sorted(totals.get("verdicts", {}).items())],
    )
    return lines.text()


def render_batch_metrics(
    summary: dict[str, Any], groups: Iterable[dict[str, Any]], duration: float, finished: float
) -> str:
    """batch's file: the run gauges cron writes, `filtered_out` when --since/--until were given, and
    the run's anomaly groups (`groups` as in anomalies.jsonl)."""
    lines = _Lines()
    _run_records(lines, summary)
    if time_filtered(summary):
        lines.metric(
            "statuslens_run_filtered_out",
            "gauge",
            "Records of the last run outside --since/--until.",
            [("", summary["filtered_out"])],
        )
    count = expected = 0
    for group in groups:  # one pass, one group at a time
        count += 1
        expected += "expected" in group
    lines.metric("statuslens_run_anomaly_groups", "gauge", "Anomaly groups of the last run.", [("", count)])
    lines.metric(
        "statuslens_run_expected_groups",
        "gauge",
        "Anomaly groups of the last run that the --expect file names.",
        [("", expected)],
    )
    _run_time(lines, duration, finished)
    return lines.text()


def _run_records(lines: _Lines, summary: dict[str, Any]) -> None:
    lines.metric(
        "statuslens_run_records",
        "gauge",
        "Records read by the last run (non-blank lines, HAR entries).",
        [("", summary["records_in"])],
    )
    lines.metric(
        "statuslens_run_dead_letters", "gauge", "Dead letters of the last run.", [("", summary["dead_letter"])]
    )
    lines.metric(
        "statuslens_run_records_by_verdict",
        "gauge",
        "Annotated records of the last run, by verdict.",
        [(f'{{verdict="{v}"}}', n) for v, n in summary["verdicts"].items()],
    )


def _run_time(lines: _Lines, duration: float, last_success: float) -> None:
    lines.metric("statuslens_run_duration_seconds", "gauge", "Wall time of the last run.", [("", duration)])
    lines.metric(
        "statuslens_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last successful run.",
        [("", last_success)],
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"
