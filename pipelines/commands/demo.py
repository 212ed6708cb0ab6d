"""`statuslens demo`: `statuslens batch` on the sample logs bundled with statuslens."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib import resources

from statuslens.pipelines import flags
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        default="statuslens-demo",
        metavar="DIR",
        help="Folder for the results (default: ./statuslens-demo; replaced if it exists).",
    )


def config_from(args: argparse.Namespace, beam_args: list[str]) -> DemoConfig:
    folder = resources.files("statuslens.sample")
    logs = sorted(
        str(folder / entry.name)
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SAMPLE_SUFFIXES)
    )
    return DemoConfig(tuple(logs), args.output)


def run(config: DemoConfig, beam_args: list[str]) -> int:
    """Show the batch command line that the demo is, then run exactly that."""
    inputs = " ".join(f"--input {path}" for path in config.logs)
    print(f"statuslens batch {inputs} --output {config.output} --overwrite")
    parser = argparse.ArgumentParser()
    batch.add_arguments(parser)
    args = parser.parse_args([])  # batch's defaults
    args.input, args.output, args.overwrite = list(config.logs), config.output, True
    return batch.run(batch.config_from(args, beam_args), beam_args)
