"""`statuslens cron`: incremental, exactly-once, crash-safe, locked."""

from __future__ import annotations

import fcntl
import gzip
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main
from statuslens.pipelines.cron import _run_name

STATUSES = [
    (200, None),
    (404, None),
    (405, None),
    (
        412,
        "<status><status_code>412</status_code><sub_code>710"
        "</sub_code><message>Title already in queue</message></status>",
    ),
    (403, "<h1>Developer Over Qps</h1>"),
    (412, "<status><status_code>412</status_code><sub_code>999</sub_code><message>nope</message></status>"),
]


def log_lines(step: int, count: int) -> str:
    """`count` distinct JSON lines for `step` (each file's first line differs: its identity)."""
    out = []
    for i in range(count):
        status, body = STATUSES[(step * 7 + i) % len(STATUSES)]
        record: dict[str, Any] = {
            "time": 1_260_000_000 + step * 1000 + i,
            "method": "POST" if status == 412 else "GET",
            "url": f"/users/T1pYkT0{step}x{i}/queues/instant" if status == 412 else f"/catalog/people/{step}{i}",
            "status": status,
        }
        if body:
            record["body"] = body
        out.append(orjson.dumps(record).decode())
    if step % 5 == 4:
        out.append("this line is not JSON")
    return "\n".join(out) + "\n"


def cron_argv(logs: Path, state: Path, out: Path, *extra: str) -> list[str]:
    return ["cron", "--input", str(logs / "*"), "--state", str(state), "--output", str(out), "--settle", "0", *extra]


def run_cli(argv: list[str]) -> int:
    return main(argv)


def state_of(state: Path) -> dict[str, Any]:
    return orjson.loads((state / "state.json").read_bytes())


def totals_and_groups(state: Path) -> tuple[dict[str, Any], dict[str, int]]:
    doc = state_of(state)
    return doc["totals"], {key: group["count"] for key, group in doc["groups"].items()}


class Folder:
    """A log folder that grows and rotates like logrotate (with delaycompress) or copytruncate."""

    def __init__(self, root: Path) -> None:
        self.logs = root / "logs"
        self.logs.mkdir()
        self.step = 0

    def apply(self, action: str) -> None:
        self.step += 1
        live = self.logs / "access.log"
        if action == "append":
            with open(live, "a") as handle:
                handle.write(log_lines(self.step, 30))
        elif action == "rotate":  # access.log.1 -> access.log.N.gz, access.log -> access.log.1, new access.log
            one = self.logs / "access.log.1"
            if one.exists():
                target = self.logs / f"access.log.{self.step}.gz"
                tmp = self.logs / f".tmp{self.step}"
                tmp.write_bytes(gzip.compress(one.read_bytes()))
                os.replace(tmp, target)
                one.unlink()
            if live.exists():
                os.replace(live, one)
            live.write_text(log_lines(self.step, 10))
        elif action == "copytruncate":
            copy = self.logs / f"access.log.copy{self.step}"
            shutil.copyfile(live, copy)
            with open(live, "w") as handle:
                handle.write(log_lines(self.step, 5))
        else:
            raise ValueError(action)


ACTIONS = ["append", "append", "rotate", "append", "copytruncate", "append", "rotate", "append", "rotate", "append"]


def test_incremental_runs_equal_one_clean_run(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    state, out = tmp_path / "state", tmp_path / "out"
    for action in ACTIONS:
        folder.apply(action)
        assert run_cli(cron_argv(folder.logs, state, out)) == 0
    clean_state = tmp_path / "clean-state"
    assert run_cli(cron_argv(folder.logs, clean_state, tmp_path / "clean-out")) == 0
    assert totals_and_groups(state) == totals_and_groups(clean_state)
    expected_lines = sum(
        len(p.read_bytes().splitlines())
        if not p.name.endswith(".gz")
        else len(gzip.decompress(p.read_bytes()).splitlines())
        for p in folder.logs.iterdir()
    )
    assert state_of(state)["totals"]["records_in"] == expected_lines


def test_rerun_with_nothing_new_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    metrics = tmp_path / "metrics.prom"
    assert run_cli(cron_argv(folder.logs, state, out)) == 0
    before = state_of(state)
    assert run_cli(cron_argv(folder.logs, state, out, "--metrics-file", str(metrics))) == 0
    after = state_of(state)
    for key in ("manifest", "groups", "totals"):
        assert after[key] == before[key]
    latest = sorted((out / "runs").iterdir())[-1]
    assert orjson.loads((latest / "summary.json").read_bytes())["records_in"] == 0
    assert "statuslens_run_records 0\n" in metrics.read_text()
    assert "0 new records" in capsys.readouterr().out


def test_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    live = logs / "access.log"
    first, second = log_lines(1, 2).splitlines()
    live.write_text(first + "\n" + second[:20])
    argv = ["cron", "--input", str(logs / "*"), "--state", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    assert run_cli(argv) == 0  # default --settle 5m: the file was just written
    assert state_of(tmp_path / "s")["totals"]["records_in"] == 1
    with open(live, "a") as handle:
        handle.write(second[20:] + "\n")
    assert run_cli(argv) == 0
    totals = state_of(tmp_path / "s")["totals"]
    assert totals["records_in"] == 2 and totals["dead_letter"] == 0


def test_new_groups_alert_with_exit_3_and_baseline_does_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    assert run_cli(cron_argv(folder.logs, state, out, "--fail-on-new", "--baseline")) == 0
    baseline = sorted((out / "runs").iterdir())[-1]
    recorded = (baseline / "report.md").read_text().split("\n## Baseline: groups recorded\n\n")[1]
    assert recorded.splitlines() == [
        '- 403 "Developer Over Qps" on GET catalog/people/{id} (out_of_scope, 5)',
        '- 405 "" on GET catalog/people/{id} (undocumented_code, 5)',
        '- 412/999 "nope" on POST users/{user_token}/queues/instant (undocumented_subcode, 5)',
    ]
    assert len((baseline / "new_anomalies.jsonl").read_bytes().splitlines()) == 3
    assert run_cli(cron_argv(folder.logs, state, out, "--fail-on-new")) == 0  # nothing new
    quiet = sorted((out / "runs").iterdir())[-1]
    quiet_md, quiet_page = (quiet / "report.md").read_text(), (quiet / "report.html").read_text()
    assert quiet_md.endswith("\n\n## New in this run\n\n- nothing new\n")
    assert quiet_page.endswith("</p>\n<h2>New in this run</h2><ul><li>nothing new</li></ul></body></html>\n")
    assert (quiet / "new_anomalies.jsonl").read_bytes() == b""
    (folder.logs / "other.log").write_text(
        orjson.dumps({"time": 1, "method": "DELETE", "url": "/oauth/clock/time", "status": 418}).decode() + "\n"
    )
    capsys.readouterr()
    assert run_cli(cron_argv(folder.logs, state, out, "--fail-on-new")) == 3
    printed = capsys.readouterr().out
    assert "new: undocumented_code 418" in printed and "DELETE oauth/clock/time" in printed
    latest = sorted((out / "runs").iterdir())[-1]
    markdown, page = (latest / "report.md").read_text(), (latest / "report.html").read_text()
    assert "New in this run" in markdown
    assert markdown.endswith('\n\n## New in this run\n\n- 418 "" on DELETE oauth/clock/time (undocumented_code, 1)\n')
    assert page.endswith(
        "<h2>New in this run</h2><ul><li>418 &quot;&quot; on DELETE oauth/clock/time (undocumented_code, 1)</li></ul>"
        "</body></html>\n"
    )
    new = [orjson.loads(line) for line in (latest / "new_anomalies.jsonl").read_bytes().splitlines()]
    assert [g["status_code"] for g in new] == [418]


def test_a_held_lock_makes_another_run_exit_75_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state = tmp_path / "state"
    state.mkdir()
    with open(state / "lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        assert run_cli(cron_argv(folder.logs, state, tmp_path / "out")) == 75
        assert time.monotonic() - started < 5
    assert "holds" in capsys.readouterr().err
    assert run_cli(cron_argv(folder.logs, state, tmp_path / "out")) == 0  # released: the next run goes


def test_keep_runs_prunes_oldest_and_names_have_no_colons(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    for _ in range(4):
        assert run_cli(cron_argv(folder.logs, state, out, "--keep-runs", "2")) == 0
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert len(runs) == 2 and all(":" not in name and name.endswith(("Z", "-2", "-3", "-4")) for name in runs)


def test_run_names_get_a_suffix_within_one_second(tmp_path: Path) -> None:
    first = _run_name(tmp_path, set())
    (tmp_path / first).mkdir()
    second = _run_name(tmp_path, set())
    assert second != first and second.startswith(first[:17])


def test_kill_9_at_random_points_never_double_counts(tmp_path: Path) -> None:
    """20 runs killed with SIGKILL at random moments over a growing, rotating folder; then run to the
    end and compare the cumulative totals with one clean run over the same data."""
    rng = random.Random(20261126)
    folder = Folder(tmp_path)
    state, out = tmp_path / "state", tmp_path / "out"
    command = [sys.executable, "-m", "statuslens.pipelines.cli", *cron_argv(folder.logs, state, out)]
    kills = completed = 0
    actions = iter(ACTIONS * 3)
    while kills < 20:
        folder.apply(next(actions))
        for _ in range(2):
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 2.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            elif process.returncode == 0:
                completed += 1
            process.wait()
            # No folder that looks complete is ever partial.
            for run in (out / "runs").iterdir() if (out / "runs").exists() else []:
                if not run.name.startswith("."):
                    assert (run / "summary.json").exists()
    final = subprocess.run(command, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    clean_state = tmp_path / "clean-state"
    assert run_cli(cron_argv(folder.logs, clean_state, tmp_path / "clean-out")) == 0
    assert totals_and_groups(state) == totals_and_groups(clean_state)
    assert not list((out / "runs").glob(".partial-*"))
    print(
        f"crash test: {kills} kills, {completed} runs completed between them, "
        f"{state_of(state)['totals']['records_in']} records counted once"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"version": 1, "manifest": {', "is not a statuslens state file (unexpected end of data"),
        (b"[1, 2]", "is not a statuslens state file (expected a JSON object, not an array)"),
        (b'{"manifest": {}, "groups": {}, "runs": {}, "totals": {}}', "'runs' is missing or not a JSON array"),
        (b'{"manifest": {"x": 1}, "groups": {}, "runs": [], "totals": {}}', "'manifest' has an entry"),
    ],
)
def test_a_corrupt_state_file_is_a_usage_error_before_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    state.mkdir()
    (state / "state.json").write_bytes(content)
    with open(state / "lock", "a+b") as lock:  # held: a check made under the lock would exit 75
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run_cli(cron_argv(folder.logs, state, out)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --state: {state / 'state.json'}") and problem in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # no run folder, no pipeline
    assert (state / "state.json").read_bytes() == content


def test_a_remote_input_is_a_usage_error_before_the_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state, out = tmp_path / "state", tmp_path / "out"
    state.mkdir()
    argv = ["cron", "--input", "gs://bucket/logs/*", "--state", str(state), "--output", str(out)]
    with open(state / "lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        assert run_cli(argv) == 2
        assert time.monotonic() - started < 5  # the pattern alone says so: nothing is listed remotely
    err = capsys.readouterr().err
    assert err == (
        "error: --input 'gs://bucket/logs/*': cron reads local files only (it follows offsets and "
        "rotation on this machine); use batch for other filesystems\n"
    )
    assert not out.exists()


def test_the_printed_lines_are_the_runs_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Folder(tmp_path)
    folder.apply("append")
    state, out = tmp_path / "state", tmp_path / "out"
    assert run_cli(cron_argv(folder.logs, state, out, "--baseline")) == 0
    printed = capsys.readouterr().out.splitlines()
    run = sorted((out / "runs").iterdir())[-1]
    summary = orjson.loads((run / "summary.json").read_bytes())
    new = [orjson.loads(line) for line in (run / "new_anomalies.jsonl").read_bytes().splitlines()]
    assert printed[0] == (
        f"statuslens cron: {summary['records_in']} new records, {summary['dead_letter']} dead letters, "
        f"{len(new)} new anomaly groups -> {run}"
    )
    assert len(new) > 0 and len(printed) == 1 + len(new)
    assert all(line.startswith("baseline: ") for line in printed[1:])
    assert {line.rsplit(" (", 1)[1] for line in printed[1:]} == {f"{g['count']})" for g in new}
