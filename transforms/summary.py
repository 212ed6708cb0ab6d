"""`summary.json` (DOMAIN.md §6) from the merged counts, the input list and the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statuslens.transforms.annotate import FLAGS
from statuslens.transforms.catalog import Catalog
from statuslens.transforms.classify import VERDICTS
from statuslens.transforms.sources import InputInfo

__all__ = ["build_summary"]


def build_summary(counts: dict[tuple[Any, ...], int], inputs: Iterable[InputInfo], catalog: Catalog,
                  started_at: str, finished_at: str) -> dict[str, Any]:
    """The summary in contract order; every verdict and flag key present, zeros included."""
    status_codes = sorted((key[1], n) for key, n in counts.items() if key[0] == "status")
    return {
        "records_in": counts.get(("records_in",), 0),
        "records_annotated": counts.get(("records_annotated",), 0),
        "dead_letter": counts.get(("dead_letter",), 0),
        "blank_lines": counts.get(("blank_lines",), 0),
        "verdicts": {v: counts.get(("verdict", v), 0) for v in VERDICTS},
        "flags": {f: counts.get(("flag", f), 0) for f in FLAGS},
        "status_codes": {str(code): n for code, n in status_codes},
        "inputs": [
            {
                "path": info.path,
                "format": info.format,
                "compression": info.compression,
                "records": counts.get(("input_records", info.path), 0),
                "dead_letter": counts.get(("input_dead_letter", info.path), 0),
                "damaged": info.damaged,
            }
            for info in sorted(inputs, key=lambda i: i.path)
        ],
        "catalog": {"name": catalog.name, "sha256": catalog.sha256},
        "started_at": started_at,
        "finished_at": finished_at,
    }
