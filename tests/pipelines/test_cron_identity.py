"""Cron's file identity: rotation during a run loses nothing; files that start alike stay two."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from statuslens.pipelines import cron
from statuslens.pipelines.cli import main
from tests.pipelines.test_cron import cron_argv, log_lines, state_of


def _records(state: Path) -> int:
    totals: dict[str, Any] = state_of(state)["totals"]
    return int(totals["records_in"])


def test_a_logrotate_mv_during_the_run_loses_no_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """logrotate renames access.log and makes a new empty one after the plan, before the reads: the run
    still reads the planned file (its records count now) and the next run reads only the new file."""
    logs, state, out = tmp_path / "logs", tmp_path / "state", tmp_path / "out"
    logs.mkdir()
    (logs / "access.log").write_text(log_lines(1, 40))
    real_run_batch = cron.run_batch

    def rotate_then_run(*args: Any, **kwargs: Any) -> Any:
        os.replace(logs / "access.log", logs / "access.log.1")
        (logs / "access.log").write_bytes(b"")
        return real_run_batch(*args, **kwargs)

    monkeypatch.setattr(cron, "run_batch", rotate_then_run)
    assert main(cron_argv(logs, state, out)) == 0
    assert _records(state) == 40
    monkeypatch.setattr(cron, "run_batch", real_run_batch)
    (logs / "access.log").write_text(log_lines(2, 10))
    assert main(cron_argv(logs, state, out)) == 0
    assert _records(state) == 50  # access.log.1 had nothing unread; the new access.log's 10 records


def test_files_whose_first_kib_is_identical_are_two_files(tmp_path: Path) -> None:
    """Two logs that begin with the same 2 KiB and differ after are both read, whole, as batch reads them;
    a later run reads only what each gained."""
    logs, state, out = tmp_path / "logs", tmp_path / "state", tmp_path / "out"
    logs.mkdir()
    common = log_lines(3, 30)
    assert len(common) > 2048
    (logs / "a.log").write_text(common + log_lines(4, 5))
    (logs / "b.log").write_text(common + log_lines(5, 7))
    (logs / "c.log.gz").write_bytes(gzip.compress((common + log_lines(6, 3)).encode()))
    assert main(cron_argv(logs, state, out)) == 0
    assert _records(state) == 3 * 30 + 6 + 7 + 3  # log_lines(4, …) has a non-JSON line (step 4)
    with open(logs / "a.log", "a") as handle:
        handle.write(log_lines(7, 2))
    assert main(cron_argv(logs, state, out)) == 0
    assert _records(state) == 3 * 30 + 6 + 7 + 3 + 2


def test_a_rotated_and_compressed_file_keeps_its_identity(tmp_path: Path) -> None:
    """delaycompress: access.log -> access.log.1 -> access.log.2.gz is one file read once, though the
    archive is a new inode: its bytes before the consumed offset match."""
    logs, state, out = tmp_path / "logs", tmp_path / "state", tmp_path / "out"
    logs.mkdir()
    (logs / "access.log").write_text(log_lines(1, 20))
    assert main(cron_argv(logs, state, out)) == 0
    os.replace(logs / "access.log", logs / "access.log.1")
    (logs / "access.log").write_text(log_lines(2, 5))
    assert main(cron_argv(logs, state, out)) == 0
    data = (logs / "access.log.1").read_bytes()
    (logs / "access.log.1").unlink()
    (logs / "access.log.2.gz").write_bytes(gzip.compress(data))
    assert main(cron_argv(logs, state, out)) == 0
    assert main(cron_argv(logs, state, out)) == 0
    assert _records(state) == 25
