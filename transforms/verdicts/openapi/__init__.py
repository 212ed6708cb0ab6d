"""OpenAPI 3.x and Swagger 2.0 documents as status catalogs (DOMAIN.md §9): local `$ref`s only,
rows per operation x status x subcode value, the envelope the error schemas declare, and the
catalog YAML `statuslens catalog import` writes (which is also what `--catalog spec.yaml` parses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statuslens.transforms.verdicts.openapi.importer import SpecImport, build_import
from statuslens.transforms.verdicts.openapi.render import render_catalog

__all__ = ["ImportedSpec", "import_spec", "is_spec"]


@dataclass(frozen=True)
class ImportedSpec:
    found: SpecImport
    text: str  # the catalog YAML


def is_spec(doc: Any) -> bool:
    """Whether a loaded document is an OpenAPI or Swagger document rather than a statuslens catalog."""
    return isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc)


def import_spec(path: Path, doc: Any, envelope: str | None = None) -> ImportedSpec:
    """The catalog of the spec at `path` (already loaded as `doc`); SpecError when it cannot be one."""
    found = build_import(path, doc, envelope)
    return ImportedSpec(found, render_catalog(found, path.name))
