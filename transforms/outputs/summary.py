"""`summary.json` (DOMAIN.md §6) from the merged counts, the input list and the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.verdicts.annotate import FLAGS
from statuslens.transforms.verdicts.catalog import Catalog
from statuslens.transforms.verdicts.classify import VERDICTS

__all__ = ["build_summary", "merge_inputs"]


def build_summary(
    counts: dict[tuple[Any, ...], int], inputs: Iterable[InputInfo], catalog: Catalog, started_at: str, finished_at: str
) -> dict[str, Any]:
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
            for info in merge_inputs(inputs)
        ],
        "catalog": {"name": catalog.name, "sha256": catalog.sha256},
        "started_at": started_at,
        "finished_at": finished_at,
    }


def merge_inputs(inputs: Iterable[InputInfo]) -> list[InputInfo]:
    """One InputInfo per path, sorted: a file read as several ranges is one input of the summary."""
    by_path: dict[str, list[InputInfo]] = {}
    for info in inputs:
        by_path.setdefault(info.path, []).append(info)
    merged = []
    for path, infos in sorted(by_path.items()):
        formats = sorted({i.format for i in infos}, key=lambda f: (f == "unknown", f))
        damage = sorted({i.damaged for i in infos if i.damaged})
        merged.append(InputInfo(path, formats[0], infos[0].compression, "; ".join(damage) or None))
    return merged
