"""Cheap inputs with a huge cost (issue 13): each run of `statuslens batch` on one ends within 10 CPU
seconds and 600 MB, measured on the child process (CPU, not wall time: the machine is shared)."""

from __future__ import annotations

import gzip
import os
import resource
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO

CPU_SECONDS, MAX_RSS_MB = 10, 600


def _bounded(argv: list[str]) -> tuple[int, float, float]:
    """(exit status, CPU seconds, peak RSS in MB) of `statuslens ARGV` in a child limited to twice
    the bound of CPU time (so a regression fails instead of running for minutes)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (2 * CPU_SECONDS, 2 * CPU_SECONDS))

    child = subprocess.Popen(
        [sys.executable, "-m", "statuslens.pipelines.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=limit,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


@pytest.mark.slow
def test_a_240_mb_har_is_one_damaged_input_within_the_bounds(tmp_path: Path) -> None:
    """It took 1.35 GB; read no further than MAX_HAR_BYTES (64 MiB) now. 460 KB gzipped."""
    entry = orjson.dumps(
        {
            "startedDateTime": "2009-12-10T21:40:10.000Z",
            "request": {"method": "GET", "url": "http://api.netflix.com/catalog/people/1", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"text": "x" * 2000}},
        }
    )
    body = b'{"log": {"entries": [' + b",".join([entry] * (240_000_000 // (len(entry) + 1))) + b"]}}"
    (tmp_path / "big.har.gz").write_bytes(gzip.compress(body, 6))
    del body
    out = tmp_path / "out"
    status, cpu, rss = _bounded(["batch", "--input", str(tmp_path / "big.har.gz"), "--output", str(out)])
    assert status == 0
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["inputs"][0]["damaged"] == "HAR file larger than 67108864 bytes"
    assert summary["records_in"] == summary["dead_letter"] == 1
    assert cpu < CPU_SECONDS and rss < MAX_RSS_MB, (cpu, rss)


def _big_catalog(path: Path, rows: int) -> None:
    """The default catalog with `rows` more rows, each on a resource of its own (10 MB at 60,000)."""
    text = (REPO / "configs" / "catalogs" / "netflix-api.yaml").read_text()
    head, statuses = text.split("statuses:\n", 1)
    before, resources = head.split("resources:\n", 1)
    templates = "".join(f'  - {{template: "gen/r{i}/items/{{id}}"}}\n' for i in range(rows))
    extra = "".join(
        f"  - code: {400 + i % 100}\n    subcode: {1000 + i}\n    applies_to: gen/r{i}/items/{{id}}\n"
        f"    messages: [Generated message number {i} for a big catalog, with some words]\n"
        for i in range(rows)
    )
    path.write_text(before + "resources:\n" + templates + resources + "statuses:\n" + statuses + extra)


@pytest.mark.slow
def test_a_10_mb_catalog_is_one_usage_error_within_the_bounds(tmp_path: Path) -> None:
    """It took 10 min and 1.48 GB (parsed by PyYAML, copied into every bundle); a catalog is at most
    1 MiB now (MAX_CATALOG_BYTES), refused before it is parsed."""
    catalog = tmp_path / "big.yaml"
    _big_catalog(catalog, 60_000)
    size = catalog.stat().st_size
    assert size > 10_000_000
    log = REPO / "sample" / "api-access.log"
    argv = ["batch", "--catalog", str(catalog), "--input", str(log), "--output", str(tmp_path / "out")]
    status, cpu, rss = _bounded(argv)
    assert status == 2 and not (tmp_path / "out").exists()
    assert cpu < CPU_SECONDS and rss < MAX_RSS_MB, (cpu, rss)
