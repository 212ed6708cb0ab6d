"""End to end on the Pub/Sub emulator: `statuslens ship` follows a rotating folder, `statuslens
stream` runs as a subprocess, and every shipped record is counted exactly once; then, on the bundled
sample and a generated corpus with bursts, after a clean stop: every group alerted once and complete,
one rate-limit alert per over-limit consumer-second (computed here from the file), totals on disk."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest

from statuslens.pipelines.stream_stop import summarize_output
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
        # The shipper is running (its first batch is confirmed) before the file rotates.
        assert _wait_for(state.exists, 60), "ship confirmed nothing within 60 s"
        time.sleep(1)
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


def _bursty_corpus(path: Path) -> None:
    """JSON lines over 40 s: 20 calm consumers, and consumers that burst over 4 calls in a calendar
    second (answered 403 Developer Over Qps beyond the 4th), some 4 + 4 across a second boundary."""
    rng = random.Random(12)
    base = 1_700_000_000_000
    lines = []
    for i in range(240):
        at = base + rng.randrange(40_000)
        lines.append((at, f"calm{i % 20}", 200, None))
    for burst in range(14):
        consumer, second = f"burst{burst % 5}", base + 1000 * rng.randrange(1, 39)
        if burst % 4 == 3:  # 4 calls at the end of one second and 4 at the start of the next: never over
            times = [second - 400 + 90 * k for k in range(4)] + [second + 10 + 90 * k for k in range(4)]
        else:
            times = [second + rng.randrange(1000) for _ in range(rng.randrange(5, 10))]
        for n, at in enumerate(sorted(times)):
            over = n >= 4 and burst % 4 != 3
            lines.append((at, consumer, 403 if over else 200, "<h1>Developer Over Qps</h1>" if over else None))
    lines.sort()
    docs = []
    for n, (at, consumer, status, body) in enumerate(lines):
        doc = {"time": at, "method": "GET", "url": f"/catalog/people/{n}?oauth_consumer_key={consumer}"}
        docs.append(orjson.dumps({**doc, "status": status, **({"body": body} if body else {})}))
    path.write_bytes(b"\n".join(docs) + b"\n")


_NGINX_TIME = re.compile(rb"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]")


def _line_time_and_url(line: bytes) -> tuple[int, str] | None:
    """A line's epoch ms and URL, read here without statuslens (JSON lines or nginx)."""
    if line.startswith(b"{"):
        doc = orjson.loads(line)
        return int(doc["time"]), doc["url"]
    found = _NGINX_TIME.search(line)
    request = re.search(rb'"[A-Z]+ (\S+) HTTP/[\d.]+"', line)
    if not found or not request:
        return None
    when = datetime.strptime(found.group(1).decode(), "%d/%b/%Y:%H:%M:%S %z")
    return int(when.timestamp() * 1000), request.group(1).decode()


def _over_limit_seconds(path: Path, skip: set[int], limit: int = 4) -> dict[tuple[str, str], int]:
    """DOMAIN.md §8 computed from the file itself: (consumer, calendar second) -> calls, over the limit."""
    calls: Counter[tuple[str, int]] = Counter()
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        parsed = None if number in skip or not line.strip() else _line_time_and_url(line)
        if parsed is None:
            continue
        at, url = parsed
        keys = [v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True) if k == "oauth_consumer_key"]
        consumer = next((k for k in keys if k), None)
        if consumer:
            calls[consumer, at // 1000] += 1
    return {
        (consumer, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")): n
        for (consumer, second), n in calls.items()
        if n > limit
    }


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["sample", "bursty"])
def test_after_a_clean_stop_alerts_are_complete_and_every_record_is_counted_once(
    corpus: str, topic: tuple[str, str], tmp_path: Path
) -> None:
    topic_path, sub_path = topic
    source = SAMPLE_LOG if corpus == "sample" else tmp_path / "bursty.jsonl"
    if corpus == "bursty":
        _bursty_corpus(source)
    out = tmp_path / "out"
    stream = subprocess.Popen(
        _cli("stream", "--subscription", sub_path, "--output", str(out), "--window", "10s", "--early-every", "1s"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        shipped = subprocess.run(
            _cli("ship", "--from", str(source), "--topic", topic_path, "--retime", "--rate", "200"),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert shipped.returncode == 0, shipped.stderr
        count = int(re.search(r"(\d+) records published", shipped.stdout).group(1))  # type: ignore[union-attr]
        assert count == sum(1 for line in source.read_bytes().splitlines() if line.strip())
        assert _wait_for(lambda: _counted(out) == count, 90), summarize_output(str(out))
    finally:
        stream.send_signal(signal.SIGTERM)
        stream_out, stream_err = stream.communicate(timeout=120)
    assert stream.returncode == 0, stream_err
    totals = summarize_output(str(out))
    # The totals printed on stop are what is on disk, and every record shipped is in them once.
    assert "stopped; " + ", ".join(f"{k} {v}" for k, v in totals.items()) in stream_out
    assert totals["records_in"] + totals["late"] == count and totals["duplicates"] == 0
    letters = [
        orjson.loads(line) for p in (out / "dead_letter").glob("*.jsonl") for line in p.read_bytes().splitlines()
    ]
    assert len(letters) == totals["dead_letter"]

    batch = tmp_path / "batch"
    done = subprocess.run(_cli("batch", "--input", str(source), "--output", str(batch)), capture_output=True)
    assert done.returncode == 0, done.stderr
    groups = {
        GroupKey.from_json(g).id: g for g in map(orjson.loads, (batch / "anomalies.jsonl").read_bytes().splitlines())
    }
    alerts = [orjson.loads(line) for line in (out / "alerts" / "alerts.jsonl").read_bytes().splitlines()]
    new = [a for a in alerts if a["kind"] == "new_anomaly"]
    assert sorted(GroupKey.from_json(a).id for a in new) == sorted(groups)  # every group, once
    for alert in new:
        group = groups[GroupKey.from_json(alert).id]
        nulls = {k for k, v in alert.items() if v is None}
        assert nulls <= {k for k in ("sub_code", "message") if group[k] is None}, alert
        assert alert["message"] == group["message"] and isinstance(alert["causes"], list)
        assert alert["first_seen_original"] >= group["first_seen"]

    skip = {int(d["source"].rpartition(":")[2]) for d in letters}
    expected = _over_limit_seconds(source, skip)
    rates = {(a["consumer"], a["second_original"]): a["calls"] for a in alerts if a["kind"] == "rate_limit"}
    assert len(rates) == sum(1 for a in alerts if a["kind"] == "rate_limit")  # one per consumer-second
    assert rates.keys() == expected.keys() and expected
    assert all(4 < calls <= expected[key] for key, calls in rates.items())


def _counted(out: Path) -> int:
    totals = summarize_output(str(out))
    return int(totals["records_in"] + totals["late"])
