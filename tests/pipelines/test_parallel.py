"""Large inputs: line-aligned splits over worker processes give exactly the in-process results."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines import parallel, plan
from statuslens.pipelines.cli import main
from statuslens.transforms.readers.beam_read import InputRange

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample" / "api-access.log"


def _outputs(out: Path) -> tuple[dict[str, object], bytes, list[bytes]]:
    summary = orjson.loads((out / "summary.json").read_bytes())
    del summary["started_at"], summary["finished_at"]
    lines = sorted(
        line
        for sub in ("annotated", "dead_letter")
        for f in (out / sub).iterdir()
        for line in f.read_bytes().splitlines()
    )
    return summary, (out / "anomalies.jsonl").read_bytes(), lines


def test_split_ranges_cover_every_line_once_with_true_line_numbers(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_bytes(SAMPLE_LOG.read_bytes() * 20)
    ranges = parallel._ranges(str(log), log.stat().st_size, 7, "combined_body")
    assert ranges[0].start == 0 and ranges[-1].end == log.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
    data = log.read_bytes()
    for part in ranges:
        assert part.start == 0 or data[part.start - 1 : part.start] == b"\n"  # each starts a line
        assert part.first_line == data[: part.start].count(b"\n") + 1


def test_split_multi_process_run_equals_the_in_process_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "big.log"
    log.write_bytes(SAMPLE_LOG.read_bytes() * 20)
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 1024)
    monkeypatch.setattr(plan, "PARALLEL_THRESHOLD_BYTES", 1024)
    planned = parallel.split_inputs([str(log)], workers=2, log_format=None)
    assert len(planned) >= 8 and all(isinstance(p, InputRange) for p in planned)
    assert (
        main(
            [
                "batch",
                "--input",
                str(log),
                "--output",
                str(tmp_path / "split"),
                "--direct_running_mode",
                "multi_processing",
                "--direct_num_workers",
                "2",
            ]
        )
        == 0
    )
    assert main(["batch", "--input", str(log), "--output", str(tmp_path / "whole"), "--direct_num_workers", "1"]) == 0
    split, whole = _outputs(tmp_path / "split"), _outputs(tmp_path / "whole")
    assert split == whole
    non_blank = sum(1 for line in log.read_bytes().splitlines() if line.strip())
    assert split[0]["records_in"] == non_blank
