"""The last step: summary, anomalies and both reports from one model; with known groups, the new ones too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.beam_results import WriteResultsFn
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.transforms.outputs.report_samples import group, record

SEEN = group(record(), record(source="logs/api.jsonl:8"))
NEW = group(record(status_code=418, sub_code=None, message=None, method="DELETE", resource="oauth/clock/time"))
COUNTS = Counts(records_in=3, records_annotated=3, verdicts={"undocumented_subcode": 3}, inputs={"a": InputCounts(3)})


def _run(out: Path, groups: list[AnomalyGroup], **options: Any) -> dict[str, Any]:
    step = WriteResultsFn(str(out), load_catalog(), "2026-12-02T00:00:00.000Z", **options)
    [summary] = step.process(None, COUNTS, groups, [], [InputInfo("a", "jsonl", "none", None)])
    return summary


def test_writes_the_four_files_and_returns_the_summary(tmp_path: Path) -> None:
    summary = _run(tmp_path, [SEEN, NEW])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anomalies.jsonl", "report.html", "report.md", "summary.json"]
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
