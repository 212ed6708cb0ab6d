"""Failures after or during the writing: one line, no half-written file, no lost verdict."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from statuslens.pipelines.atomic import atomic_write
from statuslens.pipelines.cli import main
from statuslens.transforms.outputs import beam_results
from tests.pipelines.test_cron import Folder, cron_argv, state_of


def test_an_unwritable_metrics_file_keeps_crons_commit_and_its_alert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metrics file is written after the commit: failing to write it is a warning, the run stays
    committed ("nothing committed" would be false) and --fail-on-new still exits 3."""
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    metrics = tmp_path / "metrics.prom"
    (metrics / "in-the-way").mkdir(parents=True)  # a folder where the file should be: cannot be replaced
    assert main(cron_argv(folder.logs, state, out, "--fail-on-new", "--metrics-file", str(metrics))) == 3
    captured = capsys.readouterr()
    assert "new: out_of_scope 403" in captured.out
    warning = [line for line in captured.err.splitlines() if "--metrics-file" in line]
    assert warning == [
        f"warning: --metrics-file {str(metrics)!r}: cannot write it (Is a directory); the run's results stand"
    ]
    assert "nothing committed" not in captured.err
    assert state_of(state)["totals"]["records_in"] == 30
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_an_unwritable_metrics_file_keeps_batchs_fail_on_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    metrics = tmp_path / "metrics.prom"
    (metrics / "in-the-way").mkdir(parents=True)
    argv = ["batch", "--input", str(folder.logs / "*"), "--output", str(tmp_path / "out")]
    assert main([*argv, "--fail-on", "any", "--metrics-file", str(metrics)]) == 3
    captured = capsys.readouterr()
    assert "fail: out_of_scope 403" in captured.out and "cannot write it" in captured.err


def test_a_failed_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    (target / "x").mkdir(parents=True)
    with pytest.raises(OSError):
        atomic_write(target, b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_full_disk_leaves_no_summary_and_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk while the summary is written: the file is created, its bytes do not fit. The folder
    must then have no summary.json (README: a partial set of outputs never has one), and the run's
    failure is one line, no Beam traceback."""
    real = beam_results.write_bytes

    def disk_full_for_the_summary(path: str, data: bytes) -> None:
        if "summary.json" in path:
            real(path, b"")  # created; then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(beam_results, "write_bytes", disk_full_for_the_summary)
    folder = Folder(tmp_path)
    folder.apply("append")
    out = tmp_path / "out"
    assert main(["batch", "--input", str(folder.logs / "*"), "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: the run failed: OSError: [Errno 28] No space left on device [while running 'WriteResults']"
    ]
    names = sorted(p.name for p in out.iterdir())
    assert "summary.json" not in names and "report.md" in names
    assert [n for n in names if "summary" in n] == []
