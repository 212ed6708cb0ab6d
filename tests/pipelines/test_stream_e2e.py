"""End to end on the Pub/Sub emulator: `statuslens ship` follows a rotating folder, `statuslens
stream` runs as a subprocess, and every shipped record is counted exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.stream import summarize_output
from statuslens.transforms.model.groups import GroupKey

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample" / "api-access.log"
EMULATOR = Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")
PROJECT = "statuslens-test"


def _emulator_script() -> Path | None:
    gcloud = shutil.which("gcloud")
    if gcloud:
        candidate = (
            Path(os.path.realpath(gcloud)).parent.parent
            / "platform"
            / "pubsub-emulator"
            / "bin"
            / "cloud-pubsub-emulator"
        )
        if candidate.exists():
            return candidate
    return EMULATOR if EMULATOR.exists() else None


def _listening(host_port: str) -> bool:
    host, _, port = host_port.rpartition(":")
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """PUBSUB_EMULATOR_HOST: the one CI started, or one started here from the gcloud SDK."""
    pytest.importorskip("google.cloud.pubsub_v1", reason="the [stream] extra (apache-beam[gcp]) is not installed")
    existing = os.environ.get("PUBSUB_EMULATOR_HOST")
    if existing and _listening(existing):
        yield existing
        return
    script = _emulator_script()
    if script is None:
        pytest.skip("the Pub/Sub emulator (google-cloud-cli-pubsub-emulator) is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(script), "--host=127.0.0.1", f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _listening(host):
            assert time.monotonic() < deadline, "the Pub/Sub emulator did not start within 60 s"
            time.sleep(0.3)
        yield host
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture()
def topic(emulator: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", emulator)
    name = uuid.uuid4().hex[:8]
    topic_path, sub_path = f"projects/{PROJECT}/topics/t{name}", f"projects/{PROJECT}/subscriptions/s{name}"
    pubsub_v1.PublisherClient().create_topic(name=topic_path)
    pubsub_v1.SubscriberClient().create_subscription(name=sub_path, topic=topic_path)
    return topic_path, sub_path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "statuslens.pipelines.cli", *args]


def _wait_for(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return False


@pytest.mark.slow
def test_ship_and_stream_count_every_record_once(topic: tuple[str, str], tmp_path: Path) -> None:
    topic_path, sub_path = topic
    lines = [line for line in SAMPLE_LOG.read_bytes().splitlines() if line.strip()]
    logs, out, state = tmp_path / "logs", tmp_path / "out", tmp_path / "ship.json"
    logs.mkdir()
    live = logs / "access.log"
    live.write_bytes(b"\n".join(lines[:40]) + b"\nthis line is not a log line\n")
    stream = subprocess.Popen(
        _cli(
            "stream",
            "--subscription",
            sub_path,
            "--output",
            str(out),
            "--window",
            "2s",
            "--early-every",
            "1s",
            "--allowed-lateness",
            "20s",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ship = subprocess.Popen(
        _cli(
            "ship",
            "--follow",
            str(logs / "access.log*"),
            "--topic",
            topic_path,
            "--retime",
            "--rate",
            "200",
            "--state",
            str(state),
            "--batch-size",
            "10",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(4)
        os.replace(live, logs / "access.log.1")  # rotation: the old file keeps its identity
        live.write_bytes(b"\n".join(lines[40:70]) + b"\n\n")
        time.sleep(3)
        with open(live, "ab") as handle:
            handle.write(b"\n".join(lines[70:90]) + b"\n")
        time.sleep(3)
        ship.send_signal(signal.SIGTERM)
        ship_out, ship_err = ship.communicate(timeout=60)
        assert ship.returncode == 0, ship_err
        shipped = 40 + 1 + 30 + 20
        assert f"{shipped} records published" in ship_out

        def all_counted() -> bool:
            totals = summarize_output(str(out))
            return totals["records_in"] + totals["late"] == shipped

        assert _wait_for(all_counted, 120), summarize_output(str(out))

        # Re-send everything with the same record ids and event times (positions lost, as after a
        # crash before any acknowledgement): all of it is dropped as duplicates.
        doc = orjson.loads(state.read_bytes())
        doc["files"] = {}
        state.write_bytes(orjson.dumps(doc))
        replay = subprocess.run(
            _cli(
                "ship",
                "--from",
                str(logs / "access.log.1"),
                "--from",
                str(live),
                "--topic",
                topic_path,
                "--retime",
                "--rate",
                "200",
                "--state",
                str(state),
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert replay.returncode == 0, replay.stderr
        assert _wait_for(lambda: summarize_output(str(out))["duplicates"] == shipped, 60), summarize_output(str(out))
    finally:
        stream.send_signal(signal.SIGTERM)
        stream_out, stream_err = stream.communicate(timeout=120)
    assert stream.returncode == 0, stream_err
    assert "statuslens stream: stopped" in stream_out
    totals = summarize_output(str(out))
    assert totals["records_in"] + totals["late"] == shipped and totals["dead_letter"] >= 1
    alerts = [orjson.loads(line) for line in (out / "alerts" / "alerts.jsonl").read_bytes().splitlines()]
    kinds = [alert["kind"] for alert in alerts]
    new_keys = [GroupKey.from_json(a).id for a in alerts if a["kind"] == "new_anomaly"]
    assert "new_anomaly" in kinds and len(new_keys) == len(set(new_keys))  # each group alerted once
    letters = [orjson.loads(line) for line in (out / "dead_letter" / "dead_letter.jsonl").read_bytes().splitlines()]
    assert any(d["raw"] == "this line is not a log line" for d in letters)
    everything = b"".join(p.read_bytes() for p in out.rglob("*.jsonl"))
    assert b"oauth_signature=REDACTED" in everything and b"oauth_token=REDACTED" in everything
