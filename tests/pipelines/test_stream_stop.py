"""The stream's stop on the local runner: intake paused, then every message pulled waited for on disk."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.stream_stop import Intake, drain, summarize_output


def summary(start: str, records: int) -> bytes:
    doc = {"kind": "summary", "window_start": start, "records_in": records, "records_annotated": records}
    return orjson.dumps({**doc, "dead_letter": 0}) + b"\n"


def test_stop_pauses_the_intake_and_waits_for_the_records_in_flight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intake = Intake()
    intake.received = 5  # pulled from Pub/Sub, 2 of them not yet fired by their window
    windows = tmp_path / "windows"
    windows.mkdir()
    (windows / "a.jsonl").write_bytes(summary("2026-12-02T03:00:00.000Z", 3))

    def fire_later() -> None:
        time.sleep(1.0)
        with open(windows / "a.jsonl", "ab") as handle:
            handle.write(summary("2026-12-02T03:00:00.000Z", 2))

    writer = threading.Thread(target=fire_later)
    started = time.monotonic()
    writer.start()
    drain(str(tmp_path), early_seconds=1, intake=intake)
    writer.join()
    assert intake.paused.is_set()
    assert time.monotonic() - started >= 1.0
    assert summarize_output(str(tmp_path))["records_in"] == 5
    assert "not written" not in capsys.readouterr().out


def test_a_paused_intake_waits_for_a_pull_in_flight() -> None:
    intake = Intake()
    intake.in_flight = 1
    threading.Timer(0.5, lambda: setattr(intake, "in_flight", 0)).start()
    started = time.monotonic()
    intake.pause(timeout=5)
    assert 0.4 <= time.monotonic() - started < 5
