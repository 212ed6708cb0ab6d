"""Inputs that used to hang, fail the whole run or mislead: FIFOs, EIO, a flipped gzip byte, odd --output."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines import batch
from statuslens.pipelines.cli import main
from statuslens.transforms.errors import UsageError
from tests.pipelines.test_cron import Folder, cron_argv, log_lines


def _ends_within(seconds: float, argv: list[str]) -> int:
    """main(argv) in a thread; fails (instead of hanging the suite) when it does not end in time."""
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        fd = os.open(argv[argv.index("--input") + 1].replace("*", "pipe.log"), os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)  # let the blocked open() return, so the thread ends
        pytest.fail(f"{argv[0]} did not end within {seconds} s")
    return result[0]


@pytest.mark.parametrize("alone", [True, False])
def test_a_fifo_input_is_a_usage_error_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], alone: bool
) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    os.mkfifo(folder.logs / "pipe.log")
    pattern = str(folder.logs / ("pipe.log" if alone else "*"))
    assert _ends_within(10, ["batch", "--input", pattern, "--output", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"error: --input {pattern!r}: {folder.logs / 'pipe.log'} is a FIFO (named pipe); "
        "statuslens reads regular files only\n"
    )


def test_cron_with_a_fifo_in_its_glob_ends_and_frees_the_lock(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    os.mkfifo(folder.logs / "pipe.log")
    state, out = tmp_path / "state", tmp_path / "out"
    assert _ends_within(10, cron_argv(folder.logs, state, out)) == 2
    (folder.logs / "pipe.log").unlink()
    assert main(cron_argv(folder.logs, state, out)) == 0  # the lock was released


def test_an_input_that_fails_with_eio_is_one_damaged_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """/proc/self/mem is a regular file whose first read fails with EIO: the other input's records
    are all counted and the damaged one is listed, with exit 0."""
    try:
        with open("/proc/self/mem", "rb") as handle:
            handle.read(8)
        pytest.skip("reading /proc/self/mem does not fail here")
    except OSError:
        pass
    folder = Folder(tmp_path)
    folder.apply("append")
    out = tmp_path / "out"
    argv = ["batch", "--input", str(folder.logs / "*"), "--input", "/proc/self/mem", "--output", str(out)]
    assert main(argv) == 0
    summary = orjson.loads((out / "summary.json").read_bytes())
    damaged = {i["path"]: i["damaged"] for i in summary["inputs"]}
    assert damaged["/proc/self/mem"] == "cannot read: Input/output error"
    assert summary["records_annotated"] == 30
    assert "warning: damaged input /proc/self/mem: cannot read: Input/output error" in capsys.readouterr().err


def test_records_read_from_a_gzip_with_a_flipped_byte_are_called_suspect(tmp_path: Path) -> None:
    """A flipped byte makes the decoder hand out garbage until it trips (or the CRC at the end does):
    the summary and both reports say the records read from that file are suspect."""
    logs = tmp_path / "logs"
    logs.mkdir()
    data = bytearray(gzip.compress(log_lines(1, 400).encode()))
    data[len(data) // 2] ^= 0x01
    (logs / "api.jsonl.gz").write_bytes(bytes(data))
    out = tmp_path / "out"
    assert main(["batch", "--input", str(logs / "*"), "--output", str(out)]) == 0
    summary = orjson.loads((out / "summary.json").read_bytes())
    damage = summary["inputs"][0]["damaged"]
    assert damage.startswith("corrupt compressed data: ")
    assert damage.endswith("; the records read from this file are suspect")
    assert "the records read from this file are suspect" in (out / "report.md").read_text()
    assert "the records read from this file are suspect" in (out / "report.html").read_text()


def test_a_truncated_gzip_does_not_call_its_complete_lines_suspect(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    data = gzip.compress(log_lines(1, 400).encode())
    (logs / "api.jsonl.gz").write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    assert main(["batch", "--input", str(logs / "*"), "--output", str(out)]) == 0
    damage = orjson.loads((out / "summary.json").read_bytes())["inputs"][0]["damaged"]
    assert damage.startswith("truncated archive") and "suspect" not in damage


def test_output_naming_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    target = tmp_path / "out.txt"
    target.write_text("mine")
    assert main(["batch", "--input", str(folder.logs / "*"), "--output", str(target)]) == 2
    assert capsys.readouterr().err == f"error: --output {str(target)!r} is a file, not a folder\n"
    assert target.read_text() == "mine"


def test_output_slash_is_refused_without_listing_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emptiness check reads one directory entry of a local folder; Beam's match of `/*` stat'ed
    everything under it (19 s)."""

    def no_match(*_: object) -> None:
        raise AssertionError("FileSystems.match called for a local --output")

    monkeypatch.setattr(batch.FileSystems, "match", no_match)
    with pytest.raises(UsageError, match="is not empty"):
        batch.prepare_output("/", overwrite=False)


def _as_nobody() -> list[str]:
    """The prefix that runs a command without root's right to read any file (tests run as root here)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")  # util-linux; a preexec_fn setuid could not exec the venv's python
    if setpriv is None:
        pytest.skip("running as root without setpriv: no way to make a file unreadable")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.slow
def test_an_unreadable_file_beside_another_input_is_one_damaged_input() -> None:
    """Permissions, not simulated: the command runs as `nobody` (as root a mode of 000 reads fine).
    The open fails with EACCES and goes the way of the EIO read above: one damaged input, the other
    input counted, exit 0. Cron leaves the file for a later run with a note, and reads it then."""
    folder = Path(tempfile.mkdtemp(prefix="statuslens-perm-"))  # not under root's 0700 pytest folder
    try:
        logs = folder / "logs"
        logs.mkdir()
        (logs / "a.jsonl").write_text(log_lines(1, 30))
        (logs / "b.jsonl").write_text(log_lines(2, 20))
        (logs / "b.jsonl").chmod(0)
        for path in (folder, logs):
            path.chmod(0o777)
        cli = [*_as_nobody(), sys.executable, "-m", "statuslens.pipelines.cli"]
        batch_argv = [*cli, "batch", "--input", str(logs / "*"), "--output", str(folder / "out")]
        run = subprocess.run(batch_argv, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        summary = orjson.loads((folder / "out" / "summary.json").read_bytes())
        damaged = {Path(i["path"]).name: i["damaged"] for i in summary["inputs"]}
        assert damaged == {"a.jsonl": None, "b.jsonl": "cannot open: Permission denied"}
        assert summary["records_annotated"] == 30 and summary["dead_letter"] == 1
        assert f"warning: damaged input {logs / 'b.jsonl'}: cannot open: Permission denied" in run.stderr
        cron = [*cli, *cron_argv(logs, folder / "state", folder / "cron")]
        first = subprocess.run(cron, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        assert f"note: {logs / 'b.jsonl'}: cannot read: Permission denied" in first.stderr
        (logs / "b.jsonl").chmod(0o644)
        second = subprocess.run(cron, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        totals = orjson.loads((folder / "state" / "state.json").read_bytes())["totals"]
        assert totals["records_annotated"] == 50 and totals["dead_letter"] == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
