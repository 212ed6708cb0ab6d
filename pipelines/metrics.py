"""Prometheus metrics in the node_exporter textfile format, for `statuslens cron --metrics-file`."""

from __future__ import annotations

from typing import Any

__all__ = ["render_metrics"]


def render_metrics(
    summary: dict[str, Any], new_groups: int, duration: float, last_success: float, totals: dict[str, Any]
) -> str:
    """The run's figures (gauges) and the cumulative ones (counters), one sample per line."""
    out: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} {kind}")
        out.extend(f"{name}{labels} {_number(value)}" for labels, value in samples)

    metric(
        "statuslens_run_records",
        "gauge",
        "Records read by the last run (non-blank lines, HAR entries).",
        [("", summary["records_in"])],
    )
    metric("statuslens_run_dead_letters", "gauge", "Dead letters of the last run.", [("", summary["dead_letter"])])
    metric(
        "statuslens_run_records_by_verdict",
        "gauge",
        "Annotated records of the last run, by verdict.",
        [(f'{{verdict="{v}"}}', n) for v, n in summary["verdicts"].items()],
    )
    metric("statuslens_run_new_groups", "gauge", "Anomaly groups first seen in the last run.", [("", new_groups)])
    metric("statuslens_run_duration_seconds", "gauge", "Wall time of the last run.", [("", duration)])
    metric(
        "statuslens_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last successful run.",
        [("", last_success)],
    )
    metric("statuslens_records_total", "counter", "Records read by all runs.", [("", totals.get("records_in", 0))])
    metric(
        "statuslens_dead_letters_total", "counter", "Dead letters of all runs.", [("", totals.get("dead_letter", 0))]
    )
    metric(
        "statuslens_records_by_verdict_total",
        "counter",
        "Annotated records of all runs, by verdict.",
        [(f'{{verdict="{v}"}}', n) for v, n in sorted(totals.get("verdicts", {}).items())],
    )
    return "\n".join(out) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"
