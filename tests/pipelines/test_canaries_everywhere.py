"""Issue 13's proof: over hostile inputs that carry more than a hundred distinct canary secrets in
every way the issue lists (tests/pipelines/canaries.py), no canary survives — raw, URL-encoded,
JSON-escaped or in base64 — in any file that batch, cron, ship or stream writes, in what they print,
or in the messages on the Pub/Sub bus; and every run read every item, so the grep cannot pass on an
empty output."""

from __future__ import annotations

import gzip
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.ship import ShipConfig, run_ship
from statuslens.pipelines.stream_stop import summarize_output
from tests.pipelines import test_stream_e2e
from tests.pipelines.canaries import Canaries, Planted, build_logs, survivors

# The module-scoped fixture of the stream end-to-end test: CI's emulator, or one started from the SDK.
emulator = test_stream_e2e.emulator
PROJECT = "statuslens-canary"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Canaries, Planted]:
    canaries = Canaries()
    logs = tmp_path_factory.mktemp("hostile") / "logs"
    planted = build_logs(logs, canaries)
    assert len(canaries.where) >= 100 and planted.total_dead >= 20
    return logs, canaries, planted


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statuslens.pipelines.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def _files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file())


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def assert_no_canary(canaries: Canaries, files: Iterable[Path], texts: dict[str, str]) -> int:
    """Every file and text searched for every canary; a failure names each leak and where it was
    planted. Returns the number of files searched (checked by the callers: not zero)."""
    leaks: list[str] = []
    searched = 0
    named = {str(path): _text(path) for path in files}
    searched = len(named)
    for name, text in {**named, **texts}.items():
        for secret, form in survivors(text, canaries.where).items():
            leaks.append(f"{name}: {canaries.where[secret]} ({secret}, {form})")
    assert not leaks, f"{len(leaks)} canaries survived:\n" + "\n".join(leaks)
    return searched


def _lines(folder: Path) -> list[bytes]:
    return [line for path in _files(folder) for line in path.read_bytes().splitlines() if line.strip()]


def test_batch_writes_and_prints_no_canary(hostile: tuple[Path, Canaries, Planted], tmp_path: Path) -> None:
    logs, canaries, planted = hostile
    out, metrics = tmp_path / "out", tmp_path / "batch.prom"
    argv = ["batch", "--input", str(logs / "*"), "--output", str(out), "--annotated", "all"]
    done = _cli(*argv, "--fail-on", "any", "--metrics-file", str(metrics), "--progress")
    assert done.returncode == 3, done.stderr  # --fail-on any: anomaly groups, every output written
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["records_in"] == planted.total
    assert summary["dead_letter"] == planted.total_dead
    assert summary["records_annotated"] == planted.total - planted.total_dead
    assert {Path(i["path"]).name: i["records"] + i["dead_letter"] for i in summary["inputs"]} == planted.items
    assert sorted(Path(i["path"]).name for i in summary["inputs"] if i["damaged"]) == ["broken.har", "cut.har.gz"]
    assert len(_lines(out / "annotated")) == summary["records_annotated"]
    assert len(_lines(out / "dead_letter")) == summary["dead_letter"]
    groups = [orjson.loads(line) for line in (out / "anomalies.jsonl").read_bytes().splitlines()]
    assert len(groups) >= 60 and sum(g["count"] for g in groups) == summary["records_annotated"]
    assert (out / "proposed-catalog.yaml").is_file() and metrics.is_file()
    assert b"REDACTED" in (out / "report.md").read_bytes()
    searched = assert_no_canary(canaries, _files(out, metrics), {"stdout": done.stdout, "stderr": done.stderr})
    assert searched == 8  # summary, anomalies, both reports, proposals, one shard each, metrics


def test_two_cron_runs_write_and_print_no_canary(hostile: tuple[Path, Canaries, Planted], tmp_path: Path) -> None:
    source, canaries, planted = hostile
    logs, state, out, metrics = tmp_path / "logs", tmp_path / "state", tmp_path / "out", tmp_path / "cron.prom"
    logs.mkdir()
    names = sorted(planted.items)
    printed: dict[str, str] = {}
    for run, batch in enumerate((names[::2], names[1::2]), start=1):
        for name in batch:
            shutil.copy(source / name, logs / name)
        argv = ["cron", "--input", str(logs / "*"), "--state", str(state), "--output", str(out), "--settle", "0"]
        done = _cli(*argv, "--fail-on-new", "--metrics-file", str(metrics))
        assert done.returncode == 3, done.stderr  # new groups in each run: printed, and in new_anomalies
        assert "new: " in done.stdout
        printed[f"run {run} stdout"], printed[f"run {run} stderr"] = done.stdout, done.stderr
    totals = orjson.loads((state / "state.json").read_bytes())["totals"]
    assert totals["records_in"] == planted.total and totals["dead_letter"] == planted.total_dead
    runs = sorted(p for p in (out / "runs").iterdir() if not p.name.startswith("."))
    assert len(runs) == 2
    for run in runs:
        assert (run / "new_anomalies.jsonl").read_bytes().strip()
        assert "New in this run" in (run / "report.md").read_text()
    assert_no_canary(canaries, _files(state, out, metrics), printed)


class _Bus:
    """Pub/Sub stand-in: what `ship` publishes."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, dict[str, str]]] = []

    def publish(self, data: bytes, attributes: dict[str, str]) -> None:
        self.sent.append((data, attributes))

    def confirm(self) -> None:
        pass


def _messages_text(messages: Iterable[tuple[bytes, dict[str, str]]]) -> str:
    return "\n".join(data.decode("utf-8", "replace") + " " + orjson.dumps(attrs).decode() for data, attrs in messages)


def test_ship_publishes_no_canary(hostile: tuple[Path, Canaries, Planted], tmp_path: Path) -> None:
    """In-process, on a stand-in bus: runs without the emulator too."""
    logs, canaries, planted = hostile
    bus, state = _Bus(), tmp_path / "ship.json"
    files = tuple(str(logs / name) for name in sorted(planted.items))
    stats = run_ship(ShipConfig(topic="t", replay=files, state=state), bus.publish, bus.confirm)
    assert stats.published == len(bus.sent) == planted.total
    assert sum("problem" in attrs for _, attrs in bus.sent) >= 6  # too-long lines and damaged HARs
    assert_no_canary(canaries, [state], {"messages": _messages_text(bus.sent)})


Messages = list[tuple[bytes, dict[str, str]]]


def _pull_all(subscriber: object, subscription: str, at_least: int, seconds: float = 60) -> Messages:
    """Every message of a subscription (acknowledged), waiting until `at_least` arrived."""
    got: Messages = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = subscriber.pull(  # type: ignore[attr-defined]
            request={"subscription": subscription, "max_messages": 500}, timeout=10
        )
        if response.received_messages:
            got += [(m.message.data, dict(m.message.attributes)) for m in response.received_messages]
            subscriber.acknowledge(  # type: ignore[attr-defined]
                request={"subscription": subscription, "ack_ids": [m.ack_id for m in response.received_messages]}
            )
        elif len(got) >= at_least:
            break
    return got


@pytest.mark.slow
def test_ship_and_stream_on_pubsub_carry_no_canary(
    hostile: tuple[Path, Canaries, Planted], tmp_path: Path, emulator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    logs, canaries, planted = hostile
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", emulator)
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    name = uuid.uuid4().hex[:8]
    topics = {kind: f"projects/{PROJECT}/topics/{kind}{name}" for kind in ("logs", "windows", "alerts")}
    subs = {kind: f"projects/{PROJECT}/subscriptions/{kind}{name}" for kind in ("logs", "tap", "windows", "alerts")}
    for topic in topics.values():
        publisher.create_topic(name=topic)
    for kind, sub in subs.items():  # `tap` sees every message the stream job reads
        subscriber.create_subscription(name=sub, topic=topics["logs" if kind == "tap" else kind])
    out, ship_state = tmp_path / "stream", tmp_path / "ship.json"
    stream = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "statuslens.pipelines.cli",
            "stream",
            "--subscription",
            subs["logs"],
            "--output",
            str(out),
            "--window",
            "2s",
            "--early-every",
            "1s",
            "--allowed-lateness",
            "30s",
            "--annotated",
            "all",
            "--windows-topic",
            topics["windows"],
            "--alerts-topic",
            topics["alerts"],
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: dict[str, str] = {}
    try:
        froms = [arg for n in sorted(planted.items) for arg in ("--from", str(logs / n))]
        ship = ["ship", *froms, "--topic", topics["logs"], "--retime", "--rate", "200", "--state", str(ship_state)]
        shipped = _cli(*ship)
        assert shipped.returncode == 0, shipped.stderr
        assert f"{planted.total} records published" in shipped.stdout
        printed["ship stdout"], printed["ship stderr"] = shipped.stdout, shipped.stderr

        def all_counted() -> bool:
            totals = summarize_output(str(out))
            return totals["records_in"] + totals["late"] >= planted.total

        assert test_stream_e2e._wait_for(all_counted, 180), summarize_output(str(out))
    finally:
        stream.send_signal(signal.SIGTERM)
        printed["stream stdout"], printed["stream stderr"] = stream.communicate(timeout=180)
    assert stream.returncode == 0, printed["stream stderr"]
    totals = summarize_output(str(out))
    assert totals["records_in"] + totals["late"] == planted.total and totals["duplicates"] == 0
    assert totals["dead_letter"] >= planted.total_dead - totals["late"]
    assert len(_lines(out / "annotated")) >= totals["records_annotated"] > 0
    tapped = _pull_all(subscriber, subs["tap"], planted.total)
    assert len(tapped) == planted.total
    windows = _pull_all(subscriber, subs["windows"], 1)
    alerts = _pull_all(subscriber, subs["alerts"], 1)
    assert windows and alerts
    bus = {"published logs": _messages_text(tapped), "windows topic": _messages_text(windows)}
    bus["alerts topic"] = _messages_text(alerts)
    assert_no_canary(canaries, _files(out, ship_state), {**printed, **bus})
