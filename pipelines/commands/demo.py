"""`statuslens demo`: `statuslens batch` on the sample logs bundled with statuslens."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass
from importlib import resources

from statuslens.pipelines import ci, flags
from statuslens.pipelines.batch import BatchConfig
from statuslens.pipelines.commands import batch

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "FAILURE",
    "FINISHED_ON_RETURN",
    "HELP",
    "NAME",
    "DemoConfig",
    "add_arguments",
    "config_from",
    "run",
]

NAME = "demo"
HELP = "Run batch on the sample logs bundled with statuslens."
DESCRIPTION = (
    "Run `statuslens batch` on the bundled sample (JSON lines, combined_body and HAR files) "
    "and write the results to --output."
)
EPILOG: str | None = flags.BEAM_FLAGS_EPILOG
FAILURE = batch.FAILURE
FINISHED_ON_RETURN = True

_SAMPLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".log", ".log.gz", ".har")


@dataclass(frozen=True)
class DemoConfig:
    logs: tuple[str, ...]  # the bundled sample files, sorted
    output: str
    ci_flags: tuple[str, ...] = ()  # batch's CI flags as given (pipelines/ci.py), shown in the command line
    batch: BatchConfig | None = None  # the batch run, checked before anything is printed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        default="statuslens-demo",
        metavar="DIR",
        help="Folder for the results (default: ./statuslens-demo; replaced if it exists).",
    )
    ci.add_ci_arguments(parser)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> DemoConfig:
    folder = resources.files("statuslens.sample")
    logs = sorted(
        str(folder / entry.name)
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SAMPLE_SUFFIXES)
    )
    parser = argparse.ArgumentParser()
    batch.add_arguments(parser)
    batch_args = parser.parse_args([])  # batch's defaults
    batch_args.input, batch_args.output, batch_args.overwrite = list(logs), args.output, True
    shown: list[str] = []
    for dest, flag in ci.CI_FLAGS:
        value = getattr(args, dest)
        setattr(batch_args, dest, value)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            shown += [flag, item]
    return DemoConfig(tuple(logs), args.output, tuple(shown), batch.config_from(batch_args, beam_args))


def run(config: DemoConfig, beam_args: list[str]) -> int:
    """Show the batch command line that the demo is, then run exactly that."""
    inputs = " ".join(f"--input {path}" for path in config.logs)
    extra = "".join(f" {shlex.quote(part)}" for part in config.ci_flags)
    print(f"statuslens batch {inputs} --output {config.output} --overwrite{extra}")
    assert config.batch is not None  # config_from always builds it
    return batch.run(config.batch, beam_args)
