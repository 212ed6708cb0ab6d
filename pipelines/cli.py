"""The `statuslens` command: the parser built from the commands (pipelines/commands/), dispatch, and
errors mapped to exit codes. What a command does, flags included, lives in its own module.

Exit status: 0 the run finished (dead letters and damaged inputs included), 1 the run failed,
2 a usage error (bad flag, empty glob, unreadable catalog, bad --expect file, non-empty output folder);
3 anomaly groups that fail the run (batch and demo with --fail-on, cron with --fail-on-new; never
groups an --expect file names); cron adds 75 (another run holds the lock).
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
from typing import TYPE_CHECKING, Any, NoReturn

from statuslens.transforms.errors import RunLocked, UsageError

if TYPE_CHECKING:
    from statuslens.pipelines.commands import Command

__all__ = ["build_parser", "main", "package_version", "run"]

EXIT_FAILED = 1
EXIT_USAGE = 2


def package_version() -> str:
    try:
        return version("statuslens")
    except PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser(commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="statuslens",
        description="Check API error responses in access logs against "
        "the documented status table, and say what the docs are missing.",
    )
    parser.add_argument("--version", action="version", version=f"statuslens {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in commands:
        sub = subparsers.add_parser(
            command.NAME, help=command.HELP, description=command.DESCRIPTION, epilog=command.EPILOG
        )
        command.add_arguments(sub)
        sub.add_argument(
            "--verbose", action="store_true", help="When the run fails, print the traceback after the error line."
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the exit status."""
    return _main(argv)[0]


def _main(argv: Sequence[str] | None) -> tuple[int, Command | None]:
    """The exit status, and the command that ran (None when none was parsed); control characters in
    anything printed meanwhile are shown escaped."""
    from statuslens.transforms.collector import tune_collector
    from statuslens.transforms.outputs.printable import ShownControls

    tune_collector()  # the runner's process (the workers' DoFns tune their own)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ShownControls(sys.stdout), ShownControls(sys.stderr)
    try:
        return _command(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _command(argv: Sequence[str] | None) -> tuple[int, Command | None]:
    _quiet_logging()
    # Imported once logging is set: Beam logs on import.
    from statuslens.pipelines.commands import COMMANDS
    from statuslens.pipelines.flags import beam_args

    command: Command | None = None
    try:
        parser = build_parser(COMMANDS)
        args, extra = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE, None
        command = {c.NAME: c for c in COMMANDS}[args.command]
        # A command that runs no pipeline (catalog) takes no Beam flags: it refuses them itself.
        flags = beam_args(command.NAME, getattr(args, "profile", None), extra) if command.RUNS_PIPELINE else extra
        config = command.config_from(args, flags)
        return _run(command, config, flags, args.verbose), command
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE, command


def _run(command: Command, config: Any, beam_args: list[str], verbose: bool = False) -> int:
    """The command's own exit status, or the one of its failure (usage errors go to the caller); with
    `verbose` a failure's traceback follows its line (redacted, like every line statuslens prints)."""
    from statuslens.pipelines.cron import EXIT_LOCKED
    from statuslens.pipelines.flags import one_line

    try:
        return command.run(config, beam_args)
    except UsageError:
        raise
    except RunLocked as exc:
        print(f"error: {exc}; exiting", file=sys.stderr)
        return EXIT_LOCKED
    except Exception as exc:  # the job failed: one line for people, the traceback at DEBUG for embedders
        logging.getLogger("statuslens").debug("%s", command.FAILURE, exc_info=True)
        print(f"error: {command.FAILURE}: {one_line(exc)}", file=sys.stderr)
        if verbose:
            import traceback

            from statuslens.transforms.redact import redact_text

            print(redact_text("".join(traceback.format_exception(exc))).rstrip(), file=sys.stderr)
        return EXIT_FAILED


def _quiet_logging() -> None:
    """Beam logs every stage at INFO and warns about optional GCP modules; users want our summary."""
    if not os.environ.get("STATUSLENS_DEBUG"):
        logging.getLogger().setLevel(logging.ERROR)
        # Beam logs a failed step's traceback at ERROR; the failure is our one line (STATUSLENS_DEBUG shows it).
        logging.getLogger("apache_beam").setLevel(logging.CRITICAL)


def run() -> NoReturn:
    """The console entry point: main(), then for batch, demo and cron an exit that skips tearing the
    interpreter down.

    Unloading Beam's module graph takes about 0.25 s at every exit (a fifth of a small run) and does
    nothing for these commands: when main() returns their outputs are closed and renamed into place
    and the worker processes are joined. Exit handlers still run and the standard streams are flushed.
    `stream` and `ship` exit normally, letting client libraries finish in the background.
    """
    code, command = _main(None)
    if command is None or not command.FINISHED_ON_RETURN:
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
