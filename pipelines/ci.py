"""batch in CI and nightly checks (DOMAIN.md §10): the flags, their checks, and what a finished run
does with them — the metrics file, then the groups that fail the run (exit 3).

`--fail-on` is judged on the finished run's anomaly groups, after every output is written; a group
the --expect file names never fails a run. Each failing group is one line on stdout, in cron's line
format with `fail:` in front: `fail: out_of_scope 403 "Developer Over Qps" GET catalog/people/{id} (9)`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from statuslens.pipelines.atomic import write_after_commit
from statuslens.pipelines.metrics import render_batch_metrics
from statuslens.transforms.aggregation.time_filter import TimeFilter, parse_bound
from statuslens.transforms.errors import UsageError
from statuslens.transforms.outputs.expectations import Expectations, load_expectations
from statuslens.transforms.outputs.printable import one_line
from statuslens.transforms.verdicts.classify import DOCUMENTED, VERDICTS

__all__ = [
    "ANY",
    "CI_FLAGS",
    "EXIT_FAILING_GROUPS",
    "add_ci_arguments",
    "add_expect_argument",
    "expectations",
    "fail_line",
    "fail_on",
    "failing_groups",
    "finish",
    "group_line",
    "metrics_file",
    "time_filter",
]

EXIT_FAILING_GROUPS = 3
ANY = "any"
_ANOMALY_VERDICTS = tuple(v for v in VERDICTS if v != DOCUMENTED)
# (argparse dest, flag) of every flag add_ci_arguments adds: demo passes them on to batch.
CI_FLAGS = (
    ("fail_on", "--fail-on"),
    ("expect", "--expect"),
    ("since", "--since"),
    ("until", "--until"),
    ("metrics_file", "--metrics-file"),
)


def add_ci_arguments(parser: argparse.ArgumentParser) -> None:
    """--fail-on, --expect, --since, --until and --metrics-file (batch and demo)."""
    parser.add_argument(
        "--fail-on",
        dest="fail_on",
        action="append",
        default=None,
        metavar="VERDICT[,VERDICT…]|any",
        help="After writing every output, exit 3 when an anomaly group of these verdicts "
        f"({', '.join(_ANOMALY_VERDICTS)}; 'any' for all) is not expected, and print each such group on "
        "a line starting 'fail:'.",
    )
    add_expect_argument(parser)
    parser.add_argument(
        "--since",
        default=None,
        metavar="TIME",
        help="Annotate only records at or after this ISO 8601 time (e.g. 2026-12-01T00:00:00Z; no offset "
        "means UTC); the others are counted in summary.json's filtered_out.",
    )
    parser.add_argument(
        "--until",
        default=None,
        metavar="TIME",
        help="Annotate only records before this ISO 8601 time (excluded). Dead letters are never filtered.",
    )
    parser.add_argument(
        "--metrics-file",
        dest="metrics_file",
        default=None,
        metavar="FILE",
        help="After the run, write Prometheus metrics (node_exporter textfile format) to FILE, atomically.",
    )


def add_expect_argument(parser: argparse.ArgumentParser) -> None:
    """--expect FILE (batch, demo and cron)."""
    parser.add_argument(
        "--expect",
        default=None,
        metavar="FILE",
        help="YAML file of known anomaly groups: 'expected:' entries naming any of verdict, status_code, "
        "sub_code, message, method, resource, with a required reason and an optional until date. Expected "
        "groups stay in anomalies.jsonl (marked), get their own report section, are never proposed and "
        "never fail a run.",
    )


def fail_on(values: Sequence[str] | None) -> frozenset[str] | None:
    """The verdicts of --fail-on (repeatable, comma-separated; `any` is every anomaly verdict)."""
    if values is None:
        return None
    names = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not names:
        raise UsageError(f"--fail-on: expected VERDICT[,VERDICT…] or {ANY}")
    unknown = sorted(names - {ANY, *VERDICTS})
    if unknown:
        raise UsageError(f"--fail-on: unknown verdict {unknown[0]!r}; use {', '.join(_ANOMALY_VERDICTS)} or {ANY}")
    return frozenset(_ANOMALY_VERDICTS) if ANY in names else frozenset(names)


def expectations(path: str | None, today: datetime | None = None) -> Expectations | None:
    """The --expect file's entries that apply today (UTC); each expired entry is a warning on stderr."""
    if path is None:
        return None
    day = (today or datetime.now(timezone.utc)).date()
    found, warnings = load_expectations(path, day)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return found


def time_filter(since: str | None, until: str | None) -> TimeFilter | None:
    """The [since, until) range of --since/--until, None without either."""
    if since is None and until is None:
        return None
    bounds = []
    for flag, text in (("--since", since), ("--until", until)):
        try:
            bounds.append(None if text is None else parse_bound(text))
        except ValueError as exc:
            raise UsageError(f"{flag}: {exc}") from None
    try:
        return TimeFilter(bounds[0], bounds[1])
    except ValueError as exc:
        raise UsageError(f"--since {since!r} --until {until!r}: {exc}") from None


def metrics_file(path: str | None) -> Path | None:
    """--metrics-file as an absolute path whose folder exists (checked before the run, not after)."""
    if path is None:
        return None
    target = Path(path).absolute()
    if not target.parent.is_dir():
        raise UsageError(f"--metrics-file {path!r}: the folder {str(target.parent)!r} does not exist")
    return target


def failing_groups(groups: Iterable[dict[str, Any]], verdicts: frozenset[str]) -> list[dict[str, Any]]:
    """The groups (anomalies.jsonl objects, in its order) of those verdicts that are not expected."""
    return [g for g in groups if g["verdict"] in verdicts and "expected" not in g]


def group_line(label: str, group: dict[str, Any]) -> str:
    """`<label>: <verdict> <code>[/<sub>] "<message>" <method> <resource> (<count>)`, each field kept to
    one line: how batch's `fail:` and cron's `new:`/`baseline:`/`expected:` lines name a group."""
    sub = f"/{one_line(group['sub_code'])}" if group["sub_code"] is not None else ""
    return (
        f'{label}: {group["verdict"]} {one_line(group["status_code"])}{sub} "{one_line(group["message"])}" '
        f"{one_line(group['method'])} {one_line(group['resource'])} ({group['count']})"
    )


def fail_line(group: dict[str, Any]) -> str:
    """A group that fails the run (`--fail-on`), as its `fail:` line."""
    return group_line("fail", group)


def finish(
    summary: dict[str, Any],
    groups: Iterable[dict[str, Any]],
    verdicts: frozenset[str] | None,
    metrics: Path | None,
    started: float,
) -> int:
    """After a finished run: the metrics file, then one line per failing group; the exit status."""
    if metrics is not None:
        now = time.time()
        write_after_commit(
            "--metrics-file", metrics, render_batch_metrics(summary, groups, now - started, now).encode()
        )
    if verdicts is None:
        return 0
    failing = 0
    for group in groups:  # streamed: a group at a time, printed as it is found
        if group["verdict"] in verdicts and "expected" not in group:
            print(fail_line(group))
            failing += 1
    return EXIT_FAILING_GROUPS if failing else 0
