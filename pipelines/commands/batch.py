"""`statuslens batch`: analyse log files once, write the results to a folder, print the summary."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from statuslens.pipelines import ci, flags
from statuslens.pipelines.batch import BatchConfig, expand_inputs, run_batch
from statuslens.transforms.outputs.printable import one_line
from statuslens.transforms.outputs.summary import time_filtered

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "FAILURE",
    "FINISHED_ON_RETURN",
    "HELP",
    "NAME",
    "add_arguments",
    "config_from",
    "print_summary",
    "run",
    "warn_damaged_inputs",
]

NAME = "batch"
HELP = "Analyse log files once and write the results to a folder."
DESCRIPTION = (
    "Analyse log files (JSON lines, nginx/Apache lines, HAR; "
    "plain, gzip, bzip2 or xz) and write the results to --output."
)
EPILOG: str | None = (
    "Exit status: 0 the run finished, 1 it failed, 2 usage error, 3 an anomaly group of a --fail-on "
    "verdict that --expect does not name (outputs written). " + flags.BEAM_FLAGS_EPILOG
)
FAILURE = "the run failed"
FINISHED_ON_RETURN = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="GLOB",
        help="Log files to read: a path or glob, local or on any Beam filesystem (gs://…). "
        "Repeat for several. Format and compression (gzip, bzip2, xz) are detected "
        "per file.",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="Folder for summary.json, anomalies.jsonl, annotated/, dead_letter/, report.md and report.html.",
    )
    flags.add_analysis_arguments(parser)
    parser.add_argument(
        "--overwrite",
        action="store_true",
        default=False,
        help="Replace the previous statuslens outputs in a non-empty --output folder "
        "(other files there are left alone).",
    )
    parser.add_argument(
        "--no-causes",
        dest="causes",
        action="store_false",
        default=True,
        help="Do not look for why groups happen (rate_limit, transient, burst) or who sends them: every "
        "group's causes and top_consumers are null (not computed) and the reports say nothing of them. "
        "Saves their cost (each call's consumer, time and request are kept until the end of the run).",
    )
    ci.add_ci_arguments(parser)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> BatchConfig:
    return BatchConfig(
        inputs=expand_inputs(flags.required(args.input, "--input")),
        output=flags.required(args.output, "--output"),
        catalog=flags.catalog(args.catalog),
        log_format=flags.log_format(args.log_format),
        field_map=flags.field_map(args.field_map),
        annotated=args.annotated,
        overwrite=args.overwrite,
        time_filter=ci.time_filter(args.since, args.until),
        expectations=ci.expectations(args.expect),
        fail_on=ci.fail_on(args.fail_on),
        metrics_file=ci.metrics_file(args.metrics_file),
        causes=args.causes,
    )


def run(config: BatchConfig, beam_args: list[str]) -> int:
    started = time.time()
    result = run_batch(config, beam_args)
    print_summary(result.summary, config.output)
    return ci.finish(result.summary, result.groups, config.fail_on, config.metrics_file, started)


def warn_damaged_inputs(summary: dict[str, Any]) -> None:
    """One `warning: damaged input PATH: REASON` line on stderr per damaged input of a run's summary."""
    for info in summary["inputs"]:
        if info["damaged"]:
            print(f"warning: damaged input {one_line(info['path'])}: {one_line(info['damaged'])}", file=sys.stderr)


def print_summary(summary: dict[str, Any], output: str) -> None:
    """The run's counts on stdout, a warning per damaged input on stderr, and where the results are."""
    anomalies = {k: v for k, v in summary["verdicts"].items() if k != "documented" and v}
    filtered = f", {summary['filtered_out']} filtered out" if time_filtered(summary) else ""  # --since/--until
    print(
        f"statuslens: {summary['records_in']} records in, {summary['records_annotated']} annotated, "
        f"{summary['dead_letter']} dead letters{filtered}, {summary['blank_lines']} blank lines"
    )
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in summary["verdicts"].items()))
    if anomalies:
        print("anomalies: " + ", ".join(f"{k} {v}" for k, v in anomalies.items()))
    warn_damaged_inputs(summary)
    print(f"results: {output}{os.sep}summary.json, anomalies.jsonl, report.md, report.html, annotated/, dead_letter/")
