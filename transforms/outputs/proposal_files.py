"""Which file the proposals are written as, in the catalog's own language (DOMAIN.md §9): a patched
YAML catalog (patched_catalog.py) or an OpenAPI Overlay (overlay.py); nothing when nothing is proposed."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.overlay import OVERLAY_NAME, build_overlay, render_overlay
from statuslens.transforms.outputs.patched_catalog import PATCHED_CATALOG_NAME, patch_catalog
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["PROPOSAL_FILE_NAMES", "proposal_files"]

PROPOSAL_FILE_NAMES = (PATCHED_CATALOG_NAME, OVERLAY_NAME)


def proposal_files(
    catalog: Catalog, groups: Sequence[AnomalyGroup], proposed: Sequence[ProposedRow], expected: Collection[str]
) -> list[tuple[str, bytes]]:
    """(file name, bytes) to write beside the report."""
    source = catalog.proposal_source
    if isinstance(source, str):
        text = patch_catalog(source, catalog, proposed)
        return [] if text is None else [(PATCHED_CATALOG_NAME, text.encode("utf-8"))]
    if source is not None:
        doc = build_overlay(groups, source, catalog.envelope, expected)
        return [] if doc is None else [(OVERLAY_NAME, render_overlay(doc).encode("utf-8"))]
    return []
