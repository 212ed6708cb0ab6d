"""The last step: summary, anomalies and both reports from one model; with known groups, the new ones too;
a group's causes in both reports and in its proposed row."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from statuslens.transforms.model.causes import ConsumerShare, RateLimitCause
from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.beam_group_outputs import (
    HoldRowEvidenceFn,
    PickReportFn,
    SortedRunsFn,
    TopRowsFn,
    row_evidence,
)
from statuslens.transforms.outputs.beam_results import WriteResultsFn
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.transforms.outputs.report_samples import group, record

SEEN = group(record(), record(source="logs/api.jsonl:8"))
NEW = group(record(status_code=418, sub_code=None, message=None, method="DELETE", resource="oauth/clock/time"))
COUNTS = Counts(records_in=3, records_annotated=3, verdicts={"undocumented_subcode": 3}, inputs={"a": InputCounts(3)})


def _run(out: Path, groups: list[AnomalyGroup], **options: Any) -> dict[str, Any]:
    """The last step, handed what the job's group steps make of `groups` (beam_group_outputs.py)."""
    known, expectations = options.get("known_groups"), options.get("expectations")
    sorter = SortedRunsFn(str(out.parent / f"{out.name}-runs"), expectations, known)
    sorter.setup()
    sorter.start_bundle()
    runs = [path for each in groups for path in sorter.process(each)]
    runs += [value.value for value in sorter.finish_bundle()]
    picker = PickReportFn(expectations, known)
    pick = picker.create_accumulator()
    for each in groups:
        picker.add_input(pick, each)
    holder = HoldRowEvidenceFn(expectations)
    by_row: dict[Any, list[bytes]] = {}
    for half in (groups[::2], groups[1::2]):  # two bundles: a row's evidence may come from both
        holder.start_bundle()
        held = [pair for each in half for pair in holder.process(each)]
        for row_key, value in held + [item.value for item in holder.finish_bundle()]:
            by_row.setdefault(row_key, []).append(value)
    top = TopRowsFn()
    evidence = [row_evidence(row_key, values) for row_key, values in by_row.items()]
    rows = top.extract_output(top.merge_accumulators([top.add_input(top.create_accumulator(), e) for e in evidence]))
    step = WriteResultsFn(str(out), load_catalog(), "2026-12-02T00:00:00.000Z", **options)
    [summary] = step.process(None, COUNTS, pick, rows, runs, [], [InputInfo("a", "jsonl", "none", None)])
    return summary


def test_writes_the_four_files_and_returns_the_summary(tmp_path: Path) -> None:
    summary = _run(tmp_path, [SEEN, NEW])
    # The groups propose rows, so the (YAML) catalog patched with them is written too (DOMAIN.md §9).
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anomalies.jsonl",
        "proposed-catalog.yaml",
        "report.html",
        "report.md",
        "summary.json",
    ]
    assert orjson.loads((tmp_path / "summary.json").read_bytes()) == summary
    lines = (tmp_path / "anomalies.jsonl").read_bytes().splitlines()
    assert [orjson.loads(line)["status_code"] for line in lines] == [412, 418]  # count descending
    assert "New in this run" not in (tmp_path / "report.md").read_text()


def test_known_groups_give_new_anomalies_and_the_section_in_both_reports(tmp_path: Path) -> None:
    _run(tmp_path, [NEW, SEEN], known_groups=frozenset({SEEN.id}))
    assert (tmp_path / "new_anomalies.jsonl").read_bytes() == orjson.dumps(NEW.to_json()) + b"\n"
    line = '418 "" on DELETE oauth/clock/time (undocumented_subcode, 1)'
    assert (tmp_path / "report.md").read_text().endswith(f"\n\n## New in this run\n\n- {line}\n")
    page = (tmp_path / "report.html").read_text()
    escaped = line.replace('"', "&quot;")
    assert page.endswith(f"<h2>New in this run</h2><ul><li>{escaped}</li></ul></body></html>\n")


def test_a_baseline_records_every_unknown_group_under_its_own_title(tmp_path: Path) -> None:
    _run(tmp_path, [SEEN, NEW], known_groups=frozenset(), baseline=True)
    assert len((tmp_path / "new_anomalies.jsonl").read_bytes().splitlines()) == 2
    assert "\n## Baseline: groups recorded\n\n- 412/710 " in (tmp_path / "report.md").read_text()
    assert "<h2>Baseline: groups recorded</h2><ul><li>412/710 " in (tmp_path / "report.html").read_text()


def test_a_rate_limited_new_group_is_explained_and_proposed_for_all_resources(tmp_path: Path) -> None:
    over_qps = record(
        method="GET",
        url="/catalog/people/1?oauth_consumer_key=REDACTED",
        resource="catalog/people/{id}",
        http_status=403,
        status_code=403,
        sub_code=None,
        message="Developer Over Qps",
        body_format="gateway",
        verdict="out_of_scope",
    )
    limited = replace(
        group(over_qps, over_qps, explanation="403 is documented only for All feeds."),
        causes=(RateLimitCause(limit=4, records=2, share=1.0, peak_calls_per_second=13),),
        top_consumers=(ConsumerShare("abc", 2, 1.0),),
    )
    _run(tmp_path, [limited], known_groups=frozenset())
    text = (tmp_path / "report.md").read_text()
    sentence = "2 of 2 came in seconds where the consumer made more than 4 calls per second (peak 13)"
    assert f"   - 403 is documented only for All feeds.\n   - {sentence}\n   - 1 of 1 consumer sent 100%" in text
    assert "| 403 |  | All resources | Developer Over Qps (more than 4 calls per second per consumer) |" in text
    assert text.endswith(f"(out_of_scope, 2)\n  - {sentence}\n")
    page = (tmp_path / "report.html").read_text()
    assert f"</span><br>{sentence}<br>1 of 1 consumer sent 100% (consumer abc)<br><code>" in page
    assert f"<ul><li>{sentence}</li></ul></li></ul></body></html>\n" in page
