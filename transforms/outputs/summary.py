"""`summary.json` (DOMAIN.md §6) from the merged counts, the input list and the catalog.

`summary_counts` is the counting part of it (a stream window's summary line and cron's cumulative
totals use it too), and `counts_from_summary` reads that part back into a `Counts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.verdicts.annotate import FLAGS
from statuslens.transforms.verdicts.catalog import Catalog
from statuslens.transforms.verdicts.classify import VERDICTS

__all__ = ["build_summary", "counts_from_summary", "merge_inputs", "summary_counts"]

_TOTALS = ("records_in", "records_annotated", "dead_letter", "blank_lines")


def build_summary(
    counts: Counts, inputs: Iterable[InputInfo], catalog: Catalog, started_at: str, finished_at: str
) -> dict[str, Any]:
    """The summary in contract order; every verdict and flag key present, zeros included."""
    none = InputCounts()
    return {
        **summary_counts(counts),
        "inputs": [
            {
                "path": info.path,
                "format": info.format,
                "compression": info.compression,
                "records": counts.inputs.get(info.path, none).records,
                "dead_letter": counts.inputs.get(info.path, none).dead_letter,
                "damaged": info.damaged,
            }
            for info in merge_inputs(inputs)
        ],
        "catalog": {"name": catalog.name, "sha256": catalog.sha256},
        "started_at": started_at,
        "finished_at": finished_at,
    }


def summary_counts(counts: Counts) -> dict[str, Any]:
    """`records_in`, `records_annotated`, `dead_letter`, `blank_lines`, `verdicts`, `flags` and
    `status_codes` (effective code as text -> count, codes in order)."""
    return {
        "records_in": counts.records_in,
        "records_annotated": counts.records_annotated,
        "dead_letter": counts.dead_letter,
        "blank_lines": counts.blank_lines,
        "verdicts": {v: counts.verdicts.get(v, 0) for v in VERDICTS},
        "flags": {f: counts.flags.get(f, 0) for f in FLAGS},
        "status_codes": {str(code): n for code, n in sorted(counts.status_codes.items())},
    }


def counts_from_summary(doc: Mapping[str, Any]) -> Counts:
    """The counts a summary (or part of one) states; what it leaves out counts zero."""
    return Counts(
        **{name: doc.get(name, 0) for name in _TOTALS},
        verdicts=dict(doc.get("verdicts", {})),
        flags=dict(doc.get("flags", {})),
        status_codes={int(code): n for code, n in doc.get("status_codes", {}).items()},
        inputs={i["path"]: InputCounts(i["records"], i["dead_letter"]) for i in doc.get("inputs", [])},
    )


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
