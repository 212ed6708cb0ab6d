"""The output contract's field lists (DOMAIN.md §6 to §8, with README's additions), in contract order:
the tests of the CLI, the summary and the groups check against these one copies."""

from __future__ import annotations

SUMMARY_KEYS = [
    "records_in",
    "records_annotated",
    "dead_letter",
    "filtered_out",
    "blank_lines",
    "verdicts",
    "flags",
    "status_codes",
    "dead_letter_reasons",  # README: dead letters by reason (issue 11)
    "inputs",
    "catalog",
    "started_at",
    "finished_at",
]
ANNOTATED_KEYS = [
    "time",
    "method",
    "url",
    "resource",
    "http_status",
    "status_code",
    "sub_code",
    "message",
    "body_format",
    "gateway_code",
    "verdict",
    "flags",
    "catalog_message",
    "consumer",
    "source",
]
GROUP_KEYS = [
    "verdict",
    "status_code",
    "sub_code",
    "message",
    "method",
    "resource",
    "count",
    "first_seen",
    "last_seen",
    "consumers",
    "samples",
    "explanation",
    "causes",  # DOMAIN.md §8
    "top_consumers",
]
