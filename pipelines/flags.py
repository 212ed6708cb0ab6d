"""Command-line flags shared by the commands: ours (help texts that state formats), their checks, and
Beam's flags, which pass through after a check that Beam knows them. Every check raises UsageError."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from statuslens.pipelines.plan import DEFAULT_BATCH_RUNNER, check_runner
from statuslens.transforms.aggregation.analyzer import ANNOTATED_MODES
from statuslens.transforms.errors import CatalogError, UsageError
from statuslens.transforms.readers.formats import validate_log_format
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.redact import redact_text
from statuslens.transforms.verdicts.catalog import Catalog, load_catalog

__all__ = [
    "BEAM_FLAGS_EPILOG",
    "add_analysis_arguments",
    "add_progress_arguments",
    "beam_args",
    "beam_flags_epilog",
    "catalog",
    "duration",
    "field_map",
    "log_format",
    "one_line",
    "parse_field_map",
    "progress",
    "read_profile",
    "require_pubsub",
    "required",
    "unknown_beam_flags",
]


def beam_flags_epilog(default_runner: str, examples: str = "") -> str:
    """The help paragraph on Beam's flags, naming the runner this command uses when none is given."""
    return (
        f"Beam's pipeline flags pass through unchanged, e.g. --runner (default: the in-process {default_runner}), "
        f"{examples}--job_endpoint, --project, --temp_location, --setup_file."
    )


# batch, demo and cron: the local runner's worker flags are worth naming there.
BEAM_FLAGS_EPILOG = beam_flags_epilog(
    DEFAULT_BATCH_RUNNER, "--direct_running_mode multi_processing --direct_num_workers 2, "
)


def add_analysis_arguments(parser: Any) -> None:
    """Flags about how records are read and judged, shared by every subcommand."""
    parser.add_argument(
        "--catalog",
        default=None,
        metavar="FILE",
        help="Status catalog YAML, or an OpenAPI 3.x / Swagger 2.0 document (default: the bundled netflix-api.yaml; "
        "schema in configs/catalogs/SCHEMA.md).",
    )
    parser.add_argument(
        "--log-format",
        dest="log_format",
        default=None,
        metavar="NAME|STRING",
        help="Format of every line-oriented input instead of detection: jsonl, common, "
        "combined, combined_body, an nginx log_format string such as "
        '\'$remote_addr [$time_local] "$request" $status "$resp_body"\' or an Apache LogFormat '
        "string such as '%%h %%l %%u %%t \"%%r\" %%>s %%b'. HAR files are always read as HAR.",
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
        choices=ANNOTATED_MODES,
        default="errors",
        help="Which annotated records to write: errors (default: effective code >= 400, "
        "not documented, or flagged), all, or none.",
    )


def add_progress_arguments(parser: Any) -> None:
    """--progress and --quiet (batch, demo, cron): the progress line on stderr, forced on or off."""
    parser.add_argument(
        "--progress",
        action="store_true",
        default=False,
        help="Show the progress line on stderr even when it is not a terminal (then one line every 5 s).",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        default=False,
        help="No progress line, even on a terminal (the summary lines still print).",
    )


def progress(args: argparse.Namespace) -> bool:
    """Whether to draw the progress line: --progress, --quiet, else when stderr is a terminal."""
    if args.progress and args.quiet:
        raise UsageError("--progress and --quiet cannot be given together")
    if args.progress or args.quiet:
        return bool(args.progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def beam_args(command: str, profile: str | None, extra: list[str]) -> list[str]:
    """The Beam flags of a run: the --profile file's, then the command line's (which win)."""
    flags = [*read_profile(profile), *extra]
    unknown = unknown_beam_flags(flags)
    if unknown:
        raise UsageError(f"statuslens {command}: unrecognized argument {unknown[0]}")
    check_runner(flags)
    return flags


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


def required(value: Any, flag: str, command: str = "batch") -> Any:
    if not value:
        raise UsageError(f"statuslens {command}: {flag} is required")
    return value


def duration(text: str, flag: str) -> float:
    """Seconds of a duration flag: 300, 90s, 5m, 1h or 2d."""
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


def catalog(path: str | None) -> Catalog:
    """The --catalog file loaded (the bundled one without it)."""
    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise UsageError(f"--catalog: {exc}") from exc


def log_format(spec: str | None) -> str | None:
    if spec is None:
        return None
    try:
        return validate_log_format(spec)
    except ValueError as exc:
        raise UsageError(f"--log-format: {exc}") from exc


def field_map(values: list[str] | None) -> dict[str, str]:
    """The --field-map overrides, checked against the fields a JSON line has."""
    mapping = parse_field_map(values)
    try:
        FieldMap.with_overrides(mapping)
    except ValueError as exc:
        raise UsageError(f"--field-map: {exc}") from exc
    return mapping


def require_pubsub(command: str) -> None:
    try:
        import google.cloud.pubsub_v1  # noqa: F401
    except ImportError:
        raise UsageError(
            f"statuslens {command} needs Pub/Sub support: pip install 'statuslens[stream]' (apache-beam[gcp])"
        ) from None


def one_line(exc: BaseException) -> str:
    """An error as one line for stderr, with any credential in it redacted (§7 covers messages too)."""
    text = redact_text(" ".join(str(exc).split()))
    return (text[:300] + "…") if len(text) > 300 else text or type(exc).__name__
