"""The `statuslens` subcommands, one module each: its flags, its config, its run and its console lines.

Every command module is a `Command`: `add_arguments(parser)` declares its flags,
`config_from(args, beam_args)` turns them into its typed config (any mistake a UsageError),
`run(config, beam_args)` runs it, prints its console lines and returns the exit status. pipelines/cli.py
builds the parser from these modules, dispatches, and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from statuslens.pipelines.commands import batch, catalog, cron, demo, ship, stream

__all__ = ["COMMANDS", "Command"]


class Command(Protocol):
    """What pipelines/cli.py needs of a command module."""

    NAME: str
    HELP: str
    DESCRIPTION: str
    EPILOG: str | None
    FAILURE: str  # the start of the one "error: …" line when the run fails
    # True when the work is all done (files closed, Beam workers joined) once run() returns, so the
    # process may exit without tearing the interpreter down.
    FINISHED_ON_RETURN: bool
    RUNS_PIPELINE: bool  # False: the command takes no Beam flags (nor --runner checks)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def config_from(self, args: argparse.Namespace, beam_args: list[str]) -> Any: ...

    def run(self, config: Any, beam_args: list[str]) -> int: ...


# In the order `statuslens --help` lists them.
COMMANDS: tuple[Command, ...] = (batch, cron, stream, ship, demo, catalog)
