#!/usr/bin/env python3
"""Soak `statuslens stream`: a steady input rate for a while, the stream job's RSS sampled over time.

Starts the Pub/Sub emulator (unless PUBSUB_EMULATOR_HOST is set), a topic and subscription, the
stream job, and `statuslens ship --retime` (a live replay) over a generated corpus whose records are
1/R s apart; prints the RSS of the
stream job's process tree every --every seconds, then records/s end to end (records the job
counted in its windows / elapsed) and whether every shipped record was counted. The lag is the
records shipped so far (rate x time) minus those counted: it stays bounded (about one early firing's
worth) while the job keeps up, and grows when it does not. `--rates 100,200,400` soaks each rate in
turn and names the highest one whose lag stopped growing.

    python benchmarks/soak_stream.py --minutes 10 --rate 100
    python benchmarks/soak_stream.py --minutes 2 --rates 100,200,400,800
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import tree_rss_bytes  # noqa: E402 - a sibling script, not a package


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100, help="records per second shipped")
    parser.add_argument("--every", type=float, default=30, help="seconds between RSS samples")
    parser.add_argument("--rates", default=None, help="comma-separated rates to soak in turn (overrides --rate)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    base = args.workdir or Path(tempfile.mkdtemp(prefix="statuslens-soak-"))
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [args.rate]
    kept = []
    for rate in rates:
        print(f"\n== {rate:g} records/s for {args.minutes:g} min", flush=True)
        if soak(rate, args.minutes, args.every, base / f"rate-{rate:g}"):
            kept.append(rate)
    if len(rates) > 1:
        print(f"\nhighest rate kept up with: {max(kept):g} records/s" if kept else "\nno rate kept up with")
    return 0


def soak(rate: float, minutes: float, every: float, work: Path) -> bool:
    """One soak at `rate`; True when every record was counted once and the lag stopped growing."""
    work.mkdir(parents=True, exist_ok=True)
    records = int(minutes * 60 * rate * 1.1) + 100
    corpus = work / "soak.jsonl"
    raw = work / "soak-raw.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate_corpus.py"),
            "--records",
            str(records),
            "--format",
            "jsonl",
            "--seed",
            "5",
            "--out",
            str(raw),
        ],
        check=True,
    )
    # A steady input rate: event times exactly 1/rate apart, so that the (retimed) replay is live.
    import orjson

    step_ms = 1000 / rate
    with open(raw, "rb") as src, open(corpus, "wb") as dst:
        for i, line in enumerate(src):
            doc = orjson.loads(line)
            doc["time"] = int(1_260_481_210_000 + i * step_ms)
            dst.write(orjson.dumps(doc) + b"\n")

    emulator = None
    host = os.environ.get("PUBSUB_EMULATOR_HOST")
    if not host:
        script = (
            Path(os.path.realpath(shutil.which("gcloud") or "/")).parent.parent
            / "platform"
            / "pubsub-emulator"
            / "bin"
            / "cloud-pubsub-emulator"
        )
        emulator = subprocess.Popen(
            [str(script), "--host=127.0.0.1", "--port=8086"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        host = "127.0.0.1:8086"
        for _ in range(120):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", 8086)) == 0:
                    break
            time.sleep(0.5)
    os.environ["PUBSUB_EMULATOR_HOST"] = host
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    name = uuid.uuid4().hex[:8]
    topic, sub = f"projects/statuslens-soak/topics/t{name}", f"projects/statuslens-soak/subscriptions/s{name}"
    pubsub_v1.PublisherClient().create_topic(name=topic)
    pubsub_v1.SubscriberClient().create_subscription(name=sub, topic=topic)
    cli = [sys.executable, "-m", "statuslens.pipelines.cli"]
    out = work / "out"
    stream = subprocess.Popen(
        [
            *cli,
            "stream",
            "--subscription",
            sub,
            "--output",
            str(out),
            "--window",
            "10s",
            "--early-every",
            "5s",
            "--allowed-lateness",
            "60s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)
    ship = subprocess.Popen(
        [*cli, "ship", "--from", str(corpus), "--topic", topic, "--retime", "--state", str(work / "ship.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    print(f"{'minute':>7}{'stream RSS MB':>15}{'records counted':>17}{'lag':>8}", flush=True)
    from statuslens.pipelines.stream_stop import summarize_output

    samples = []
    while time.monotonic() - started < minutes * 60:
        time.sleep(every)
        rss = tree_rss_bytes(stream.pid) / 2**20
        counted = summarize_output(str(out))["records_in"] if out.exists() else 0
        at = time.monotonic() - started
        lag = int(min(at * rate, records) - counted)
        samples.append((at, rss, counted, lag))
        print(f"{at / 60:>7.1f}{rss:>15.0f}{counted:>17}{lag:>8}", flush=True)
    ship.send_signal(signal.SIGTERM)
    ship_out, _ = ship.communicate(timeout=120)
    shipped = int(ship_out.split(" records published")[0].split()[-1]) if "records published" in ship_out else -1
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        totals = summarize_output(str(out))
        if totals["records_in"] + totals["late"] >= shipped:
            break
        time.sleep(2)
    elapsed = time.monotonic() - started
    stream.send_signal(signal.SIGTERM)
    stream.communicate(timeout=120)
    if emulator is not None:
        os.killpg(emulator.pid, signal.SIGTERM)
    totals = summarize_output(str(out))
    first, last = samples[0][1], samples[-1][1]
    half = samples[: max(1, len(samples) // 2)]
    kept_up = samples[-1][3] <= max(s[3] for s in half) + rate  # no more than a second's worth behind
    complete = totals["records_in"] + totals["late"] == shipped
    print(
        f"\nshipped {shipped}, counted {totals['records_in']} in windows + {totals['late']} late "
        f"({'all' if totals['records_in'] + totals['late'] == shipped else 'NOT all'} counted once)"
    )
    print(
        f"end to end: {totals['records_in'] / elapsed:.0f} records/s over {elapsed / 60:.1f} min "
        f"(shipped at {rate:g}/s)"
    )
    print(
        f"stream RSS: {first:.0f} MB after {samples[0][0] / 60:.1f} min, {last:.0f} MB after "
        f"{samples[-1][0] / 60:.1f} min, peak {max(s[1] for s in samples):.0f} MB"
    )
    print(f"lag {'stopped growing' if kept_up else 'kept growing'}: {[s[3] for s in samples]}")
    return kept_up and complete


if __name__ == "__main__":
    sys.exit(main())
