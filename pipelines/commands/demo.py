"""`statuslens demo`: `statuslens batch` on the sample logs bundled with statuslens."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass
from importlib import resources

from statuslens.pipelines import flags
from statuslens.pipelines.batch import BatchConfig
from statuslens.pipelines.commands import batch

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "FAILURE",
    "FINISHED_ON_RETURN",
    "HELP",
    "NAME",
    "RUNS_PIPELINE",
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
RUNS_PIPELINE = True

_SAMPLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".log", ".log.gz", ".har")


_OWN = frozenset({"input", "output", "overwrite", "help"})  # the demo's inputs, its folder, always replaced


@dataclass(frozen=True)
class DemoConfig:
    logs: tuple[str, ...]  # the bundled sample files, sorted
    output: str
    shown_flags: tuple[str, ...] = ()  # batch's flags as given, shown in the command line
    batch: BatchConfig | None = None  # the batch run, checked before anything is printed


def _batch_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    batch.add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--output, and every flag of batch but the ones the demo sets itself (--input, --overwrite)."""
    parser.add_argument(
        "--output",
        default="statuslens-demo",
        metavar="DIR",
        help="Folder for the results (default: ./statuslens-demo; replaced if it exists).",
    )
    for action in _batch_parser()._actions:
        if action.dest not in _OWN:
            parser._add_action(action)


def config_from(args: argparse.Namespace, beam_args: list[str]) -> DemoConfig:
    folder = resources.files("statuslens.sample")
    logs = sorted(
        str(folder / entry.name)
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SAMPLE_SUFFIXES)
    )
    parser = _batch_parser()
    batch_args = parser.parse_args([])  # batch's defaults
    batch_args.input, batch_args.output, batch_args.overwrite = list(logs), args.output, True
    shown: list[str] = []
    for action in parser._actions:
        if action.dest in _OWN or not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        setattr(batch_args, action.dest, value)
        if value != action.default:
            shown += _as_flags(action, value)
    return DemoConfig(tuple(logs), args.output, tuple(shown), batch.config_from(batch_args, beam_args))


def _as_flags(action: argparse.Action, value: object) -> list[str]:
    """A flag's value as the words that give it: `--quiet`, `--fail-on a --fail-on b`, `--since T`."""
    flag = action.option_strings[0]
    if isinstance(action, argparse._StoreTrueAction):
        return [flag]
    items = value if isinstance(value, list) else [value]
    return [word for item in items for word in (flag, str(item))]


def run(config: DemoConfig, beam_args: list[str]) -> int:
    """Show the batch command line that the demo is, then run exactly that."""
    inputs = " ".join(f"--input {path}" for path in config.logs)
    extra = "".join(f" {shlex.quote(part)}" for part in config.shown_flags)
    print(f"statuslens batch {inputs} --output {config.output} --overwrite{extra}")
    assert config.batch is not None  # config_from always builds it
    return batch.run(config.batch, beam_args)
