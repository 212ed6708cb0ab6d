"""Inputs that used to hang, fail the whole run or mislead: FIFOs, EIO, a flipped gzip byte, odd --output."""

from __future__ import annotations

import gzip
import os
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
