"""plan_reads: what a cron run reads of a folder, given the manifest of earlier runs."""

from __future__ import annotations

import time
from pathlib import Path

from statuslens.pipelines.identity import fingerprint
from statuslens.pipelines.manifest import Manifest, PlannedRead, plan_reads


def test_har_files_are_read_whole_once_settled(tmp_path: Path) -> None:
    """A HAR is one JSON document: cron and ship read it whole, and only once it stopped changing."""
    har = tmp_path / "capture.har"
    data = b'{"log": {"entries": []'  # being written: no closing brace yet
    har.write_bytes(data)
    reads, notes = plan_reads([str(har)], Manifest({}), now=time.time(), settle_seconds=300)
    assert reads == []
    assert notes == [f"{har}: modified less than the settle time ago; waits for the next run"]
    reads, notes = plan_reads([str(har)], Manifest({}), now=time.time() + 600, settle_seconds=300)
    assert notes == []
    assert reads == [PlannedRead(str(har), 0, None, 1, fingerprint(data), len(data), True, None, None)]
