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

__all__ = ["build_summary", "counts_from_summary", "merge_inputs", "summary_counts", "time_filtered"]

_TOTALS = ("records_in", "records_annotated", "dead_letter", "blank_lines", "filtered_out")


def build_summary(
    counts: Counts,
    inputs: Iterable[InputInfo],
    catalog: Catalog,
    started_at: str,
    finished_at: str,
    time_filtered: bool = False,
) -> dict[str, Any]:
    """The summary in contract order; every verdict and flag key present, zeros included, and after
    `status_codes` the dead letters by reason (`dead_letter_reasons`, {} without dead letters).

    `filtered_out` follows `dead_letter` in the totals always (0 without --since/--until: DOMAIN.md
    §10, so `records_in == records_annotated + dead_letter + filtered_out` holds for every summary), and
    in each input only when `time_filtered` (the inputs' shape of §6 stays as it was without the flags)."""
    none = InputCounts()
    totals = _after_dead_letter(summary_counts(counts), counts.filtered_out)
    # README's addition to §6: dead letters by the kind of their reason, most first.
    totals["dead_letter_reasons"] = dict(sorted(counts.dead_letter_reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    listed = []
    for info in merge_inputs(inputs):
        mine = counts.inputs.get(info.path, none)
        entry = {
            "path": info.path,
            "format": info.format,
            "compression": info.compression,
            "records": mine.records,
            "dead_letter": mine.dead_letter,
            "damaged": info.damaged,
        }
        listed.append(_after_dead_letter(entry, mine.filtered_out) if time_filtered else entry)
    return {
        **totals,
        "inputs": listed,
        "catalog": {"name": catalog.name, "sha256": catalog.sha256},
        "started_at": started_at,
        "finished_at": finished_at,
    }


def time_filtered(summary: Mapping[str, Any]) -> bool:
    """Whether the run had --since/--until: then each input of its summary counts its own `filtered_out`."""
    return any("filtered_out" in info for info in summary["inputs"])


def _after_dead_letter(doc: dict[str, Any], filtered_out: int) -> dict[str, Any]:
    """`doc` with `filtered_out` inserted right after its `dead_letter` key."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        out[key] = value
        if key == "dead_letter":
            out["filtered_out"] = filtered_out
    return out


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
        inputs={
            i["path"]: InputCounts(i["records"], i["dead_letter"], i.get("filtered_out", 0))
            for i in doc.get("inputs", [])
        },
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
