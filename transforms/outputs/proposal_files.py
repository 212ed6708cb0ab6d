"""Which file the proposals are written as, in the catalog's own language (DOMAIN.md §9): a patched
YAML catalog (patched_catalog.py) or an OpenAPI Overlay (overlay.py); nothing when nothing is proposed."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.overlay import OVERLAY_NAME, build_overlay, render_overlay
from statuslens.transforms.outputs.patched_catalog import PATCHED_CATALOG_NAME, patch_catalog
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.report_model import MAX_ANOMALIES, MAX_LISTED
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["PROPOSAL_FILE_NAMES", "proposal_files"]

PROPOSAL_FILE_NAMES = (PATCHED_CATALOG_NAME, OVERLAY_NAME)


def proposal_files(
    catalog: Catalog,
    groups: Sequence[AnomalyGroup],
    proposed: Sequence[ProposedRow],
    expected: Collection[str],
    row_count: int | None = None,
) -> list[tuple[str, bytes]]:
    """(file name, bytes) to write beside the report.

    One size policy with the reports: a file for people to review and apply holds what the report
    lists — the first MAX_LISTED proposed rows (`proposed`, of `row_count`), or for an overlay what
    the report's ranked groups (`groups`, the first MAX_ANOMALIES) need — and says how much it left
    out; anomalies.jsonl has every group."""
    source = catalog.proposal_source
    rows = list(proposed[:MAX_LISTED])
    more_rows = max(0, (len(proposed) if row_count is None else row_count) - len(rows))
    if isinstance(source, str):
        text = patch_catalog(source, catalog, rows)
        if text is not None and more_rows:
            text += f"# ... and {more_rows} more proposed rows, left out (the report lists the first {MAX_LISTED}).\n"
        return [] if text is None else [(PATCHED_CATALOG_NAME, text.encode("utf-8"))]
    if source is not None:
        listed = list(groups[:MAX_ANOMALIES])
        doc = build_overlay(listed, source, catalog.envelope, expected)
        more_groups = len(groups) - len(listed)
        return [] if doc is None else [(OVERLAY_NAME, render_overlay(doc, more_groups).encode("utf-8"))]
    return []
