"""`statuslens batch`: analyse log files once, write the results to a folder, print the summary."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

from statuslens.pipelines import ci, flags
from statuslens.pipelines.batch import BatchConfig, expand_inputs, run_batch
from statuslens.pipelines.console import print_summary
from statuslens.pipelines.stdin import STDIN, stdin_input

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "FAILURE",
    "FINISHED_ON_RETURN",
    "HELP",
    "NAME",
    "RUNS_PIPELINE",
    "add_arguments",
    "config_from",
    "run",
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
RUNS_PIPELINE = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="GLOB",
        help="Log files to read: a path or glob, local or on any Beam filesystem (gs://…), or - for "
        "standard input (read as 'stdin'). Repeat for several. Format and compression (gzip, bzip2, xz) "
        "are detected per file.",
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
    flags.add_progress_arguments(parser)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> BatchConfig:
    patterns = flags.required(args.input, "--input")
    files = expand_inputs([p for p in patterns if p != STDIN]) if set(patterns) != {STDIN} else ()
    output = flags.required(args.output, "--output")
    config = BatchConfig(
        inputs=files,
        # Absolute before the graph is built: a worker elsewhere would resolve a relative one in its own folder.
        output=output if "://" in output else os.path.abspath(output),
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
        progress=flags.progress(args),
    )
    # Standard input is read (saved to a temporary file) only once every flag has been checked.
    return replace(config, inputs=(*files, stdin_input())) if STDIN in patterns else config


def run(config: BatchConfig, beam_args: list[str]) -> int:
    started = time.time()
    result = run_batch(config, beam_args)
    print_summary(result.summary, result.groups, config.output)
    return ci.finish(result.summary, result.groups, config.fail_on, config.metrics_file, started)
