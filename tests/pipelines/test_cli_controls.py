"""No line the CLI prints carries a control character from the logs or a file name as itself."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.cli import main


def test_cron_new_group_lines_show_controls_and_stay_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    record = {"time": 1, "method": "DELETE", "url": "/oauth/\x1b[2Jclock\nnew: fake", "status": 418}
    (logs / "api.log").write_text(orjson.dumps(record).decode() + "\n")
    argv = ["cron", "--input", str(logs / "*"), "--state", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    assert main([*argv, "--settle", "0"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    (line,) = [line for line in out.splitlines() if line.startswith("new:")]
    assert line.startswith("new: undocumented_code 418 ") and "\\x1b[2J" in line and line.endswith("(1)")


def test_a_damaged_input_warning_shows_controls_in_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = gzip.compress(b'{"time":1,"method":"GET","url":"/a","status":404}\n' * 50)
    path = tmp_path / "api\x1b]0;owned\x07.log.gz"
    path.write_bytes(whole[:-12])
    assert main(["batch", "--input", str(path), "--output", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "api\\x1b]0;owned\\x07.log.gz" in err
