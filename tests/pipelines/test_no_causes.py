"""`batch --no-causes`: the same groups, their causes and top consumers null (not computed), and the
reports silent about them; a default run of the same files says them."""

from __future__ import annotations

from pathlib import Path

import orjson

from statuslens.pipelines.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample"


def _groups(out: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in (out / "anomalies.jsonl").read_bytes().splitlines()]


def test_no_causes_writes_null_causes_and_the_same_groups_otherwise(tmp_path: Path) -> None:
    argv = ["batch", "--input", str(SAMPLE / "*"), "--annotated", "none"]
    assert main([*argv, "--output", str(tmp_path / "on")]) == 0
    assert main([*argv, "--output", str(tmp_path / "off"), "--no-causes"]) == 0
    on, off = _groups(tmp_path / "on"), _groups(tmp_path / "off")
    assert any(group["causes"] for group in on) and all(group["top_consumers"] is not None for group in on)
    assert all(group["causes"] is None and group["top_consumers"] is None for group in off)
    strip = {"causes", "top_consumers"}
    assert [{k: v for k, v in g.items() if k not in strip} for g in off] == [
        {k: v for k, v in g.items() if k not in strip} for g in on
    ]
    report_on, report_off = (tmp_path / "on" / "report.md").read_text(), (tmp_path / "off" / "report.md").read_text()
    assert "calls per second" in report_on and "calls per second" not in report_off
    html_on, html_off = (tmp_path / "on" / "report.html").read_text(), (tmp_path / "off" / "report.html").read_text()
    assert "calls per second" in html_on and "calls per second" not in html_off
    assert "<details><summary>top" in html_on and "<details><summary>top" not in html_off  # top consumers
    summary_on = orjson.loads((tmp_path / "on" / "summary.json").read_bytes())
    summary_off = orjson.loads((tmp_path / "off" / "summary.json").read_bytes())
    for summary in (summary_on, summary_off):
        del summary["started_at"], summary["finished_at"]
    assert summary_on == summary_off
