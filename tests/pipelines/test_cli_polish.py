"""The command line for people (issue 11, point 5), end to end on files: the summary lines, the warning
for a file in no known format, dead letters by reason, `--input -`, absolute paths, `--runner`,
Apache LogFormat strings, `--verbose` and the demo's batch flags."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main

# One documented 200, one undocumented 418 (one group of one record), one line of no format, one blank.
LINES = [
    '1.2.3.4 - - [10/Dec/2009:21:40:14 +0000] "GET /catalog/titles/movies/1 HTTP/1.1" 200 9 "-" "curl" "-"',
    '1.2.3.4 - - [10/Dec/2009:21:40:15 +0000] "GET /catalog/titles/movies/2 HTTP/1.1" 418 9 "-" "curl" '
    '"<status><status_code>418</status_code><message>teapot</message></status>"',
    "",
    "garbage that is no log line",
]
APACHE_COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
# Apache's combined format with the gateway header logged: `%{X-Mashery-Error-Code}o` is a response header.
APACHE_LINES = [
    '1.2.3.4 - - [10/Dec/2009:21:40:14 +0000] "GET /catalog/titles/movies/1 HTTP/1.1" 200 9 "-" "curl/7"',
    '5.6.7.8 - bob [10/Dec/2009:21:40:15 +0000] "GET /catalog/people/9 HTTP/1.1" 404 0 "http://x/" "Mozilla/5.0"',
]


def _summary(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads((out / "summary.json").read_bytes())
    return doc


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    path = tmp_path / "api.log"
    path.write_text("\n".join(LINES) + "\n")
    return path


def test_summary_lines_count_groups_pluralise_and_end_with_the_report(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["batch", "--input", str(log), "--output", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "statuslens: 3 records in, 2 annotated, 1 dead letter, 1 blank line"
    assert lines[2] == "anomalies: 1 group, 1 record (undocumented_code 1 group)"
    assert lines[3] == "dead letters by reason: line does not match log format combined_body 1"
    # The 418 is proposed as a row, so the patched catalog is written and named with the results.
    files = "anomalies.jsonl, report.md, report.html, annotated/, dead_letter/, proposed-catalog.yaml"
    assert lines[-2] == f"results: {out / 'summary.json'}, {files}"
    assert lines[-1] == f"open {out / 'report.html'}"
    assert "seen 1 time (undocumented_code)" in (out / "report.md").read_text()


def test_dead_letters_are_counted_by_reason_in_the_summary_and_the_reports(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing_status = tmp_path / "b.jsonl"
    missing_status.write_text('{"time": "2009-12-10T21:40:10Z", "method": "GET", "url": "/x"}\nnot json\n')
    assert main(["batch", "--input", str(log), "--input", str(missing_status), "--output", str(out)]) == 0
    summary = _summary(out)
    reasons = summary["dead_letter_reasons"]
    assert reasons == {"line does not match log format combined_body": 1, "missing status": 1, "not valid JSON": 1}
    assert sum(reasons.values()) == summary["dead_letter"]
    assert list(summary).index("dead_letter_reasons") == list(summary).index("status_codes") + 1
    assert (
        "| dead-letter reason | count |\n|---|---:|\n| line does not match log format combined_body | 1 |"
        in (out / "report.md").read_text()
    )
    assert "<tr><td>not valid JSON</td><td class=num>1</td></tr>" in (out / "report.html").read_text()


def test_a_run_without_dead_letters_has_an_empty_reason_count(tmp_path: Path) -> None:
    path = tmp_path / "ok.log"
    path.write_text(LINES[0] + "\n")
    assert main(["batch", "--input", str(path), "--output", str(tmp_path / "out")]) == 0
    assert _summary(tmp_path / "out")["dead_letter_reasons"] == {}
    assert "dead-letter reason" not in (tmp_path / "out" / "report.md").read_text()


def test_a_file_in_no_known_format_is_warned_about_with_a_log_format_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.log"
    odd.write_text("2009-12-10 21:40:14 GET /catalog 200\n2009-12-10 21:40:15 GET /catalog 404\n")
    assert main(["batch", "--input", str(odd), "--output", str(tmp_path / "out")]) == 0  # exit 0 as before
    err = capsys.readouterr().err
    assert err.startswith(f"warning: {odd}: no known log format; its 2 lines became dead letters: ")
    assert "--log-format" in err and "Apache LogFormat" in err and err.count("\n") == 1
    assert _summary(tmp_path / "out")["inputs"][0]["format"] == "unknown"


def test_a_recognised_file_with_dead_letters_gets_no_format_warning(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["batch", "--input", str(log), "--output", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == ""


def test_apache_log_format_strings_are_read_like_nginx_ones(tmp_path: Path) -> None:
    path = tmp_path / "access_log"
    path.write_text("\n".join(APACHE_LINES) + "\n")
    out = tmp_path / "out"
    assert main(["batch", "--input", str(path), "--output", str(out), "--log-format", APACHE_COMBINED]) == 0
    summary = _summary(out)
    assert (summary["records_in"], summary["records_annotated"], summary["dead_letter"]) == (2, 2, 0)
    assert summary["status_codes"] == {"200": 1, "404": 1}
    assert summary["inputs"][0]["format"] == APACHE_COMBINED
    annotated = [orjson.loads(line) for f in (out / "annotated").iterdir() for line in f.read_bytes().splitlines()]
    assert [(r["method"], r["url"], r["http_status"]) for r in annotated] == [("GET", "/catalog/people/9", 404)]


def test_an_unusable_apache_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "access_log"
    path.write_text(APACHE_LINES[0] + "\n")
    argv = ["batch", "--input", str(path), "--output", str(tmp_path / "out"), "--log-format", "%h %{%Y}t %>s"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --log-format: ") and "%{%Y}t" in err and err.count("\n") == 1


def test_an_unknown_runner_is_a_usage_error_before_anything_is_touched(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")  # a previous run's: --overwrite would remove it
    argv = ["batch", "--input", str(log), "--output", str(out), "--overwrite", "--runner", "NoSuchRunner"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --runner 'NoSuchRunner' is not a Beam runner; use one of ") and err.count("\n") == 1
    assert "FnApiRunner" in err
    assert (out / "summary.json").read_text() == "{}"


@pytest.mark.parametrize("runner", ["FnApiRunner", "fnapirunner", "DirectRunner", "direct"])
def test_beams_runner_names_are_accepted(runner: str, log: Path, tmp_path: Path) -> None:
    assert main(["batch", "--input", str(log), "--output", str(tmp_path / "out"), "--runner", runner]) == 0


def test_relative_input_and_output_paths_are_made_absolute(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "--input", log.name, "--output", "out"]) == 0
    summary = _summary(tmp_path / "out")
    assert summary["inputs"][0]["path"] == str(log)
    dead = (tmp_path / "out" / "dead_letter").iterdir()
    assert [orjson.loads(line)["source"] for f in dead for line in f.read_bytes().splitlines()] == [f"{log}:4"]
    assert capsys.readouterr().out.splitlines()[-1] == f"open {tmp_path / 'out' / 'report.html'}"


def test_input_dash_reads_standard_input(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "statuslens.pipelines.cli", "batch", "--input", "-", "--output", str(out)]
    with open(log, "rb") as stdin:
        done = subprocess.run(command, stdin=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = _summary(out)
    assert [(i["path"], i["format"], i["records"], i["dead_letter"]) for i in summary["inputs"]] == [
        ("stdin", "combined_body", 2, 1)
    ]
    dead = [orjson.loads(line) for f in (out / "dead_letter").iterdir() for line in f.read_bytes().splitlines()]
    assert [d["source"] for d in dead] == ["stdin:4"]


def test_input_dash_with_files_reads_both(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "statuslens.pipelines.cli", "batch", "--input", "-", "--input", str(log)]
    with open(log, "rb") as stdin:
        done = subprocess.run([*command, "--output", str(out)], stdin=stdin, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(i["path"] for i in _summary(out)["inputs"]) == sorted([str(log), "stdin"])
    assert _summary(out)["records_in"] == 6


def test_verbose_adds_the_traceback_of_a_failed_run(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire, oauth_token=abcd1234secret")

    monkeypatch.setattr("statuslens.pipelines.commands.batch.run_batch", broken)
    argv = ["batch", "--input", str(log), "--output", str(tmp_path / "out")]
    assert main(argv) == 1
    quiet = capsys.readouterr().err
    assert quiet.splitlines() == ["error: the run failed: disk on fire, oauth_token=REDACTED"]
    assert main([*argv, "--verbose"]) == 1
    loud = capsys.readouterr().err
    assert loud.startswith(quiet) and "Traceback (most recent call last):" in loud
    assert "in broken" in loud and "RuntimeError: disk on fire" in loud and "abcd1234secret" not in loud


def test_demo_accepts_the_batch_flags_and_shows_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    catalog = Path(__file__).parents[2] / "configs" / "catalogs" / "netflix-api-1.5.yaml"
    assert main(["demo", "--output", str(out), "--annotated", "all", "--quiet", "--catalog", str(catalog)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f"--output {out} --overwrite --catalog {catalog} --annotated all --quiet")
    summary = _summary(out)
    written = sum(len(f.read_bytes().splitlines()) for f in (out / "annotated").iterdir())
    assert written == summary["records_annotated"] > 0
    assert summary["catalog"]["sha256"] == hashlib.sha256(catalog.read_bytes()).hexdigest()
    assert lines[-1] == f"open {out / 'report.html'}"


def test_input_dash_on_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    out = tmp_path / "out"
    command = [sys.executable, "-m", "statuslens.pipelines.cli", "batch", "--input", "-", "--output", str(out)]
    try:
        done = subprocess.run(command, stdin=slave, capture_output=True, text=True, timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: --input -: standard input is a terminal") and done.stderr.count("\n") == 1
    assert not out.exists()
