"""`statuslens stream`: the analysis over a Pub/Sub subscription in event-time windows, until stopped."""

from __future__ import annotations

import argparse

from statuslens.pipelines import flags
from statuslens.pipelines.plan import DEFAULT_STREAM_RUNNER
from statuslens.pipelines.stream import StreamConfig, read_known_groups, run_stream
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

NAME = "stream"
HELP = "Analyse records from a Pub/Sub subscription in event-time windows, until stopped."
DESCRIPTION = (
    "Read records published by `statuslens ship`, window them by event time, and write "
    "per-window anomaly groups with their causes, alerts and dead letters under --output. Stops on "
    "Ctrl-C or SIGTERM: no new message is taken, what was received is written, then the totals are printed."
)
EPILOG: str | None = (
    "Needs the [stream] extra (apache-beam[gcp]). For the local Pub/Sub emulator set "
    "PUBSUB_EMULATOR_HOST=127.0.0.1:8085. " + flags.beam_flags_epilog(DEFAULT_STREAM_RUNNER)
)
FAILURE = "the stream failed"
FINISHED_ON_RETURN = False  # client libraries finish in the background at exit
RUNS_PIPELINE = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--subscription", default=None, metavar="projects/P/subscriptions/S", help="The Pub/Sub subscription to read."
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="Folder for windows/, alerts/, annotated/, dead_letter/, late/ and duplicates/ (JSON lines).",
    )
    parser.add_argument("--window", default="60s", metavar="DURATION", help="Fixed window size (default 60s).")
    parser.add_argument(
        "--allowed-lateness",
        dest="allowed_lateness",
        default="10m",
        metavar="DURATION",
        help="How late a record may arrive and still count in its window (default 10m); later ones go to late/.",
    )
    parser.add_argument(
        "--early-every",
        dest="early_every",
        default="10s",
        metavar="DURATION",
        help="Processing-time interval of early results while a window is open (default 10s).",
    )
    parser.add_argument(
        "--known",
        default=None,
        metavar="FILE",
        help="anomalies.jsonl of a batch or cron run: its groups are not alerted as new.",
    )
    parser.add_argument(
        "--windows-topic",
        dest="windows_topic",
        default=None,
        metavar="projects/P/topics/T",
        help="Also publish every window group to this topic.",
    )
    parser.add_argument(
        "--alerts-topic",
        dest="alerts_topic",
        default=None,
        metavar="projects/P/topics/T",
        help="Also publish every alert to this topic.",
    )
    flags.add_analysis_arguments(parser)
    stream_help = {
        "log_format": "Format of messages that name none (`statuslens ship` sends the format it detected "
        "or was given with each record): jsonl, common, combined, combined_body or an nginx log_format "
        "string; without it such a message's format is detected from the message.",
        "annotated": "Which annotated records to write to annotated/<window start>.jsonl: errors (default: "
        "effective code >= 400, not documented, or flagged), all, or none.",
    }
    for action in parser._actions:  # the shared flags, said as they apply to a stream
        action.help = stream_help.get(action.dest, action.help)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> StreamConfig:
    flags.require_pubsub(NAME)
    window = flags.duration(args.window, "--window")
    if window <= 0:
        raise UsageError("--window must be longer than 0")
    known: frozenset[str] = frozenset()
    if args.known:
        try:
            known = read_known_groups(args.known)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageError(
                f"--known {args.known!r}: not an anomalies.jsonl ({type(exc).__name__}: {flags.one_line(exc)})"
            ) from exc
    return StreamConfig(
        subscription=flags.required(args.subscription, "--subscription", NAME),
        output=flags.required(args.output, "--output", NAME),
        catalog=flags.catalog(args.catalog),
        window_seconds=window,
        lateness_seconds=flags.duration(args.allowed_lateness, "--allowed-lateness"),
        early_seconds=max(1.0, flags.duration(args.early_every, "--early-every")),
        known=known,
        windows_topic=args.windows_topic,
        alerts_topic=args.alerts_topic,
        annotated_mode=args.annotated,
        field_map=flags.field_map(args.field_map),
        log_format=flags.log_format(args.log_format),
    )


def run(config: StreamConfig, beam_args: list[str]) -> int:
    print(
        f"statuslens stream: reading {config.subscription}, {config.window_seconds:g} s windows, "
        f"writing {config.output} (Ctrl-C to stop)",
        flush=True,
    )
    totals = run_stream(config, beam_args)
    print("statuslens stream: stopped; " + ", ".join(f"{k} {v}" for k, v in totals.items()), flush=True)
    return 0
