"""The `statuslens` command: parse, validate, build, run. Nothing else.

Exit status: 0 the run finished (dead letters and damaged inputs included), 1 the run failed,
2 a usage error (bad flag, empty glob, unreadable catalog, non-empty output folder).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn

# Beam logs a harmless "apitools not found" warning on import; users want our output only.
if not os.environ.get("STATUSLENS_DEBUG"):
    logging.getLogger().setLevel(logging.ERROR)

import orjson

from statuslens.pipelines.flags import (
    BEAM_FLAGS_EPILOG,
    add_analysis_arguments,
    add_batch_arguments,
    parse_field_map,
    read_profile,
    unknown_beam_flags,
)
from statuslens.transforms.errors import UsageError

__all__ = ["build_parser", "main", "package_version", "run"]

# Commands whose work is all done (files closed, Beam workers joined) when main() returns.
_FINISHED_ON_RETURN = frozenset({"batch", "demo", "cron"})


def package_version() -> str:
    try:
        return version("statuslens")
    except PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="statuslens",
        description="Check API error responses in access logs against "
        "the documented status table, and say what the docs are missing.",
    )
    parser.add_argument("--version", action="version", version=f"statuslens {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    batch = commands.add_parser(
        "batch",
        help="Analyse log files once and write the results to a folder.",
        description="Analyse log files (JSON lines, nginx/Apache lines, HAR; "
        "plain, gzip, bzip2 or xz) and write the results to --output.",
        epilog=BEAM_FLAGS_EPILOG,
    )
    add_batch_arguments(batch)
    cron = commands.add_parser(
        "cron",
        help="Incremental run over a growing, rotating log folder (for cron or a systemd timer).",
        description="Process only what is new since the last successful run, exactly once; write the run's "
        "outputs to OUTPUT/runs/<UTC time>/ and keep cumulative anomaly groups in --state.",
        epilog="Exit status: 0 ok, 1 the run failed (nothing committed), 2 usage error, 3 new anomaly groups "
        "(with --fail-on-new), 75 another run holds the lock. " + BEAM_FLAGS_EPILOG,
    )
    cron.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="GLOB",
        help="Log files to watch (local paths or globs, e.g. 'logs/*'). Repeatable.",
    )
    cron.add_argument(
        "--state",
        default=None,
        metavar="DIR",
        help="Folder for the manifest, cumulative groups and lock (create it once, keep it).",
    )
    cron.add_argument("--output", default=None, metavar="DIR", help="Folder that holds runs/<UTC time>/.")
    cron.add_argument(
        "--settle",
        default="5m",
        metavar="DURATION",
        help="Archives modified less than this long ago wait for the next run; growing plain "
        "files are read up to their last complete line (default 5m; e.g. 90s, 10m, 1h).",
    )
    cron.add_argument(
        "--keep-runs",
        dest="keep_runs",
        type=int,
        default=30,
        metavar="N",
        help="Keep the newest N run folders (default 30).",
    )
    cron.add_argument(
        "--fail-on-new",
        dest="fail_on_new",
        action="store_true",
        help="Exit 3 when anomaly groups never seen before appeared (for alerting).",
    )
    cron.add_argument(
        "--baseline", action="store_true", help="Record the current groups without alerting (for the first run)."
    )
    cron.add_argument(
        "--metrics-file",
        dest="metrics_file",
        default=None,
        metavar="FILE",
        help="Write Prometheus metrics (node_exporter textfile format) to FILE, atomically.",
    )
    add_analysis_arguments(cron)
    stream = commands.add_parser(
        "stream",
        help="Analyse records from a Pub/Sub subscription in event-time windows, until stopped.",
        description="Read records published by `statuslens ship`, window them by event time, and write "
        "per-window anomaly groups, alerts and dead letters under --output. Stops on Ctrl-C or SIGTERM.",
        epilog="Needs the [stream] extra (apache-beam[gcp]). For the local Pub/Sub emulator set "
        "PUBSUB_EMULATOR_HOST=127.0.0.1:8085. Default runner: BundleBasedDirectRunner. " + BEAM_FLAGS_EPILOG,
    )
    stream.add_argument(
        "--subscription", default=None, metavar="projects/P/subscriptions/S", help="The Pub/Sub subscription to read."
    )
    stream.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="Folder for windows/, alerts/, dead_letter/, late/ and duplicates/ (JSON lines).",
    )
    stream.add_argument("--window", default="60s", metavar="DURATION", help="Fixed window size (default 60s).")
    stream.add_argument(
        "--allowed-lateness",
        dest="allowed_lateness",
        default="10m",
        metavar="DURATION",
        help="How late a record may arrive and still count in its window (default 10m); later ones go to late/.",
    )
    stream.add_argument(
        "--early-every",
        dest="early_every",
        default="10s",
        metavar="DURATION",
        help="Processing-time interval of early results while a window is open (default 10s).",
    )
    stream.add_argument(
        "--known",
        default=None,
        metavar="FILE",
        help="anomalies.jsonl of a batch or cron run: its groups are not alerted as new.",
    )
    stream.add_argument(
        "--windows-topic",
        dest="windows_topic",
        default=None,
        metavar="projects/P/topics/T",
        help="Also publish every window group to this topic.",
    )
    stream.add_argument(
        "--alerts-topic",
        dest="alerts_topic",
        default=None,
        metavar="projects/P/topics/T",
        help="Also publish every alert to this topic.",
    )
    add_analysis_arguments(stream)
    ship = commands.add_parser(
        "ship",
        help="Follow log files (like tail -F) and publish their records to Pub/Sub, redacted.",
        description="Publish each record of the files to a Pub/Sub topic with its event time and a stable "
        "record id; remember the position in --state. Stops on Ctrl-C or SIGTERM.",
        epilog="Needs the [stream] extra. For the local emulator set PUBSUB_EMULATOR_HOST=127.0.0.1:8085.",
    )
    ship.add_argument("--topic", default=None, metavar="projects/P/topics/T", help="The topic to publish to.")
    ship.add_argument(
        "--follow",
        action="append",
        default=None,
        metavar="GLOB",
        help="Files to follow: new lines, rotation, truncation; plain and .gz. Repeatable.",
    )
    ship.add_argument(
        "--from",
        dest="replay",
        action="append",
        default=None,
        metavar="FILE",
        help="Files to replay once (then exit, unless --follow is given too). Repeatable.",
    )
    ship.add_argument(
        "--state",
        default=".statuslens-ship-state.json",
        metavar="FILE",
        help="Where the shipped positions are kept (default ./.statuslens-ship-state.json).",
    )
    ship.add_argument("--rate", type=float, default=None, metavar="N", help="At most N records per second.")
    ship.add_argument(
        "--retime",
        action="store_true",
        help="Shift event times so the first record is now, keeping their spacing (replays).",
    )
    ship.add_argument(
        "--batch-size",
        dest="batch_size",
        type=int,
        default=100,
        metavar="N",
        help="Records per confirmed batch: at most this many are re-sent after a crash.",
    )
    ship.add_argument(
        "--settle",
        default="5s",
        metavar="DURATION",
        help="Archives modified less than this long ago wait (default 5s).",
    )
    ship.add_argument(
        "--log-format",
        dest="log_format",
        default=None,
        metavar="NAME|STRING",
        help="Format of line inputs instead of detection (as for batch).",
    )
    demo = commands.add_parser(
        "demo",
        help="Run batch on the sample logs bundled with statuslens.",
        description="Run `statuslens batch` on the bundled sample (JSON lines, "
        "combined_body and HAR files) and write the results to --output.",
        epilog=BEAM_FLAGS_EPILOG,
    )
    demo.add_argument(
        "--output",
        default="statuslens-demo",
        metavar="DIR",
        help="Folder for the results (default: ./statuslens-demo; replaced if it exists).",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(args_in)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        extra = [*read_profile(getattr(args, "profile", None)), *extra]
        unknown = unknown_beam_flags(extra)
        if unknown:
            raise UsageError(f"statuslens {args.command}: unrecognized argument {unknown[0]}")
        if args.command == "demo":
            args = _demo_args(args, parser)
        if args.command in ("batch", "demo"):
            return _batch(args, extra)
        if args.command == "cron":
            return _cron(args, extra)
        if args.command == "stream":
            return _stream(args, extra)
        if args.command == "ship":
            if extra:
                raise UsageError(f"statuslens ship: unrecognized argument {extra[0]}")
            return _ship(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


def _batch(args: argparse.Namespace, beam_args: list[str]) -> int:
    from statuslens.pipelines.batch import BatchConfig, expand_inputs, run_batch

    config = BatchConfig(
        inputs=expand_inputs(_required(args.input, "--input")),
        output=_required(args.output, "--output"),
        catalog=_catalog(args.catalog),
        log_format=_log_format(args.log_format),
        field_map=_field_map(args.field_map),
        annotated=args.annotated,
        overwrite=args.overwrite,
    )
    _quiet_beam()
    try:
        run_batch(config, beam_args)
    except UsageError:
        raise
    except Exception as exc:  # the job failed: one line for people, the traceback for --verbose users
        logging.getLogger("statuslens").debug("run failed", exc_info=True)
        print(f"error: the run failed: {_one_line(exc)}", file=sys.stderr)
        return 1
    _print_summary(config.output)
    return 0


def _cron(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pathlib import Path

    from statuslens.pipelines.cron import EXIT_LOCKED, CronConfig, run_cron
    from statuslens.transforms.errors import RunLocked

    if args.keep_runs < 1:
        raise UsageError("--keep-runs must be at least 1")
    config = CronConfig(
        inputs=tuple(_required(args.input, "--input", "cron")),
        state_dir=Path(_required(args.state, "--state", "cron")),
        output_dir=Path(_required(args.output, "--output", "cron")),
        catalog=_catalog(args.catalog),
        log_format=_log_format(args.log_format),
        field_map=_field_map(args.field_map),
        annotated=args.annotated,
        settle_seconds=_duration(args.settle, "--settle"),
        keep_runs=args.keep_runs,
        fail_on_new=args.fail_on_new,
        baseline=args.baseline,
        metrics_file=Path(args.metrics_file) if args.metrics_file else None,
    )
    _quiet_beam()
    try:
        result = run_cron(config, beam_args)
    except RunLocked as exc:
        print(f"error: {exc}; exiting", file=sys.stderr)
        return EXIT_LOCKED
    except UsageError:
        raise
    except Exception as exc:
        logging.getLogger("statuslens").debug("run failed", exc_info=True)
        print(f"error: the run failed, nothing committed: {_one_line(exc)}", file=sys.stderr)
        return 1
    summary = result.summary
    for info in summary["inputs"]:
        if info["damaged"]:
            print(f"warning: damaged input {info['path']}: {info['damaged']}", file=sys.stderr)
    print(
        f"statuslens cron: {summary['records_in']} new records, {summary['dead_letter']} dead letters, "
        f"{len(result.new_groups)} new anomaly groups -> {result.run_dir}"
    )
    label = "baseline" if args.baseline else "new"  # --baseline records groups without alerting
    for group in result.new_groups:
        sub = f"/{group['sub_code']}" if group["sub_code"] is not None else ""
        print(
            f'{label}: {group["verdict"]} {group["status_code"]}{sub} "{group["message"] or ""}" '
            f"{group['method']} {group['resource']} ({group['count']})"
        )
    return result.exit_code


def _require_pubsub(command: str) -> None:
    try:
        import google.cloud.pubsub_v1  # noqa: F401
    except ImportError:
        raise UsageError(
            f"statuslens {command} needs Pub/Sub support: pip install 'statuslens[stream]' (apache-beam[gcp])"
        ) from None


def _stream(args: argparse.Namespace, beam_args: list[str]) -> int:
    from statuslens.pipelines.stream import StreamConfig, read_known_groups, run_stream

    _require_pubsub("stream")

    window = _duration(args.window, "--window")
    if window <= 0:
        raise UsageError("--window must be longer than 0")
    known: frozenset[str] = frozenset()
    if args.known:
        try:
            known = read_known_groups(args.known)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageError(
                f"--known {args.known!r}: not an anomalies.jsonl ({type(exc).__name__}: {_one_line(exc)})"
            ) from exc
    config = StreamConfig(
        subscription=_required(args.subscription, "--subscription", "stream"),
        output=_required(args.output, "--output", "stream"),
        catalog=_catalog(args.catalog),
        window_seconds=window,
        lateness_seconds=_duration(args.allowed_lateness, "--allowed-lateness"),
        early_seconds=max(1.0, _duration(args.early_every, "--early-every")),
        known=known,
        windows_topic=args.windows_topic,
        alerts_topic=args.alerts_topic,
    )
    _quiet_beam()
    print(
        f"statuslens stream: reading {config.subscription}, {window:g} s windows, writing {config.output} "
        "(Ctrl-C to stop)",
        flush=True,
    )
    try:
        totals = run_stream(config, beam_args)
    except Exception as exc:
        logging.getLogger("statuslens").debug("stream failed", exc_info=True)
        print(f"error: the stream failed: {_one_line(exc)}", file=sys.stderr)
        return 1
    print("statuslens stream: stopped; " + ", ".join(f"{k} {v}" for k, v in totals.items()), flush=True)
    return 0


def _ship(args: argparse.Namespace) -> int:
    from pathlib import Path

    from statuslens.pipelines.ship import Publisher, ShipConfig, run_ship

    if not args.follow and not args.replay:
        raise UsageError("statuslens ship: give --follow GLOB or --from FILE")
    _require_pubsub("ship")
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    for path in args.replay or []:
        if not os.path.isfile(path):
            raise UsageError(f"--from {path!r}: no such file")
    config = ShipConfig(
        topic=_required(args.topic, "--topic", "ship"),
        follow=tuple(args.follow or ()),
        replay=tuple(args.replay or ()),
        state=Path(args.state),
        rate=args.rate,
        retime=args.retime,
        batch_size=args.batch_size,
        settle_seconds=_duration(args.settle, "--settle"),
        log_format=_log_format(args.log_format),
    )
    try:
        publisher = Publisher(config.topic)
        stats = run_ship(config, publisher, publisher.confirm)
    except Exception as exc:
        print(f"error: shipping failed: {_one_line(exc)}", file=sys.stderr)
        return 1
    for note in stats.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"statuslens ship: {stats.published} records published to {config.topic}", flush=True)
    return 0


def _duration(text: str, flag: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    scale = units.get(value[-1:])
    number = value[:-1] if scale else value
    try:
        seconds = float(number) * (scale or 1)
    except ValueError:
        raise UsageError(f"{flag} {text!r}: expected a duration such as 300, 90s, 5m or 1h") from None
    if seconds < 0:
        raise UsageError(f"{flag} {text!r}: must not be negative")
    return seconds


def _demo_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The batch arguments that run the bundled sample."""
    from importlib import resources

    folder = resources.files("statuslens.sample")
    logs = sorted(
        str(folder / entry.name)
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SAMPLE_SUFFIXES)
    )
    print("statuslens batch " + " ".join(f"--input {path}" for path in logs) + f" --output {args.output} --overwrite")
    return parser.parse_args(["batch", *(f"--input={path}" for path in logs), "--output", args.output, "--overwrite"])


_SAMPLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".log", ".log.gz", ".har")


def _required(value: Any, flag: str, command: str = "batch") -> Any:
    if not value:
        raise UsageError(f"statuslens {command}: {flag} is required")
    return value


def _catalog(path: str | None) -> Any:
    from statuslens.transforms.errors import CatalogError
    from statuslens.transforms.verdicts.catalog import load_catalog

    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise UsageError(f"--catalog: {exc}") from exc


def _log_format(spec: str | None) -> str | None:
    from statuslens.transforms.readers.formats import validate_log_format

    if spec is None:
        return None
    try:
        return validate_log_format(spec)
    except ValueError as exc:
        raise UsageError(f"--log-format: {exc}") from exc


def _field_map(values: list[str] | None) -> dict[str, str]:
    from statuslens.transforms.readers.jsonlines import FieldMap

    mapping = parse_field_map(values)
    try:
        FieldMap.with_overrides(mapping)
    except ValueError as exc:
        raise UsageError(f"--field-map: {exc}") from exc
    return mapping


def _print_summary(output: str) -> None:
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(FileSystems.join(output, "summary.json")) as handle:
        summary = orjson.loads(handle.read())
    anomalies = {k: v for k, v in summary["verdicts"].items() if k != "documented" and v}
    print(
        f"statuslens: {summary['records_in']} records in, {summary['records_annotated']} annotated, "
        f"{summary['dead_letter']} dead letters, {summary['blank_lines']} blank lines"
    )
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in summary["verdicts"].items()))
    if anomalies:
        print("anomalies: " + ", ".join(f"{k} {v}" for k, v in anomalies.items()))
    for info in summary["inputs"]:
        if info["damaged"]:
            print(f"warning: damaged input {info['path']}: {info['damaged']}", file=sys.stderr)
    print(f"results: {output}{os.sep}summary.json, anomalies.jsonl, report.md, report.html, annotated/, dead_letter/")


def _quiet_beam() -> None:
    """Beam logs every stage at INFO and warns about optional GCP modules; users want our summary."""
    if not os.environ.get("STATUSLENS_DEBUG"):
        logging.getLogger().setLevel(logging.ERROR)
        logging.getLogger("apache_beam").setLevel(logging.ERROR)


def _one_line(exc: BaseException) -> str:
    """An error as one line for stderr, with any credential in it redacted (§7 covers messages too)."""
    from statuslens.transforms.redact import redact_text

    text = redact_text(" ".join(str(exc).split()))
    return (text[:300] + "…") if len(text) > 300 else text or type(exc).__name__


def run() -> NoReturn:
    """The console entry point: main(), then for batch, demo and cron an exit that skips tearing the
    interpreter down.

    Unloading Beam's module graph takes about 0.25 s at every exit (a fifth of a small run) and does
    nothing for these commands: when main() returns their outputs are closed and renamed into place
    and the worker processes are joined. Exit handlers still run and the standard streams are flushed.
    `stream` and `ship` exit normally, letting client libraries finish in the background.
    """
    code = main()
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
    if command not in _FINISHED_ON_RETURN:
        sys.exit(code)
    # What an exit does besides the teardown still runs: exit handlers (Beam stops a Flink or Spark
    # job server it started in one; logging flushes in one) and the flush of the standard streams.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing left to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
