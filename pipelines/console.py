"""The lines batch, demo and cron print after a run: counts in words (groups counted, nouns pluralised),
the warnings a person must see (damaged inputs, files in no known format), and where to look.

Every text that came from a log or a path goes through `one_line` (control characters shown escaped,
one line each).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from statuslens.transforms.outputs.printable import one_line
from statuslens.transforms.outputs.proposal_files import PROPOSAL_FILE_NAMES
from statuslens.transforms.outputs.summary import time_filtered
from statuslens.transforms.readers.formats import UNKNOWN
from statuslens.transforms.verdicts.classify import DOCUMENTED, VERDICTS

__all__ = [
    "LOG_FORMAT_HINT",
    "anomalies_line",
    "dead_letters_line",
    "plural",
    "print_summary",
    "warn_inputs",
    "where_to_look",
]

LOG_FORMAT_HINT = (
    "name its format with --log-format (jsonl, common, combined, combined_body, an nginx log_format "
    "or an Apache LogFormat string)"
)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 group`, `2 groups`, `0 groups` (`nouns` for an irregular plural: `1 entry`, `2 entries`)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def anomalies_line(groups: Iterable[Mapping[str, Any]]) -> str | None:
    """`anomalies: 13 groups, 237 records (undocumented_code 4 groups, …)`, expected ones said apart;
    None for a run without anomaly groups."""
    by_verdict = dict.fromkeys(VERDICTS, 0)  # in the verdicts line's order
    listed = expected = records = 0
    for group in groups:  # one pass, one group at a time (a run may have 100,000)
        by_verdict[group["verdict"]] = by_verdict.get(group["verdict"], 0) + 1
        listed += 1
        expected += "expected" in group
        records += group["count"]
    if not listed:
        return None
    parts = ", ".join(f"{verdict} {plural(n, 'group')}" for verdict, n in by_verdict.items() if n)
    tail = f"; {expected} of them expected" if expected else ""
    return f"anomalies: {plural(listed, 'group')}, {plural(records, 'record')} ({parts}){tail}"


def dead_letters_line(summary: Mapping[str, Any]) -> str | None:
    """`dead letters by reason: line matches no known log format 2, missing time 1` (most first)."""
    reasons = summary.get("dead_letter_reasons") or {}
    if not reasons:
        return None
    return "dead letters by reason: " + ", ".join(f"{one_line(reason)} {count}" for reason, count in reasons.items())


def warn_inputs(summary: Mapping[str, Any]) -> None:
    """On stderr: `warning: damaged input PATH: REASON` per damaged input, and per readable file whose
    format nothing recognised (each of its lines became a dead letter) a line naming it and --log-format."""
    for info in summary["inputs"]:
        path = one_line(info["path"])
        if info["damaged"]:
            print(f"warning: damaged input {path}: {one_line(info['damaged'])}", file=sys.stderr)
        elif info["format"] == UNKNOWN and info["dead_letter"]:
            print(
                f"warning: {path}: no known log format; its {plural(info['dead_letter'], 'line')} "
                f"became dead letters: {LOG_FORMAT_HINT}",
                file=sys.stderr,
            )


def where_to_look(output: str) -> str:
    """The last line: the report to open."""
    return f"open {one_line(_join(output, 'report.html'))}"


def print_summary(summary: Mapping[str, Any], groups: Iterable[Mapping[str, Any]], output: str) -> None:
    """A batch run's lines: totals, verdicts (records), anomalies (groups), dead letters by reason, the
    warnings on stderr, the result files, and where to look."""
    filtered = f", {summary['filtered_out']} filtered out" if time_filtered(summary) else ""  # --since/--until
    print(
        f"statuslens: {plural(summary['records_in'], 'record')} in, {summary['records_annotated']} annotated, "
        f"{plural(summary['dead_letter'], 'dead letter')}{filtered}, {plural(summary['blank_lines'], 'blank line')}"
    )
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in summary["verdicts"].items()))
    for line in (anomalies_line(g for g in groups if g["verdict"] != DOCUMENTED), dead_letters_line(summary)):
        if line is not None:
            print(line)
    warn_inputs(summary)
    files = ["anomalies.jsonl", "report.md", "report.html", "annotated/", "dead_letter/"]
    # The proposal files exist only when something was proposed (a remote folder is not looked into).
    files += [name for name in PROPOSAL_FILE_NAMES if "://" not in output and os.path.exists(_join(output, name))]
    print(f"results: {_join(output, 'summary.json')}, {', '.join(files)}")
    print(where_to_look(output))


def _join(folder: str, name: str) -> str:
    return f"{folder.rstrip('/')}/{name}" if "://" in folder else os.path.join(folder, name)
