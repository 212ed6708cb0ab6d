"""The progress line (issue 11, point 3): drawn on a terminal (a pty here), across the multi-process
runner's workers too; absent when stderr is not a terminal; --progress and --quiet force either way."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.cli import main
from statuslens.pipelines.progress import Progress, ProgressLine, format_line, input_totals
from statuslens.transforms.readers.beam_read import InputRange
from statuslens.transforms.readers.progress import ReadProgress, input_key

LINE = '1.2.3.4 - - [10/Dec/2009:21:40:{s:02d} +0000] "GET /catalog/titles/movies/{n} HTTP/1.1" 200 9 "-" "curl" "-"'
PROGRESS_RE = re.compile(
    r"(reading|read): (\S+ \S+) of (\S+ \S+)(?: \((\d+)%\))?, (\d+) of (\d+) files?, ([\d,]+) records, "
    r"[\d,]+ records/s, \d+:\d\d elapsed"
)


def _log(path: Path, lines: int) -> Path:
    path.write_text("".join(LINE.format(s=n % 60, n=n) + "\n" for n in range(lines)))
    return path


def _statuslens(*args: str) -> list[str]:
    return [sys.executable, "-m", "statuslens.pipelines.cli", *args]


def _on_a_pty(command: list[str], columns: int = 200, timeout: float = 240) -> tuple[int, bytes, str]:
    """Run `command` with stderr on a pseudo-terminal, stdout to a file: (exit status, what the terminal
    got, stdout). The terminal is read until the command's side of it is closed (EIO), so nothing that
    was written before the exit is missed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(command, stdout=stdout, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        got = b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if not ready:
                    continue
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every holder of the terminal's other side is gone
                    break
                if not data:
                    break
                got += data
        finally:
            os.close(master)
        code = proc.wait(timeout=30)
        stdout.seek(0)
        return code, got, stdout.read().decode()


def _updates(terminal: bytes) -> list[re.Match[str]]:
    return [m for m in (PROGRESS_RE.search(part) for part in re.split(r"[\r\n]", terminal.decode())) if m]


@pytest.mark.slow
def test_a_terminal_gets_one_updating_line_across_worker_processes(tmp_path: Path) -> None:
    log = _log(tmp_path / "big.log", 60_000)
    out = tmp_path / "out"
    command = _statuslens(
        "batch", "--input", str(log), "--output", str(out),
        "--direct_running_mode=multi_processing", "--direct_num_workers=2",
    )  # fmt: skip
    code, terminal, stdout = _on_a_pty(command)
    assert code == 0, terminal
    updates = _updates(terminal)
    assert terminal.count(b"\r") >= 2 and terminal.count(b"\n") <= 2  # redrawn in place, one line left
    final = updates[-1]
    assert final.group(1) == "read" and final.group(4) == "100"
    assert (final.group(5), final.group(6), final.group(7)) == ("1", "1", "60,000")
    assert final.group(2) == final.group(3)  # every byte of the file
    # The workers' ranges (the file is split over two processes) all reached the line.
    assert orjson.loads((out / "summary.json").read_bytes())["records_in"] == 60_000
    assert stdout.splitlines()[0].startswith("statuslens: 60000 records in")
    assert "reading:" not in stdout


def test_the_line_is_drawn_while_reading_on_a_terminal(tmp_path: Path) -> None:
    log = _log(tmp_path / "a.log", 20_000)
    code, terminal, _ = _on_a_pty(_statuslens("batch", "--input", str(log), "--output", str(tmp_path / "out")))
    assert code == 0, terminal
    text = terminal.decode()
    assert "\x1b[K" in text and text.endswith("\n")
    assert _updates(terminal)[-1].group(7) == "20,000"


def test_the_line_is_cut_to_a_narrow_terminal_so_it_never_wraps(tmp_path: Path) -> None:
    log = _log(tmp_path / "a.log", 20_000)
    command = _statuslens("batch", "--input", str(log), "--output", str(tmp_path / "out"))
    code, terminal, _ = _on_a_pty(command, columns=50)
    assert code == 0, terminal
    drawn = [part.replace("\x1b[K", "") for part in re.split(r"[\r\n]", terminal.decode()) if part.strip()]
    assert drawn and all(len(part) < 50 for part in drawn)
    assert drawn[-1].startswith("read: ") and drawn[-1].endswith("…")


def test_quiet_draws_nothing_even_on_a_terminal(tmp_path: Path) -> None:
    log = _log(tmp_path / "a.log", 2_000)
    code, terminal, stdout = _on_a_pty(
        _statuslens("batch", "--input", str(log), "--output", str(tmp_path / "out"), "--quiet")
    )
    assert code == 0 and terminal == b"" and stdout.startswith("statuslens: 2000 records in")


def test_nothing_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    log = _log(tmp_path / "a.log", 2_000)
    done = subprocess.run(
        _statuslens("batch", "--input", str(log), "--output", str(tmp_path / "out")), capture_output=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == b""


def test_progress_forces_whole_lines_onto_a_stream_that_is_not_a_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = _log(tmp_path / "a.log", 3_000)
    assert main(["batch", "--input", str(log), "--output", str(tmp_path / "out"), "--progress"]) == 0
    err = capfd.readouterr().err
    assert "\r" not in err and "\x1b" not in err
    final = PROGRESS_RE.fullmatch(err.splitlines()[-1])
    assert final is not None and final.group(1) == "read" and final.group(7) == "3,000"


def test_cron_shows_the_line_too(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    _log(logs / "access.log", 1_500)
    argv = ["cron", "--input", str(logs / "*"), "--state", str(tmp_path / "state"), "--output", str(tmp_path / "o")]
    assert main([*argv, "--progress"]) == 0
    final = PROGRESS_RE.fullmatch(capfd.readouterr().err.splitlines()[-1])
    assert final is not None and final.group(7) == "1,500"


def test_progress_and_quiet_together_are_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _log(tmp_path / "a.log", 1)
    assert main(["batch", "--input", str(log), "--output", str(tmp_path / "out"), "--progress", "--quiet"]) == 2
    assert capsys.readouterr().err == "error: --progress and --quiet cannot be given together\n"


def test_the_line_sums_every_process_and_counts_a_split_file_once(tmp_path: Path) -> None:
    """Two readers (as two worker processes would) each read one range of a file; a second file is
    half read: bytes are summed, the split file is one file, done only when both ranges are."""
    first, second = _log(tmp_path / "a.log", 100), _log(tmp_path / "b.log", 100)
    half = first.stat().st_size // 2
    inputs = [InputRange(str(first), 0, half), InputRange(str(first), half, None), str(second)]
    totals = input_totals(inputs)
    assert [t.total for t in totals.values()] == [half, first.stat().st_size - half, second.stat().st_size]
    line = ProgressLine(inputs, 2, terminal=False)
    folder = line._folder
    try:
        one, two = ReadProgress(folder), ReadProgress(folder)
        one.read(input_key(str(first), 0), 50)
        one.finished(input_key(str(first), 0))
        with open(second, "rb") as handle:
            two.opened(input_key(str(second), 0), handle)
            handle.read(1000)
            two.read(input_key(str(second), 0), 10)
        progress = line.progress()
        assert (progress.read_bytes, progress.files_done, progress.files, progress.records) == (half + 1000, 0, 2, 60)
        two.read(input_key(str(first), half), 40)
        two.finished(input_key(str(first), half))
        progress = line.progress()
        assert progress.files_done == 1 and progress.records == 100
        assert progress.read_bytes == first.stat().st_size + 1000
    finally:
        os.close(line._fd)
        shutil.rmtree(folder)


def test_format_line_says_share_rate_and_eta() -> None:
    p = Progress(read_bytes=256 << 20, total_bytes=1 << 30, files_done=3, files=12, records=1_000_000, elapsed=10.0)
    assert format_line(p) == (
        "reading: 256.0 MiB of 1.0 GiB (25%), 3 of 12 files, 1,000,000 records, 100,000 records/s, "
        "0:10 elapsed, ETA 0:30"
    )
    done = Progress(1 << 30, 1 << 30, 1, 1, 5, 3725.0)
    assert format_line(done) == (
        "reading: 1.0 GiB of 1.0 GiB (100%), 1 of 1 file, 5 records, 0 records/s, 1:02:05 elapsed, writing the results"
    )
    assert format_line(done, finished=True).startswith("read: 1.0 GiB of 1.0 GiB (100%), 1 of 1 file")
    assert format_line(Progress(0, 0, 0, 1, 0, 0.0)) == (
        "reading: 0 B of 0 B, 0 of 1 file, 0 records, 0 records/s, 0:00 elapsed"
    )


def test_the_readers_tally_nothing_without_a_folder() -> None:
    from statuslens.transforms.readers.beam_read import ReadInputFn

    reader = ReadInputFn()
    reader.setup()
    assert reader._progress is None


def test_a_reader_whose_folder_is_missing_stays_silent(tmp_path: Path) -> None:
    """A worker on another machine has no such folder: it tallies without failing."""
    tally = ReadProgress(str(tmp_path / "elsewhere"))
    tally.read("0:x", 5)
    tally.finished("0:x")
    assert tally.records == 5 and not (tmp_path / "elsewhere").exists()


def test_the_readers_of_one_process_share_one_file(tmp_path: Path) -> None:
    assert ReadProgress.shared(str(tmp_path)) is ReadProgress.shared(str(tmp_path))
