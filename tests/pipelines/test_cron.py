"""`statuslens cron`: incremental, exactly-once, crash-safe, locked."""

from __future__ import annotations

import fcntl
import gzip
import multiprocessing
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main

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


def lines_in(logs: Path) -> int:
    """Every line of the folder: what one clean run counts (each content lives in one file at rest)."""
    return sum(
        len((gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()).splitlines())
        for p in logs.iterdir()
    )


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


@pytest.mark.slow
def test_incremental_runs_equal_one_clean_run(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    state, out = tmp_path / "state", tmp_path / "out"
    for action in ACTIONS:
        folder.apply(action)
        assert run_cli(cron_argv(folder.logs, state, out)) == 0
    clean_state = tmp_path / "clean-state"
    assert run_cli(cron_argv(folder.logs, clean_state, tmp_path / "clean-out")) == 0
    assert totals_and_groups(state) == totals_and_groups(clean_state)
    assert state_of(state)["totals"]["records_in"] == lines_in(folder.logs)


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
        "  - 1 episode: 2009-12-05 08:16\u201308:17",  # each group's 5 records came within 300 s: a burst (§8)
        '- 405 "" on GET catalog/people/{id} (undocumented_code, 5)',
        "  - 1 episode: 2009-12-05 08:16\u201308:17",
        '- 412/999 "nope" on POST users/{user_token}/queues/instant (undocumented_subcode, 5)',
        "  - 1 episode: 2009-12-05 08:16\u201308:17",
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


def test_a_run_whose_second_already_has_a_folder_gets_a_suffix(tmp_path: Path) -> None:
    """Runs are named after the second they start in; two in one second must not share a folder."""
    folder = Folder(tmp_path)
    folder.apply("append")
    runs = tmp_path / "out" / "runs"
    runs.mkdir(parents=True)
    now = time.time()
    taken = {time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime(now + second)) for second in range(-1, 60)}
    for name in taken:
        (runs / name).mkdir()
    assert run_cli(cron_argv(folder.logs, tmp_path / "state", tmp_path / "out", "--keep-runs", "100")) == 0
    new = [p.name for p in runs.iterdir() if p.name not in taken]
    assert len(new) == 1 and new[0].endswith("Z-2") and new[0][: -len("-2")] in taken
    assert (runs / new[0] / "summary.json").exists()


def _cron_in_child(argv: list[str]) -> None:
    """One cron run in a forked child, its output discarded; the child's exit status is main's."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.exit(main(argv))


KILL_ATTEMPTS = 20  # two per change of the folder: 10 changes, each kind of rotation among them
KILL_BUDGET_SECONDS = 120  # no new attempt starts after this; a slow machine gets fewer kills, not a hang


@pytest.mark.slow
def test_kill_9_at_random_points_never_double_counts(tmp_path: Path) -> None:
    """Cron runs killed with SIGKILL at random moments over a growing, rotating folder, and every few
    kills a run left to finish. After a run that finished, the state counts every line of the folder
    exactly once; after a kill, never more than that; at the end, the totals and groups equal one
    clean run over the same data — however many of the kills landed (at least one must).

    The runs are forked from a server that imported statuslens once (multiprocessing's forkserver),
    so the kill moments, spread over one run's duration, fall in the run's own work."""
    rng = random.Random(20261126)
    folder = Folder(tmp_path)
    state, out = tmp_path / "state", tmp_path / "out"
    argv = cron_argv(folder.logs, state, out)
    context = multiprocessing.get_context("forkserver")
    # What a run imports on its way, imported once by the server (a name that moved is skipped).
    preload = ["statuslens.pipelines.cron", "apache_beam.runners.portability.fn_api_runner", _cron_in_child.__module__]
    context.set_forkserver_preload(preload)

    def attempt(kill_after: float | None) -> int | None:
        process = context.Process(target=_cron_in_child, args=(argv,))
        process.start()
        process.join(kill_after)
        if process.exitcode is None:
            process.kill()
            process.join()
        exitcode = process.exitcode
        assert exitcode in (0, -signal.SIGKILL)
        counted = state_of(state)["totals"]["records_in"] if (state / "state.json").exists() else 0
        if exitcode == 0:
            assert counted == lines_in(folder.logs)
        else:
            assert counted <= lines_in(folder.logs)
        # No folder that looks complete is ever partial.
        for run in (out / "runs").iterdir() if (out / "runs").exists() else []:
            if not run.name.startswith("."):
                assert (run / "summary.json").exists()
        return exitcode

    def finished_run() -> float:
        """Seconds of one run left to finish (it also recovers from the kills before it)."""
        started = time.monotonic()
        assert attempt(None) == 0
        return time.monotonic() - started

    folder.apply(ACTIONS[0])
    finished_run()  # also starts the fork server
    loop_started = time.monotonic()
    folder.apply(ACTIONS[1])
    run_seconds = finished_run()
    kills = completed = 0
    for number in range(KILL_ATTEMPTS):
        if time.monotonic() - loop_started > KILL_BUDGET_SECONDS:
            break
        if number % 2 == 0:
            folder.apply(ACTIONS[(2 + number // 2) % len(ACTIONS)])
        if attempt(rng.uniform(0, 1.1 * run_seconds)) == 0:
            completed += 1
        else:
            kills += 1
        if number % 5 == 4:
            run_seconds = finished_run()
            completed += 1
    assert kills >= 1, f"no kill landed in {kills + completed} attempts"
    assert run_cli(argv) == 0
    assert state_of(state)["totals"]["records_in"] == lines_in(folder.logs)
    clean_state = tmp_path / "clean-state"
    assert run_cli(cron_argv(folder.logs, clean_state, tmp_path / "clean-out")) == 0
    assert totals_and_groups(state) == totals_and_groups(clean_state)
    assert not list((out / "runs").glob(".partial-*"))
    print(f"crash test: {kills} kills, {completed} runs completed, {lines_in(folder.logs)} records counted once")


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
    assert summary["records_in"] > 1 and summary["dead_letter"] != 1 and len(new) > 1  # plurals below
    assert printed[0] == (
        f"statuslens cron: {summary['records_in']} new records, {summary['dead_letter']} dead letters, "
        f"{len(new)} new anomaly groups -> {run}"
    )
    # The group lines, then the dead letters by reason (when any), then the report to open (issue 11).
    reasons = ["dead letters by reason: " + ", ".join(f"{k} {v}" for k, v in summary["dead_letter_reasons"].items())]
    assert printed[1 + len(new) :] == [*(reasons if summary["dead_letter"] else []), f"open {run / 'report.html'}"]
    groups_printed = printed[1 : 1 + len(new)]
    assert all(line.startswith("baseline: ") for line in groups_printed)
    assert {line.rsplit(" (", 1)[1] for line in groups_printed} == {f"{g['count']})" for g in new}


def _call(second: float, url: str, status: int, body: str | None = None) -> str:
    record: dict[str, Any] = {"time": 1_260_481_210 + second, "method": "GET", "url": url, "status": status}
    return orjson.dumps({**record, "body": body} if body else record).decode()


def test_each_run_keeps_its_causes_and_new_in_this_run_says_them(tmp_path: Path) -> None:
    """§8 in cron: a new group's causes are in the run's anomalies.jsonl and new_anomalies.jsonl and in
    words in "New in this run"; a later run leaves an earlier run's folder and causes as they were."""
    logs, state, out = tmp_path / "logs", tmp_path / "state", tmp_path / "out"
    logs.mkdir()
    people = "/catalog/people/{}?oauth_consumer_key=k1"
    (logs / "a.log").write_text(_call(0, people.format(0), 200) + "\n")
    assert run_cli(cron_argv(logs, state, out, "--baseline")) == 0
    # k1 makes 6 calls in one second, one answered Over Qps and retried successfully 2 s later.
    calls = [_call(10 + i / 10, people.format(i), 200) for i in range(5)]
    calls += [_call(10.5, people.format(9), 403, "<h1>Developer Over Qps</h1>"), _call(12.5, people.format(9), 200)]
    (logs / "b.log").write_text("\n".join(calls) + "\n")
    assert run_cli(cron_argv(logs, state, out)) == 0
    second = sorted((out / "runs").iterdir())[-1]
    (group,) = [orjson.loads(line) for line in (second / "new_anomalies.jsonl").read_bytes().splitlines()]
    expected_causes = [
        {"cause": "rate_limit", "limit": 4, "records": 1, "share": 1.0, "peak_calls_per_second": 6},
        {"cause": "transient", "records": 1, "share": 1.0, "median_retry_seconds": 2.0},
    ]
    assert group["causes"] == expected_causes
    assert group["top_consumers"] == [{"consumer": "k1", "records": 1, "share": 1.0}]
    kept = (second / "anomalies.jsonl").read_bytes()
    assert orjson.loads(kept.splitlines()[0])["causes"] == expected_causes
    new_section = (second / "report.md").read_text().split("\n## New in this run\n\n")[1]
    assert new_section.splitlines() == [
        '- 403 "Developer Over Qps" on GET catalog/people/{id} (out_of_scope, 1)',
        "  - 1 of 1 came in a second where the consumer made more than 4 calls per second (peak 6)",
        "  - 1 of 1 was retried successfully within 2.0 s: intermittent",
    ]
    assert "more than 4 calls per second (peak 6)</li>" in (second / "report.html").read_text()
    (logs / "c.log").write_text(_call(100, "/oauth/login?oauth_consumer_key=k2", 405) + "\n")
    assert run_cli(cron_argv(logs, state, out)) == 0
    assert sorted((out / "runs").iterdir())[-2] == second and (second / "anomalies.jsonl").read_bytes() == kept
