"""`statuslens cron`: one incremental run over a growing, rotating log folder; prints what is new."""

from __future__ import annotations

import argparse
from pathlib import Path

from statuslens.pipelines import ci, flags
from statuslens.pipelines.console import dead_letters_line, plural, warn_inputs, where_to_look
from statuslens.pipelines.cron import CronConfig, run_cron
from statuslens.transforms.errors import UsageError

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

NAME = "cron"
HELP = "Incremental run over a growing, rotating log folder (for cron or a systemd timer)."
DESCRIPTION = (
    "Process only what is new since the last successful run, exactly once; write the run's "
    "outputs to OUTPUT/runs/<UTC time>/ and keep cumulative anomaly groups in --state."
)
EPILOG: str | None = (
    "Exit status: 0 ok, 1 the run failed (nothing committed), 2 usage error, 3 new anomaly groups "
    "that --expect does not name (with --fail-on-new), 75 another run holds the lock. " + flags.BEAM_FLAGS_EPILOG
)
FAILURE = "the run failed, nothing committed"
FINISHED_ON_RETURN = True
RUNS_PIPELINE = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="GLOB",
        help="Log files to watch (local paths or globs, e.g. 'logs/*'). Repeatable.",
    )
    parser.add_argument(
        "--state",
        default=None,
        metavar="DIR",
        help="Folder for the manifest, cumulative groups and lock (create it once, keep it).",
    )
    parser.add_argument("--output", default=None, metavar="DIR", help="Folder that holds runs/<UTC time>/.")
    parser.add_argument(
        "--settle",
        default="5m",
        metavar="DURATION",
        help="Archives modified less than this long ago wait for the next run; growing plain "
        "files are read up to their last complete line (default 5m; e.g. 90s, 10m, 1h).",
    )
    parser.add_argument(
        "--keep-runs",
        dest="keep_runs",
        type=int,
        default=30,
        metavar="N",
        help="Keep the newest N run folders (default 30).",
    )
    parser.add_argument(
        "--fail-on-new",
        dest="fail_on_new",
        action="store_true",
        help="Exit 3 when anomaly groups never seen before appeared (for alerting).",
    )
    parser.add_argument(
        "--baseline", action="store_true", help="Record the current groups without alerting (for the first run)."
    )
    parser.add_argument(
        "--metrics-file",
        dest="metrics_file",
        default=None,
        metavar="FILE",
        help="Write Prometheus metrics (node_exporter textfile format) to FILE, atomically.",
    )
    ci.add_expect_argument(parser)
    flags.add_analysis_arguments(parser)
    flags.add_progress_arguments(parser)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> CronConfig:
    if args.keep_runs < 1:
        raise UsageError("--keep-runs must be at least 1")
    return CronConfig(
        inputs=tuple(flags.required(args.input, "--input", NAME)),
        state_dir=Path(flags.required(args.state, "--state", NAME)).absolute(),
        output_dir=Path(flags.required(args.output, "--output", NAME)).absolute(),
        catalog=flags.catalog(args.catalog),
        log_format=flags.log_format(args.log_format),
        field_map=flags.field_map(args.field_map),
        annotated=args.annotated,
        settle_seconds=flags.duration(args.settle, "--settle"),
        keep_runs=args.keep_runs,
        fail_on_new=args.fail_on_new,
        baseline=args.baseline,
        metrics_file=Path(args.metrics_file) if args.metrics_file else None,
        expectations=ci.expectations(args.expect),
        progress=flags.progress(args),
    )


def run(config: CronConfig, beam_args: list[str]) -> int:
    result = run_cron(config, beam_args)
    summary = result.summary
    warn_inputs(summary)
    print(
        f"statuslens cron: {plural(summary['records_in'], 'new record')}, "
        f"{plural(summary['dead_letter'], 'dead letter')}, "
        f"{plural(len(result.new_groups), 'new anomaly group')} -> {result.run_dir}"
    )
    label = "baseline" if config.baseline else "new"  # --baseline records groups without alerting
    for group in result.new_groups:
        shown = "expected" if "expected" in group else label  # named by --expect: never alerts
        print(ci.group_line(shown, group))
    reasons = dead_letters_line(summary)
    if reasons is not None:
        print(reasons)
    print(where_to_look(str(result.run_dir)))
    return result.exit_code
