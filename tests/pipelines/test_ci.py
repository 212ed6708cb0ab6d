"""`statuslens batch` in CI (DOMAIN.md §10) end to end on the bundled sample: exit 0, 2 and 3, and what
--fail-on, --expect, --since/--until and --metrics-file do to the outputs (nothing without them)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main
from statuslens.pipelines.metrics import render_batch_metrics

SAMPLE = Path(str(files("statuslens.sample")))
INPUTS = ("api-access.jsonl.gz", "api-access.log", "capture.har")
ANOMALY_VERDICTS = ("undocumented_code", "undocumented_subcode", "undocumented_message", "out_of_scope")
KNOWN = """\
expected:
  - status_code: 403
    message: developer over qps.   # compared normalised
    reason: the gateway's rate limit (OPS-12)
  - verdict: undocumented_code
    resource: oauth/login
    method: GET
    reason: login is POST-only
"""


def batch_argv(out: Path, *flags: str) -> list[str]:
    inputs = [arg for name in INPUTS for arg in ("--input", str(SAMPLE / name))]
    return ["batch", *inputs, "--output", str(out), *flags]


def groups(out: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in (out / "anomalies.jsonl").read_bytes().splitlines()]


def summary(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads((out / "summary.json").read_bytes())
    return doc


def fail_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("fail: ")]


def expected_line(group: dict[str, Any]) -> str:
    sub = f"/{group['sub_code']}" if group["sub_code"] is not None else ""
    return (
        f'fail: {group["verdict"]} {group["status_code"]}{sub} "{group["message"] or ""}" '
        f"{group['method']} {group['resource']} ({group['count']})"
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample run without any CI flag."""
    out = tmp_path_factory.mktemp("plain") / "out"
    assert main(batch_argv(out)) == 0
    return out


@pytest.fixture
def known(tmp_path: Path) -> Path:
    path = tmp_path / "known.yaml"
    path.write_text(KNOWN, encoding="utf-8")
    return path


def test_fail_on_any_exits_3_after_writing_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, "--fail-on", "any")) == 3
    for name in ("summary.json", "anomalies.jsonl", "report.md", "report.html", "annotated", "dead_letter"):
        assert (out / name).exists(), name
    written = groups(out)
    assert len(written) > 1
    assert fail_lines(capsys.readouterr().out) == [expected_line(g) for g in written]


def test_fail_on_names_the_verdicts_that_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, "--fail-on", "out_of_scope,undocumented_subcode")) == 3
    lines = fail_lines(capsys.readouterr().out)
    chosen = [g for g in groups(out) if g["verdict"] in ("out_of_scope", "undocumented_subcode")]
    assert lines == [expected_line(g) for g in chosen] and len(lines) >= 2
    assert all(line.split()[1] in ("out_of_scope", "undocumented_subcode") for line in lines)


def test_fail_on_exits_0_when_every_group_of_the_verdict_is_expected(
    tmp_path: Path, known: Path, capsys: pytest.CaptureFixture[str], plain: Path
) -> None:
    """The sample's out_of_scope groups are the 403s; the expect file names them, so nothing fails."""
    assert {g["status_code"] for g in groups(plain) if g["verdict"] == "out_of_scope"} == {403}
    everything = tmp_path / "all.yaml"
    everything.write_text("expected:\n  - {verdict: out_of_scope, reason: known}\n", encoding="utf-8")
    assert main(batch_argv(tmp_path / "out", "--fail-on", "out_of_scope", "--expect", str(everything))) == 0
    assert fail_lines(capsys.readouterr().out) == []


def test_expected_groups_never_fail_a_run(tmp_path: Path, known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, "--fail-on", "any", "--expect", str(known))) == 3
    lines = fail_lines(capsys.readouterr().out)
    assert lines == [expected_line(g) for g in groups(out) if "expected" not in g]
    assert not any(" 403 " in line and "Qps" in line for line in lines)


def test_a_run_without_the_flags_exits_0_and_prints_no_fail_line(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(batch_argv(tmp_path / "out")) == 0
    assert fail_lines(capsys.readouterr().out) == []
    assert summary(plain)["filtered_out"] == 0
    assert all("filtered_out" not in i for i in summary(plain)["inputs"])
    assert all("expected" not in g for g in groups(plain))


def test_expect_marks_groups_and_keeps_every_other_line(plain: Path, tmp_path: Path, known: Path) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, "--expect", str(known))) == 0
    before = (plain / "anomalies.jsonl").read_bytes().splitlines()
    after = (out / "anomalies.jsonl").read_bytes().splitlines()
    assert len(before) == len(after)
    marked = 0
    for old, new in zip(before, after, strict=True):
        doc = orjson.loads(new)
        if "expected" not in doc:
            assert new == old  # byte for byte
            continue
        marked += 1
        assert list(doc)[-1] == "expected" and {k: v for k, v in doc.items() if k != "expected"} == orjson.loads(old)
        is_qps = doc["status_code"] == 403 and doc["message"] == "Developer Over Qps"
        reason = "the gateway's rate limit (OPS-12)" if is_qps else "login is POST-only"
        assert doc["expected"] == {"reason": reason}
    assert marked == 4  # three "Developer Over Qps" groups and the 405 on oauth/login


def test_expected_groups_have_their_own_report_section_and_no_proposed_row(
    plain: Path, tmp_path: Path, known: Path
) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, "--expect", str(known))) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    section = report.split("## Expected anomalies\n", 1)[1].split("\n## ", 1)[0]
    assert '- 405 "Method not allowed" on GET oauth/login (undocumented_code, 3)\n  - expected: login is POST-only' in (
        section
    )
    ranked = report.split("## Anomalies, by count\n", 1)[1].split("\n## ", 1)[0]
    assert "oauth/login" not in ranked and "Developer Over Qps" not in ranked
    rows = report.split("## Proposed table rows\n", 1)[1]
    assert "| 405 |" not in rows and "Developer Over Qps" not in rows
    assert "| 405 |" in (plain / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Expected anomalies</h2>" in html and "<td>login is POST-only</td>" in html


def test_an_expired_entry_warns_and_no_longer_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plain: Path
) -> None:
    stale = tmp_path / "stale.yaml"
    stale.write_text(
        "expected:\n  - {resource: oauth/login, reason: old ticket, until: 2020-01-31}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert main(batch_argv(out, "--expect", str(stale), "--fail-on", "undocumented_code")) == 3
    err = capsys.readouterr()
    assert f"warning: --expect {str(stale)!r}: entry 1 expired on 2020-01-31 (reason: old ticket)" in err.err
    assert any("oauth/login" in line for line in fail_lines(err.out))
    assert (out / "anomalies.jsonl").read_bytes() == (plain / "anomalies.jsonl").read_bytes()


def test_since_and_until_count_what_they_leave_out(plain: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    since, until = "2009-12-10T21:40:20Z", "2009-12-10T21:40:40.500Z"
    assert main(batch_argv(out, "--since", since, "--until", until, "--annotated", "all")) == 0
    doc, full = summary(out), summary(plain)
    assert doc["filtered_out"] > 0 and doc["records_annotated"] > 0
    assert doc["records_in"] == full["records_in"]
    assert doc["records_in"] == doc["records_annotated"] + doc["dead_letter"] + doc["filtered_out"]
    assert doc["dead_letter"] == full["dead_letter"]  # dead letters are never filtered
    assert sum(i["records"] for i in doc["inputs"]) == doc["records_annotated"]
    assert sum(i["filtered_out"] for i in doc["inputs"]) == doc["filtered_out"]
    assert sum(i["records"] + i["dead_letter"] + i["filtered_out"] for i in doc["inputs"]) == doc["records_in"]
    times = [
        orjson.loads(line)["time"]
        for shard in (out / "annotated").iterdir()
        for line in shard.read_bytes().splitlines()
    ]
    assert len(times) == doc["records_annotated"]
    assert min(times) >= "2009-12-10T21:40:20.000Z" and max(times) < "2009-12-10T21:40:40.500Z"
    assert all(since <= g["first_seen"] and g["last_seen"] < "2009-12-10T21:40:40.500Z" for g in groups(out))
    assert "| filtered out |" in (out / "report.md").read_text(encoding="utf-8")


def test_since_alone_and_until_alone_split_the_records(plain: Path, tmp_path: Path) -> None:
    cut = "2009-12-10T21:40:30Z"
    assert main(batch_argv(tmp_path / "late", "--since", cut)) == 0
    assert main(batch_argv(tmp_path / "early", "--until", cut)) == 0
    late, early, full = summary(tmp_path / "late"), summary(tmp_path / "early"), summary(plain)
    assert late["records_annotated"] + early["records_annotated"] == full["records_annotated"]
    assert late["filtered_out"] == early["records_annotated"] and early["filtered_out"] == late["records_annotated"]


def test_metrics_file_holds_the_run_in_textfile_format(tmp_path: Path) -> None:
    out, metrics = tmp_path / "out", tmp_path / "metrics" / "statuslens.prom"
    metrics.parent.mkdir()
    assert main(batch_argv(out, "--metrics-file", str(metrics), "--expect", str(_known(tmp_path)))) == 0
    text = metrics.read_text(encoding="utf-8")
    doc = summary(out)
    assert f"statuslens_run_records {doc['records_in']}\n" in text
    assert f"statuslens_run_dead_letters {doc['dead_letter']}\n" in text
    assert f'statuslens_run_records_by_verdict{{verdict="out_of_scope"}} {doc["verdicts"]["out_of_scope"]}\n' in text
    assert f"statuslens_run_anomaly_groups {len(groups(out))}\n" in text
    assert "statuslens_run_expected_groups 4\n" in text
    assert "# TYPE statuslens_run_duration_seconds gauge\n" in text
    assert "statuslens_run_filtered_out" not in text  # no time filter given
    for sample in (line for line in text.splitlines() if not line.startswith("#")):
        name, value = sample.rsplit(" ", 1)
        assert name.startswith("statuslens_") and float(value) >= 0
    assert sorted(p.name for p in metrics.parent.iterdir()) == ["statuslens.prom"]  # no temp file left


def test_metrics_file_states_filtered_out_with_a_time_filter(tmp_path: Path) -> None:
    metrics = tmp_path / "m.prom"
    assert main(batch_argv(tmp_path / "out", "--since", "2009-12-10T21:40:30Z", "--metrics-file", str(metrics))) == 0
    assert f"statuslens_run_filtered_out {summary(tmp_path / 'out')['filtered_out']}\n" in metrics.read_text()


def test_batch_metrics_text_is_prometheus_lines() -> None:
    doc = {
        "records_in": 3,
        "dead_letter": 1,
        "verdicts": {"documented": 2},
        "filtered_out": 5,
        "inputs": [{"filtered_out": 5}],
    }
    text = render_batch_metrics(doc, [{"verdict": "out_of_scope"}, {"expected": {"reason": "r"}}], 0.25, 1.5)
    assert text.splitlines()[:3] == [
        "# HELP statuslens_run_records Records read by the last run (non-blank lines, HAR entries).",
        "# TYPE statuslens_run_records gauge",
        "statuslens_run_records 3",
    ]
    for sample in (
        "statuslens_run_filtered_out 5",
        "statuslens_run_anomaly_groups 2",
        "statuslens_run_expected_groups 1",
    ):
        assert sample in text.splitlines()
    assert "statuslens_run_duration_seconds 0.250" in text and "statuslens_last_success_timestamp_seconds 1.500" in text
    assert text.endswith("\n") and "_total" not in text  # batch keeps no cumulative state


def _known(folder: Path) -> Path:
    path = folder / "known.yaml"
    path.write_text(KNOWN, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "flags, message",
    [
        (("--fail-on", "undocumented"), "--fail-on: unknown verdict 'undocumented'"),
        (("--fail-on", "any,bogus"), "--fail-on: unknown verdict 'bogus'"),
        (("--fail-on", ","), "--fail-on: expected VERDICT"),
        (("--since", "yesterday"), "--since: 'yesterday' is not an ISO 8601 time"),
        (("--until", "2009-12-32"), "--until: '2009-12-32' is not an ISO 8601 time"),
        (("--since", "2009-12-10T21:41:00Z", "--until", "2009-12-10T21:40:00Z"), "the range is empty"),
        (("--metrics-file", "/nonexistent-folder/m.prom"), "--metrics-file '/nonexistent-folder/m.prom': the folder"),
    ],
)
def test_a_bad_ci_flag_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out"
    assert main(batch_argv(out, *flags)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not out.exists()  # refused before anything ran


@pytest.mark.parametrize(
    "text, problem",
    [
        (None, "cannot read"),
        ("expected: [", "not valid YAML"),
        ("known: []\n", "an 'expected:' list"),
        ("expected:\n  - {status_code: 403, reson: typo}\n", "entry 1: unknown key 'reson'"),
        ("expected:\n  - {status_code: 403}\n", "entry 1: 'reason' is required"),
        ("expected:\n  - {status_code: 403, reason: r, until: soon}\n", "entry 1: until 'soon' is not a date"),
        ("a: &a [1, 1]\nb: &b [*a, *a]\nexpected: [*b]\n", "YAML aliases"),
    ],
)
def test_a_bad_expect_file_is_a_usage_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, problem: str
) -> None:
    path = tmp_path / "known.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(batch_argv(out, "--expect", str(path))) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --expect {str(path)!r}: ") and problem in err and err.count("\n") == 1
    assert not out.exists()


def test_demo_takes_the_ci_flags_and_shows_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out), "--fail-on", "out_of_scope", "--since", "2009-12-10T21:40:30Z"]) == 3
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].endswith(
        f"--output {out} --overwrite --fail-on out_of_scope --since 2009-12-10T21:40:30Z"
    )
    assert fail_lines(printed) == [expected_line(g) for g in groups(out) if g["verdict"] == "out_of_scope"]
    assert "filtered_out" in summary(out)


def test_demo_refuses_a_bad_ci_flag_before_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out), "--fail-on", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--fail-on: unknown verdict 'nope'" in captured.err
    assert not out.exists()


def test_cron_never_alerts_on_a_new_group_the_expect_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs, state, out = tmp_path / "logs", tmp_path / "state", tmp_path / "out"
    logs.mkdir()
    teapot = {"time": 1_260_481_210, "method": "DELETE", "url": "/oauth/clock/time", "status": 418}
    (logs / "a.log").write_text(orjson.dumps(teapot).decode() + "\n", encoding="utf-8")
    known = tmp_path / "known.yaml"
    known.write_text("expected:\n  - {status_code: 418, reason: a joke endpoint}\n", encoding="utf-8")
    argv = ["cron", "--input", str(logs / "*"), "--state", str(state), "--output", str(out), "--settle", "0"]
    assert main([*argv, "--fail-on-new", "--expect", str(known)]) == 0
    printed = capsys.readouterr().out
    assert 'expected: undocumented_code 418 "" DELETE oauth/clock/time (1)' in printed
    run = next((out / "runs").iterdir())
    [new] = [orjson.loads(line) for line in (run / "new_anomalies.jsonl").read_bytes().splitlines()]
    assert new["expected"] == {"reason": "a joke endpoint"}
    (logs / "b.log").write_text(orjson.dumps({**teapot, "status": 419}).decode() + "\n", encoding="utf-8")
    assert main([*argv, "--fail-on-new", "--expect", str(known)]) == 3  # 419 is new and not expected
    assert "new: undocumented_code 419" in capsys.readouterr().out
