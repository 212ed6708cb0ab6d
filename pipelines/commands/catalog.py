"""`statuslens catalog`: `import SPEC` writes the statuslens catalog of an OpenAPI / Swagger document;
`check FILE` loads a catalog or spec and says what it documents and what to look at (DOMAIN.md §9)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from statuslens.pipelines.atomic import atomic_write
from statuslens.transforms.errors import CatalogError, UsageError
from statuslens.transforms.verdicts.catalog import parse_catalog
from statuslens.transforms.verdicts.catalog_check import CatalogCheck, check_catalog, load_any
from statuslens.transforms.verdicts.envelopes import PRESETS

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "FAILURE",
    "FINISHED_ON_RETURN",
    "HELP",
    "NAME",
    "RUNS_PIPELINE",
    "CatalogConfig",
    "add_arguments",
    "config_from",
    "run",
]

NAME = "catalog"
HELP = "Import an OpenAPI / Swagger document as a status catalog, or check a catalog."
DESCRIPTION = (
    "`catalog import SPEC` writes the statuslens catalog YAML of an OpenAPI 3.x or Swagger 2.0 document "
    "(the same classification as --catalog SPEC); `catalog check FILE` loads a catalog or spec and prints "
    "its resources, rows per operation, envelope and warnings."
)
EPILOG: str | None = "$refs to other local files are followed relative to the file that holds them; URLs never."
FAILURE = "catalog failed"
FINISHED_ON_RETURN = True
RUNS_PIPELINE = False
MAX_WARNINGS_SHOWN = 40


@dataclass(frozen=True)
class CatalogConfig:
    action: str  # import or check
    path: Path
    output: Path | None = None
    envelope: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    importing = actions.add_parser("import", help="Write the catalog YAML of an OpenAPI / Swagger document.")
    importing.add_argument("spec", metavar="SPEC", help="OpenAPI 3.x or Swagger 2.0 document (YAML or JSON).")
    importing.add_argument("--output", default=None, metavar="FILE", help="Where to write it (default: stdout).")
    checking = actions.add_parser("check", help="Load a catalog or spec and say what it documents.")
    checking.add_argument("spec", metavar="FILE", help="A statuslens catalog YAML or an OpenAPI / Swagger document.")
    for sub in (importing, checking):
        sub.add_argument(
            "--envelope",
            default=None,
            choices=list(PRESETS),
            metavar="NAME",
            help=f"Envelope preset instead of the one the spec declares: {', '.join(PRESETS)}.",
        )


def config_from(args: argparse.Namespace, beam_args: list[str]) -> CatalogConfig:
    if beam_args:
        raise UsageError(f"statuslens catalog: unrecognized argument {beam_args[0]}")
    if args.action is None:
        raise UsageError("statuslens catalog: name an action: import SPEC or check FILE")
    output = Path(args.output) if getattr(args, "output", None) else None
    return CatalogConfig(args.action, Path(args.spec), output, args.envelope)


def run(config: CatalogConfig, beam_args: list[str]) -> int:
    try:
        if config.action == "import":
            return _import(config)
        _print_check(check_catalog(config.path, config.envelope))
    except CatalogError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _import(config: CatalogConfig) -> int:
    _, imported = load_any(config.path, config.envelope)
    if imported is None:
        raise UsageError(f"{config.path}: is a statuslens catalog already, not an OpenAPI or Swagger document")
    parse_catalog(imported.text.encode("utf-8"), str(config.path))  # what --catalog would load
    found = imported.found
    if config.output is None:
        sys.stdout.write(imported.text)
    else:
        try:
            atomic_write(config.output, imported.text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"--output {config.output}: cannot write: {exc.strerror or exc}") from exc
    where = f"wrote {config.output}" if config.output is not None else "catalog on stdout"
    print(
        f"{where}: {len(found.resources)} resources, {len(found.rows)} rows from {len(found.rows_per_operation)} "
        f"operations; envelope {found.envelope} ({found.envelope_reason}); {len(found.warnings)} warnings "
        f"(statuslens catalog check {config.path} lists them)",
        file=sys.stderr,
    )
    return 0


def _print_check(check: CatalogCheck) -> None:
    catalog = check.catalog
    print(f"catalog: {check.path} ({check.kind})")
    print(f"name: {catalog.name}" + (f" (edition {catalog.edition})" if catalog.edition else ""))
    print(f"envelope: {catalog.envelope.name} ({check.envelope_reason})")
    if catalog.base_paths:
        print(f"base paths (optional in request paths): {', '.join(catalog.base_paths)}")
    print(f"resources: {len(catalog.resources)}")
    for resource in catalog.resources:
        print(f"  {resource.template}")
    print(f"rows: {len(catalog.rows)}")
    for scope, count in check.rows_per_scope:
        print(f"  {count:4d}  {scope}")
    print(f"warnings: {len(check.warnings)}")
    for warning in check.warnings[:MAX_WARNINGS_SHOWN]:
        print(f"  warning: {warning}")
    if len(check.warnings) > MAX_WARNINGS_SHOWN:
        print(f"  … and {len(check.warnings) - MAX_WARNINGS_SHOWN} more")
