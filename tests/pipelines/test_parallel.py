"""Large inputs: line-aligned splits over worker processes give exactly the in-process results."""

from __future__ import annotations

import gzip
import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines import parallel, plan
from statuslens.pipelines.cli import main
from statuslens.transforms.readers.beam_read import InputRange

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
SAMPLE_LOG = SAMPLE / "api-access.log"
GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_corpus.py"


def _outputs(out: Path) -> dict[str, object]:
    """Every output but the run's time stamps; shard files are cut differently per worker, so their
    lines are compared sorted."""
    summary = orjson.loads((out / "summary.json").read_bytes())
    del summary["started_at"], summary["finished_at"]
    lines = {
        sub: sorted(line for f in (out / sub).iterdir() for line in f.read_bytes().splitlines())
        for sub in ("annotated", "dead_letter")
    }
    return {"summary": summary, "anomalies": (out / "anomalies.jsonl").read_bytes(), **lines}


def test_split_ranges_cover_every_line_once_with_true_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "big.log"
    log.write_bytes(SAMPLE_LOG.read_bytes() * 20)
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 1024)
    planned = parallel.split_inputs([str(log)], workers=7, log_format="combined_body")
    ranges = [r for r in planned if isinstance(r, InputRange)]
    assert len(ranges) == len(planned) >= 7 and {r.log_format for r in ranges} == {"combined_body"}
    assert ranges[0].start == 0 and ranges[-1].end == log.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
    data = log.read_bytes()
    for part in ranges:
        assert part.start == 0 or data[part.start - 1 : part.start] == b"\n"  # each starts a line
        assert part.first_line == data[: part.start].count(b"\n") + 1


def test_large_files_of_an_unclear_format_are_not_split(tmp_path: Path) -> None:
    odd = tmp_path / "big.log"
    odd.write_bytes(b"{" + b'"k": "' + b"v" * (70 << 10) + b'"}\n' + b"x\n" * (20 << 20))
    assert odd.stat().st_size >= parallel.SPLIT_MIN_BYTES
    assert parallel.split_inputs([str(odd)], workers=2, log_format=None) == [str(odd)]
    ranges = parallel.split_inputs([str(odd)], workers=2, log_format="jsonl")  # a format given: it is split
    assert len(ranges) > 1 and all(isinstance(r, InputRange) for r in ranges)


@pytest.mark.slow
def test_one_and_two_workers_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gzip JSON lines, a HAR, a gzip cut in half and plain logs large enough to be split into line
    ranges: two worker processes (the plain logs split over them) write what one process writes.
    One log is a generated corpus with outages, retries and rate-limit storms, so the groups' causes
    and top consumers (DOMAIN.md §8) come from calls spread over both workers and many chunks."""
    big = tmp_path / "big.log"
    big.write_bytes(SAMPLE_LOG.read_bytes() * 20)
    whole = gzip.compress(SAMPLE_LOG.read_bytes() * 5)
    (tmp_path / "cut.log.gz").write_bytes(whole[: len(whole) // 2])
    incidents = tmp_path / "incidents.log"
    generate = ["--records", "5000", "--format", "combined_body", "--seed", "5", "--incidents", "--out", str(incidents)]
    subprocess.run([sys.executable, str(GENERATOR), *generate], check=True)
    inputs = [big, SAMPLE / "api-access.jsonl.gz", SAMPLE / "capture.har", tmp_path / "cut.log.gz", incidents]
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 1024)
    monkeypatch.setattr(plan, "PARALLEL_THRESHOLD_BYTES", 1024)
    planned = parallel.split_inputs([str(big)], workers=2, log_format=None)
    assert len(planned) >= 8 and all(isinstance(p, InputRange) for p in planned)
    assert len(parallel.split_inputs([str(incidents)], workers=2, log_format=None)) >= 8

    def batch(out: Path, *beam_flags: str) -> dict[str, object]:
        argv = ["batch", "--output", str(out), *beam_flags]
        for path in inputs:
            argv += ["--input", str(path)]
        assert main(argv) == 0
        return _outputs(out)

    one = batch(tmp_path / "one", "--direct_num_workers", "1")
    two = batch(tmp_path / "two", "--direct_running_mode", "multi_processing", "--direct_num_workers", "2")
    assert one == two
    summary = one["summary"]
    assert isinstance(summary, dict)
    by_path = {i["path"]: i for i in summary["inputs"]}
    non_blank = sum(1 for line in big.read_bytes().splitlines() if line.strip())
    assert by_path[str(big)]["records"] + by_path[str(big)]["dead_letter"] == non_blank
    assert by_path[str(tmp_path / "cut.log.gz")]["damaged"]
    assert summary["records_in"] > non_blank + 300  # the other inputs were read too
    groups = [orjson.loads(line) for line in one["anomalies"].splitlines()]  # type: ignore[attr-defined]
    kinds = Counter(cause["cause"] for group in groups for cause in group["causes"])
    assert kinds["rate_limit"] and kinds["transient"] and kinds["burst"]  # every cause compared, not only []
    assert all(group["top_consumers"] for group in groups if group["consumers"])
