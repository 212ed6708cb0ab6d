"""Hand-made results for the report tests: records, groups, flagged stats and a summary, as a run makes them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from statuslens.transforms.model.causes import (
    BurstCause,
    Cause,
    ConsumerShare,
    Episode,
    RateLimitCause,
    TransientCause,
)
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats
from statuslens.transforms.model.records import AnnotatedRecord
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.report_model import Report, build_report

RECORD = AnnotatedRecord(
    time="2009-12-10T21:40:10.000Z",
    method="POST",
    url="/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED",
    resource="users/{user_token}/queues/instant",
    http_status=412,
    status_code=412,
    sub_code=710,
    message="Title already in queue",
    body_format="xml",
    gateway_code=None,
    verdict="undocumented_subcode",
    flags=[],
    catalog_message=None,
    consumer="abc",
    source="logs/api.jsonl:7",
)


def record(**changes: Any) -> AnnotatedRecord:
    return replace(RECORD, **changes)


def group(*records: AnnotatedRecord, explanation: str | None = "412 is documented with subcodes 1, 2.") -> AnomalyGroup:
    """The group of `records` (RECORD if none), as GroupStats accumulates it in a run."""
    records = records or (RECORD,)
    stats = GroupStats()
    for n, rec in enumerate(records):
        stats.add((1_260_481_210_000 + n * 1000, "logs/api.jsonl", n), rec, explanation)
    return AnomalyGroup.from_stats(GroupKey.of_record(records[0]), stats)


def flag_stats(*records: AnnotatedRecord) -> GroupStats:
    stats = GroupStats(limit=5)
    for n, rec in enumerate(records):
        stats.add((1_260_481_210_000 + n, "logs/api.jsonl", n), rec)
    return stats


def summary(damaged: str | None = None, **counts: int) -> dict[str, Any]:
    """A summary.json as build_summary writes it (counts default to small round numbers)."""
    return {
        "records_in": counts.get("records_in", 10),
        "records_annotated": counts.get("records_annotated", 9),
        "dead_letter": counts.get("dead_letter", 1),
        "blank_lines": counts.get("blank_lines", 0),
        "verdicts": {
            "documented": 6,
            "undocumented_code": 0,
            "undocumented_subcode": 3,
            "undocumented_message": 0,
            "out_of_scope": 0,
        },
        "flags": {"body_unparseable": 1, "http_status_mismatch": 0},
        "status_codes": {"200": 6, "412": 3},
        "inputs": [
            {
                "path": "logs/api.jsonl",
                "format": "jsonl",
                "compression": None,
                "records": 9,
                "dead_letter": 1,
                "damaged": None,
            },
            {
                "path": "logs/cut.log.gz",
                "format": "nginx",
                "compression": "gzip",
                "records": 0,
                "dead_letter": 0,
                "damaged": damaged,
            },
        ],
        "catalog": {"name": "gracenote-v1", "sha256": "0123456789abcdef" * 4},
        "started_at": "2026-12-02T00:00:00.000Z",
        "finished_at": "2026-12-02T00:00:01.500Z",
    }


PROPOSED = ProposedRow(
    412, 710, "POSTs to users/{user_token}/queues/instant", "Title already in queue", 3, ("undocumented_subcode",)
)


def empty_report() -> Report:
    """A run in which every record was documented."""
    return build_report(summary(), [], [], [])


def full_report() -> Report:
    """Two groups, one flag, a damaged input and two proposed rows: every section of the page."""
    queued = group(RECORD, record(consumer="def", source="logs/api.jsonl:9"), record(source="logs/api.jsonl:12"))
    teapot = group(
        record(
            http_status=418,
            status_code=418,
            sub_code=None,
            message=None,
            method="GET",
            url="/catalog/people/1",
            resource="catalog/people",
            verdict="undocumented_code",
            consumer=None,
            source="logs/api.jsonl:3",
        ),
        explanation="418 is not in the table.",
    )
    unparseable = record(body_format="invalid", flags=["body_unparseable"], source="logs/api.jsonl:4")
    rows = [PROPOSED, ProposedRow(418, None, "catalog/people", "", 1, ("undocumented_code",))]
    return build_report(
        summary(damaged="truncated gzip stream"),
        [queued, teapot],
        [("body_unparseable", flag_stats(unparseable))],
        rows,
    )


RATE = RateLimitCause(limit=4, records=3, share=1.0, peak_calls_per_second=13)
RETRIED = TransientCause(records=2, share=0.667, median_retry_seconds=1.0)
BURST = BurstCause((Episode("2009-12-10T21:40:10.000Z", "2009-12-10T21:43:12.000Z", 3),))


def explained(*causes: Cause, top: tuple[ConsumerShare, ...] = ()) -> AnomalyGroup:
    """The three-record group of the full report, with causes and top consumers as a run would add them."""
    three = group(RECORD, record(consumer="def", source="logs/api.jsonl:9"), record(source="logs/api.jsonl:12"))
    return replace(three, causes=causes, top_consumers=top)
