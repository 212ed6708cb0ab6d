"""`statuslens ship`: follow log files (like tail -F) and publish their records to Pub/Sub, redacted."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from statuslens.pipelines import flags
from statuslens.pipelines.ship import Publisher, ShipConfig, run_ship
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

NAME = "ship"
HELP = "Follow log files (like tail -F) and publish their records to Pub/Sub, redacted."
DESCRIPTION = (
    "Publish each record of the files to a Pub/Sub topic with its event time and a stable "
    "record id; remember the position in --state. Stops on Ctrl-C or SIGTERM."
)
EPILOG: str | None = "Needs the [stream] extra. For the local emulator set PUBSUB_EMULATOR_HOST=127.0.0.1:8085."
FAILURE = "shipping failed"
FINISHED_ON_RETURN = False  # the Pub/Sub client finishes in the background at exit
RUNS_PIPELINE = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", default=None, metavar="projects/P/topics/T", help="The topic to publish to.")
    parser.add_argument(
        "--follow",
        action="append",
        default=None,
        metavar="GLOB",
        help="Files to follow: new lines, rotation, truncation; plain and .gz. Repeatable.",
    )
    parser.add_argument(
        "--from",
        dest="replay",
        action="append",
        default=None,
        metavar="FILE",
        help="Files to replay once (then exit, unless --follow is given too). Repeatable.",
    )
    parser.add_argument(
        "--state",
        default=".statuslens-ship-state.json",
        metavar="FILE",
        help="Where the shipped positions are kept (default ./.statuslens-ship-state.json).",
    )
    parser.add_argument("--rate", type=float, default=None, metavar="N", help="At most N records per second.")
    parser.add_argument(
        "--retime",
        action="store_true",
        help="Shift event times by whole seconds so the first record is now, keeping their spacing and "
        "calendar seconds (replays); each record also carries the shift.",
    )
    parser.add_argument(
        "--batch-size",
        dest="batch_size",
        type=int,
        default=100,
        metavar="N",
        help="Records per confirmed batch: at most this many are re-sent after a crash.",
    )
    parser.add_argument(
        "--settle",
        default="5s",
        metavar="DURATION",
        help="Archives modified less than this long ago wait (default 5s).",
    )
    parser.add_argument(
        "--log-format",
        dest="log_format",
        default=None,
        metavar="NAME|STRING",
        help="Format of line inputs instead of detection (as for batch); sent with each record, so the "
        "stream job parses it the same way.",
    )
    parser.add_argument(
        "--field-map",
        dest="field_map",
        action="append",
        default=None,
        metavar="FIELD=NAME",
        help="JSON lines: read FIELD from the key NAME (as for batch), here to find each record's "
        "event time; give the stream job the same map. Repeatable.",
    )


def config_from(args: argparse.Namespace, beam_args: list[str]) -> ShipConfig:
    if beam_args:  # no pipeline here: a Beam flag is a mistake
        raise UsageError(f"statuslens ship: unrecognized argument {beam_args[0]}")
    if not args.follow and not args.replay:
        raise UsageError("statuslens ship: give --follow GLOB or --from FILE")
    flags.require_pubsub(NAME)
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    for path in args.replay or []:
        if not os.path.isfile(path):
            raise UsageError(f"--from {path!r}: no such file")
    return ShipConfig(
        topic=flags.required(args.topic, "--topic", NAME),
        follow=tuple(args.follow or ()),
        replay=tuple(args.replay or ()),
        state=Path(args.state),
        rate=args.rate,
        retime=args.retime,
        batch_size=args.batch_size,
        settle_seconds=flags.duration(args.settle, "--settle"),
        log_format=flags.log_format(args.log_format),
        field_map=tuple(flags.field_map(args.field_map).items()),
    )


def run(config: ShipConfig, beam_args: list[str]) -> int:
    publisher = Publisher(config.topic)
    stats = run_ship(config, publisher, publisher.confirm)
    for note in stats.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"statuslens ship: {stats.published} records published to {config.topic}", flush=True)
    return 0
