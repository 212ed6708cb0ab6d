"""Command-line flags: ours (with help texts that state formats) and Beam's, which pass through."""

from __future__ import annotations

import argparse
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from statuslens.transforms.errors import UsageError

__all__ = ["add_analysis_arguments", "add_batch_arguments", "parse_field_map", "read_profile", "unknown_beam_flags"]

BEAM_FLAGS_EPILOG = (
    "Beam's pipeline flags pass through unchanged, e.g. --runner (default: the in-process FnApiRunner), "
    "--direct_running_mode multi_processing --direct_num_workers 2, --job_endpoint, --project, "
    "--temp_location, --setup_file."
)


def add_batch_arguments(parser: Any) -> None:
    """The batch job's flags (cron reuses them)."""
    parser.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="GLOB",
        help="Log files to read: a path or glob, local or on any Beam filesystem (gs://…). "
        "Repeat for several. Format and compression (gzip, bzip2, xz) are detected "
        "per file.",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="Folder for summary.json, anomalies.jsonl, annotated/, dead_letter/, report.md and report.html.",
    )
    add_analysis_arguments(parser)
    parser.add_argument(
        "--overwrite",
        action="store_true",
        default=False,
        help="Replace the previous statuslens outputs in a non-empty --output folder "
        "(other files there are left alone).",
    )


def add_analysis_arguments(parser: Any) -> None:
    """Flags about how records are read and judged, shared by every subcommand."""
    parser.add_argument(
        "--catalog",
        default=None,
        metavar="FILE",
        help="Status catalog YAML (default: the bundled netflix-api.yaml; schema in configs/catalogs/SCHEMA.md).",
    )
    parser.add_argument(
        "--log-format",
        dest="log_format",
        default=None,
        metavar="NAME|STRING",
        help="Format of every line-oriented input instead of detection: jsonl, common, "
        "combined, combined_body, or an nginx log_format string such as "
        '\'$remote_addr [$time_local] "$request" $status "$resp_body"\'. '
        "HAR files are always read as HAR.",
    )
    parser.add_argument(
        "--field-map",
        dest="field_map",
        action="append",
        default=None,
        metavar="FIELD=NAME",
        help="JSON lines: read FIELD (time, method, url, status, body, response_headers, "
        "request) from the key NAME (dotted for nested objects). Repeatable.",
    )
    parser.add_argument(
        "--profile",
        default=None,
        metavar="FILE",
        help="A file of Beam flags, one per line, '#' comments (configs/runners/*.args: "
        "flink, spark, dataflow, portable-local); flags given on the command line win.",
    )
    parser.add_argument(
        "--annotated",
        choices=("errors", "all", "none"),
        default="errors",
        help="Which annotated records to write: errors (default: effective code >= 400, "
        "not documented, or flagged), all, or none.",
    )


def read_profile(path: str | None) -> list[str]:
    """The Beam flags of a runner profile file (one per line; blank lines and '#' comments skipped)."""
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise UsageError(f"--profile {path!r}: cannot read: {exc.strerror or exc}") from exc
    flags = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    for flag in flags:
        if not flag.startswith("--"):
            raise UsageError(f"--profile {path!r}: {flag!r} is not a --flag")
    return flags


def parse_field_map(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or []:
        field, sep, name = value.partition("=")
        if not sep or not field.strip() or not name.strip():
            raise UsageError(f"--field-map {value!r}: expected FIELD=NAME, e.g. time=@ts")
        out[field.strip()] = name.strip()
    return out


def unknown_beam_flags(args: list[str]) -> list[str]:
    """The flags in `args` that no Beam PipelineOptions class knows (Beam itself only warns)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, conflict_handler="resolve")
    seen: set[type] = set()
    pending = list(PipelineOptions.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        cls._add_argparse_args(parser)  # type: ignore[arg-type]  # Beam's parser is an ArgumentParser
    _, unknown = parser.parse_known_args(args)
    return [arg for arg in unknown if arg.startswith("-")] or [a for a in unknown if a]
