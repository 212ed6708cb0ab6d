"""`statuslens batch` end to end on files: the DOMAIN.md §6 contract, field for field."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main
from tests.contract import ANNOTATED_KEYS, GROUP_KEYS, SUMMARY_KEYS

TOKEN = "jfafgrb3cr5mdf5gtx8ht3d4"
SIGNATURE = "N%2B2Swwj2eWf%2Flg1wgzrHrjcA3cY%3D"
SEED_URL = (
    f"https://api-user.netflix.com/oauth/login?application_name=myApp&oauth_token={TOKEN}"
    "&oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf"
    f"&oauth_callback=http%3A%2F%2Fmy.server%2Fmy%2Fpath%2F%3Frequest_token%3D{TOKEN}"
    "&request_token_secret=mySecretValue&oauth_timestamp=1260481210&oauth_nonce=4RiQMA"
    f"&oauth_signature_method=HMAC-SHA1&oauth_signature={SIGNATURE}"
)
JSONL = [
    {"time": "2009-12-10T21:40:10Z", "method": "GET", "url": SEED_URL, "status": 405},
    {
        "time": "2009-12-10T21:40:11Z",
        "method": "POST",
        "url": "http://api.netflix.com/users/T1pYkT0x/queues/instant",
        "status": 412,
        "body": "<status><status_code>412</status_code><sub_code>710</sub_code>"
        "<message>disc already exists in queue</message></status>",
    },
    {
        "time": "2009-12-10T21:40:12Z",
        "method": "GET",
        "url": "http://api.netflix.com/catalog/titles/movies/1",
        "status": 200,
        "body": '{"status": {"status_code": 401, "message": "Access token is invalid"}}',
    },
    {
        "time": 1260481213,
        "method": "GET",
        "url": "/catalog/titles?max_results=-1",
        "status": 400,
        "body": "<status><status_code>400</status_code><sub_code>120</sub_code>"
        "<message>Query parameter max_results must be a positive integer.</message></status>",
    },
]
COMBINED_BODY = [
    '1.2.3.4 - - [10/Dec/2009:21:40:14 +0000] "GET /catalog/people/9?oauth_consumer_key=k1 HTTP/1.1" 403 40 "-" '
    '"curl" "<h1>403 Developer Over Qps</h1>"',
    '1.2.3.4 - - [10/Dec/2009:21:40:15 +0000] "GET /users/current HTTP/1.1" 401 40 "-" "curl" '
    '"<status><message>Access token is invalid</status>"',
    '1.2.3.4 - - [10/Dec/2009:21:40:16 +0000] "GET /catalog/titles/series/5 HTTP/1.1" 200 9 "-" "curl" "-"',
    "",
    "garbage that is no log line",
]
HAR = {
    "log": {
        "version": "1.2",
        "entries": [
            {
                "startedDateTime": "2009-12-10T21:40:17.250Z",
                "request": {
                    "method": "GET",
                    "url": "http://api.netflix.com/catalog/people/3?feed_token=feedsecret123",
                    "headers": [{"name": "Authorization", "value": 'OAuth oauth_consumer_key="harkey"'}],
                },
                "response": {
                    "status": 403,
                    "headers": [{"name": "X-Mashery-Error-Code", "value": "ERR_403_DEVELOPER_OVER_QPS"}],
                    "content": {
                        "text": base64.b64encode(b"<h1>Developer Over Qps</h1>").decode(),
                        "encoding": "base64",
                    },
                },
            },
            {
                "startedDateTime": "2009-12-10T21:40:18Z",
                "request": {"method": "GET", "url": "http://x/y"},
                "response": {"status": 0},
            },
        ],
    }
}


@pytest.fixture()
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "api.jsonl.gz").write_bytes(gzip.compress(b"\n".join(orjson.dumps(r) for r in JSONL) + b"\n"))
    (folder / "api.log").write_text("\n".join(COMBINED_BODY) + "\n")
    (folder / "capture.har").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(HAR))
    whole = gzip.compress(("\n".join(COMBINED_BODY[:3] * 200) + "\n").encode())
    (folder / "cut.log.gz").write_bytes(whole[: len(whole) // 2])
    return folder


def _run(logs: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "batch",
            "--input",
            str(logs / "*.gz"),
            "--input",
            str(logs / "*.log"),
            "--input",
            str(logs / "capture.har"),
            "--output",
            str(out),
            *extra,
        ]
    )


def _lines(folder: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for f in sorted(folder.iterdir()) for line in f.read_bytes().splitlines()]


def test_batch_writes_the_contract_outputs(logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _run(logs, out) == 0
    # The run proposes rows, so the YAML catalog patched with them is there too (DOMAIN.md §9).
    assert sorted(p.name for p in out.iterdir()) == [
        "annotated",
        "anomalies.jsonl",
        "dead_letter",
        "proposed-catalog.yaml",
        "report.html",
        "report.md",
        "summary.json",
    ]
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert list(summary) == SUMMARY_KEYS
    cut = next(i for i in summary["inputs"] if i["path"].endswith("cut.log.gz"))
    good_cut_lines = cut["records"]
    assert cut["damaged"] and cut["dead_letter"] == 1 and good_cut_lines > 0
    # 4 JSON lines + 4 non-blank combined lines + 2 HAR entries + the cut file's good lines + its damage.
    assert summary["records_in"] == 4 + 4 + 2 + good_cut_lines + 1
    assert summary["records_in"] == summary["records_annotated"] + summary["dead_letter"]
    assert summary["dead_letter"] == 3  # the garbage line, HAR status 0, the damage
    assert summary["blank_lines"] == 1
    assert list(summary["verdicts"]) == [
        "documented",
        "undocumented_code",
        "undocumented_subcode",
        "undocumented_message",
        "out_of_scope",
    ]
    # COMBINED_BODY[1] has a broken XML body; the cut file repeats COMBINED_BODY[:3].
    broken_in_cut = sum(1 for i in range(good_cut_lines) if i % 3 == 1)
    assert summary["flags"] == {"body_unparseable": 1 + broken_in_cut, "http_status_mismatch": 1}
    assert sum(summary["verdicts"].values()) == summary["records_annotated"] == sum(summary["status_codes"].values())
    assert summary["catalog"]["name"] == "netflix-api" and len(summary["catalog"]["sha256"]) == 64
    assert [i["format"] for i in summary["inputs"]] == ["jsonl", "combined_body", "har", "combined_body"]
    assert [i["compression"] for i in summary["inputs"]] == ["gzip", "none", "none", "gzip"]

    groups = [orjson.loads(line) for line in (out / "anomalies.jsonl").read_bytes().splitlines()]
    assert all(list(g) == GROUP_KEYS for g in groups)
    counts = [g["count"] for g in groups]
    assert counts == sorted(counts, reverse=True)
    by_verdict = {(g["verdict"], g["status_code"], g["resource"]): g for g in groups}
    assert by_verdict[("undocumented_code", 405, "oauth/login")]["consumers"] == 1
    assert (
        by_verdict[("undocumented_message", 412, "users/{user_token}/queues/instant")]["message"]
        == "disc already exists in queue"
    )
    assert (
        by_verdict[("out_of_scope", 403, "catalog/people/{id}")]["explanation"]
        == "403 is documented only for All feeds; this request has no feed_token."
    )
    feed = by_verdict[("undocumented_message", 403, "catalog/people/{id}")]
    assert feed["samples"][0]["gateway_code"] == "ERR_403_DEVELOPER_OVER_QPS"
    assert feed["samples"][0]["consumer"] == "harkey"
    assert feed["samples"][0]["time"] == "2009-12-10T21:40:17.250Z"

    annotated = _lines(out / "annotated")
    assert all(list(r) == ANNOTATED_KEYS for r in annotated)
    assert {r["source"].rsplit("/", 1)[-1] for r in annotated} >= {"api.jsonl.gz:1", "capture.har:entry1"}
    dead = _lines(out / "dead_letter")
    assert all(list(d) == ["source", "reason", "raw"] for d in dead)
    reasons = {d["reason"] for d in dead}
    assert reasons >= {"status 0 is outside 100-599", "line does not match log format combined_body"}

    printed = capsys.readouterr().out
    assert f"{summary['records_in']} records in" in printed and str(out) in printed


def test_no_secret_reaches_any_output(logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(logs, out, "--annotated", "all") == 0
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for secret in (TOKEN.encode(), SIGNATURE.encode(), b"mySecretValue", b"feedsecret123"):
        assert secret not in everything
    assert b"k4bghqddunxytt5x8p3qx9bf" in everything  # the consumer key is an application id, kept


def test_overwrite_replaces_previous_outputs_and_keeps_other_files(logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(logs, out) == 0
    stale = out / "annotated" / "part-00007-of-00009.jsonl"
    stale.write_text('{"stale": true}\n')
    (out / "notes.txt").write_text("mine")
    assert _run(logs, out) == 2
    assert _run(logs, out, "--overwrite", "--annotated", "none") == 0
    assert not stale.exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert _lines(out / "annotated") == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["batch", "--input", "/nonexistent/*.log", "--output", "OUT"], "matches no file"),
        (["batch", "--input", "LOGS", "--output", "OUT", "--catalog", "/nonexistent.yaml"], "cannot read catalog"),
        (["batch", "--input", "LOGS", "--output", "OUT", "--bogus-flag"], "unrecognized argument --bogus-flag"),
        (["batch", "--input", "LOGS", "--output", "OUT", "--annotated", "some"], "invalid choice"),
        (["batch", "--input", "LOGS", "--output", "OUT", "--log-format", "apache"], "unknown log format"),
        (["batch", "--output", "OUT"], "--input is required"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.replace("LOGS", str(logs / "*.log")).replace("OUT", str(tmp_path / "o")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_catalog_names_file_key_and_problem(logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "bad.yaml"
    catalog.write_text(
        "schema: statuslens.catalog/v1\nname: x\nresources: [{template: a}]\n"
        "statuses: [{code: 999, applies_to: All resources, messages: []}]\n"
    )
    assert (
        main(["batch", "--input", str(logs / "*.log"), "--output", str(tmp_path / "o"), "--catalog", str(catalog)]) == 2
    )
    assert f"{catalog}: statuses[0].code: must be an HTTP status 100-599, got 999" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("statuslens 0.")


def test_report_escapes_what_came_from_logs(tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    log.write_text(
        orjson.dumps(
            {
                "time": 1,
                "method": "GET",
                "url": "/a<script>alert(1)</script>|b",
                "status": 418,
                "body": "<status><message><![CDATA[<img src=x onerror=alert(2)>]]></message></status>",
            }
        ).decode()
    )
    out = tmp_path / "out"
    assert main(["batch", "--input", str(log), "--output", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "<script>" not in page and "<img" not in page and "&lt;img src=x" in page
    # self-contained: no external asset (the one "http" left is the Content-Security-Policy meta tag)
    assert "http" not in page.replace("http_status", "").replace('<meta http-equiv="Content-Security-Policy"', "")
    markdown = (out / "report.md").read_text()
    assert "| 418 |  | a&lt;script>alert(1)&lt;/script>\\|b |" in markdown


@pytest.mark.slow
@pytest.mark.parametrize("piped", [True, False])
def test_console_entry_exits_with_mains_code_and_complete_output(tmp_path: Path, piped: bool) -> None:
    """`statuslens` (cli.run) ends batch runs with os._exit: its stdout must still be complete, its exit
    status main's, whether stdout is a pipe or a file."""
    import subprocess
    import sys

    logs = tmp_path / "a.jsonl"
    logs.write_text("\n".join(orjson.dumps(r).decode() for r in JSONL) + "\n")
    command = [
        sys.executable,
        "-c",
        "from statuslens.pipelines.cli import run; run()",
        "batch",
        "--input",
        str(logs),
        "--output",
        str(tmp_path / "out"),
    ]
    if piped:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        stdout = done.stdout
    else:
        with open(tmp_path / "stdout.txt", "w") as handle:
            done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True, timeout=120)
        stdout = (tmp_path / "stdout.txt").read_text()
    assert done.returncode == 0, done.stderr
    # The last line (issue 11: the summary ends with where to look) is there, whole.
    assert stdout.startswith("statuslens: 4 records in")
    assert stdout.endswith(f"open {tmp_path / 'out' / 'report.html'}\n")
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "is not empty" in again.stderr


def test_run_batch_returns_what_it_wrote(logs: Path, tmp_path: Path) -> None:
    """The CLI prints the summary the job returned: the same as summary.json, groups as in anomalies.jsonl."""
    from statuslens.pipelines.batch import BatchConfig, expand_inputs, run_batch
    from statuslens.transforms.verdicts.catalog import load_catalog

    out = tmp_path / "out"
    config = BatchConfig(inputs=expand_inputs([str(logs / "*")]), output=str(out), catalog=load_catalog(None))
    result = run_batch(config, ["--direct_num_workers=1"])
    assert result.summary == orjson.loads((out / "summary.json").read_bytes())
    assert list(result.groups) == [orjson.loads(line) for line in (out / "anomalies.jsonl").read_bytes().splitlines()]
    assert result.summary["records_in"] > 0 and result.groups


def test_a_failed_run_exits_1_with_one_redacted_line(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = f"/dev/null/out?oauth_token={TOKEN}"  # under a file: the run cannot write its outputs
    assert main(["batch", "--input", str(logs / "*.log"), "--output", out]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the run failed: ") and "Not a directory" in err
    assert TOKEN not in err and len(err.strip().splitlines()) == 1


def test_each_help_names_the_runner_its_command_defaults_to(capsys: pytest.CaptureFixture[str]) -> None:
    for command, runner, other in (
        ("batch", "FnApiRunner", "BundleBasedDirectRunner"),
        ("stream", "BundleBasedDirectRunner", "FnApiRunner"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        text = "".join(capsys.readouterr().out.split())  # argparse wraps lines, at hyphens too
        assert f"--runner(default:thein-process{runner})" in text and other not in text
