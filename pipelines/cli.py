"""The `statuslens` command: parse, validate, build, run. Nothing else.

Exit status: 0 the run finished (dead letters and damaged inputs included), 1 the run failed,
2 a usage error (bad flag, empty glob, unreadable catalog, non-empty output folder).
"""

from __future__ import annotations

import argparse
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
    UsageError,
    add_batch_arguments,
    parse_field_map,
    unknown_beam_flags,
)

__all__ = ["main"]


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
    parser = _Parser(prog="statuslens", description="Check API error responses in access logs against "
                     "the documented status table, and say what the docs are missing.")
    parser.add_argument("--version", action="version", version=f"statuslens {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    batch = commands.add_parser("batch", help="Analyse log files once and write the results to a folder.",
                                description="Analyse log files (JSON lines, nginx/Apache lines, HAR; "
                                "plain, gzip, bzip2 or xz) and write the results to --output.",
                                epilog=BEAM_FLAGS_EPILOG)
    add_batch_arguments(batch)
    demo = commands.add_parser("demo", help="Run batch on the sample logs bundled with statuslens.",
                               description="Run `statuslens batch` on the bundled sample (JSON lines, "
                               "combined_body and HAR files) and write the results to --output.",
                               epilog=BEAM_FLAGS_EPILOG)
    demo.add_argument("--output", default="statuslens-demo", metavar="DIR",
                      help="Folder for the results (default: ./statuslens-demo; replaced if it exists).")
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
        unknown = unknown_beam_flags(extra)
        if unknown:
            raise UsageError(f"statuslens {args.command}: unrecognized argument {unknown[0]}")
        if args.command == "demo":
            args = _demo_args(args, parser)
        if args.command in ("batch", "demo"):
            return _batch(args, extra)
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


def _demo_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The batch arguments that run the bundled sample."""
    from importlib import resources

    folder = resources.files("statuslens.sample")
    logs = sorted(str(folder / entry.name) for entry in folder.iterdir()
                  if entry.is_file() and entry.name.endswith(_SAMPLE_SUFFIXES))
    print("statuslens batch " + " ".join(f"--input {path}" for path in logs) + f" --output {args.output} --overwrite")
    return parser.parse_args(["batch", *(f"--input={path}" for path in logs), "--output", args.output,
                              "--overwrite"])


_SAMPLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".log", ".log.gz", ".har")


def _required(value: Any, flag: str) -> Any:
    if not value:
        raise UsageError(f"statuslens batch: {flag} is required")
    return value


def _catalog(path: str | None) -> Any:
    from statuslens.transforms.catalog import CatalogError, load_catalog

    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise UsageError(f"--catalog: {exc}") from exc


def _log_format(spec: str | None) -> str | None:
    from statuslens.transforms.formats import validate_log_format

    if spec is None:
        return None
    try:
        return validate_log_format(spec)
    except ValueError as exc:
        raise UsageError(f"--log-format: {exc}") from exc


def _field_map(values: list[str] | None) -> dict[str, str]:
    from statuslens.transforms.jsonlines import FieldMap

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
    print(f"statuslens: {summary['records_in']} records in, {summary['records_annotated']} annotated, "
          f"{summary['dead_letter']} dead letters, {summary['blank_lines']} blank lines")
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in summary["verdicts"].items()))
    if anomalies:
        print("anomalies: " + ", ".join(f"{k} {v}" for k, v in anomalies.items()))
    for info in summary["inputs"]:
        if info["damaged"]:
            print(f"warning: damaged input {info['path']}: {info['damaged']}", file=sys.stderr)
    print(f"results: {output}{os.sep}summary.json, anomalies.jsonl, report.md, report.html, "
          "annotated/, dead_letter/")


def _quiet_beam() -> None:
    """Beam logs every stage at INFO and warns about optional GCP modules; users want our summary."""
    if not os.environ.get("STATUSLENS_DEBUG"):
        logging.getLogger().setLevel(logging.ERROR)
        logging.getLogger("apache_beam").setLevel(logging.ERROR)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:300] + "…") if len(text) > 300 else text or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
