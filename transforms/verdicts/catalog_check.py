"""What `statuslens catalog check` says about a catalog or spec: what a team needs to trust it.

Resources, rows per operation (per applies-to phrase for a YAML catalog), the envelope and, for a
spec, why; then warnings: operations that document only `default`, error responses whose schema
names no subcode enum, refs that do not resolve outside the responses, duplicate rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from statuslens.transforms.verdicts.catalog import Catalog, parse_catalog, parse_catalog_document
from statuslens.transforms.verdicts.catalog_rows import StatusRow
from statuslens.transforms.verdicts.documents import load_document, read_capped
from statuslens.transforms.verdicts.openapi import ImportedSpec, import_spec, is_spec

__all__ = ["CatalogCheck", "check_catalog", "load_any"]


@dataclass
class CatalogCheck:
    path: str
    kind: str  # "statuslens catalog" or "OpenAPI 3.0.3" / "Swagger 2.0"
    catalog: Catalog
    envelope_reason: str
    rows_per_scope: list[tuple[str, int]]
    warnings: list[str] = field(default_factory=list)


def load_any(path: Path, envelope: str | None = None) -> tuple[Catalog, ImportedSpec | None]:
    """The catalog of a file that is a statuslens catalog or a spec, and the import when it is a spec."""
    raw = read_capped(path, "catalog")
    doc = load_document(raw, str(path))
    if not is_spec(doc):
        return parse_catalog_document(doc, raw, str(path)), None
    imported = import_spec(path, doc, envelope)
    return parse_catalog(imported.text.encode("utf-8"), str(path)), imported


def check_catalog(path: Path, envelope: str | None = None) -> CatalogCheck:
    catalog, imported = load_any(path, envelope)
    if imported is None:
        counts = Counter(row.applies_to for row in catalog.rows)
        per_scope = list(counts.items())
        kind, reason, warnings = "statuslens catalog", "its envelope: key (netflix when it has none)", []
    else:
        found = imported.found
        per_scope = found.rows_per_operation
        kind = ("Swagger " if found.version == "2.0" else "OpenAPI ") + found.version
        reason, warnings = found.envelope_reason, list(found.warnings)
    seen: Counter[tuple[str, str, str, tuple[str, ...]]] = Counter(
        (row.code_label, "" if row.subcode is None else str(row.subcode), row.applies_to, _texts(row))
        for row in catalog.rows
    )
    for (code, subcode, applies_to, _), times in seen.items():
        if times > 1:
            label = f"{code}/{subcode}" if subcode else code
            warnings.append(f"duplicate row: {label} for {applies_to} appears {times} times")
    return CatalogCheck(str(path), kind, catalog, reason, per_scope, warnings)


def _texts(row: StatusRow) -> tuple[str, ...]:
    return tuple(pattern.text for pattern in row.messages)
