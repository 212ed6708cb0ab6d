"""How the stream stops: the local runner's Pub/Sub intake counted and paused, then drained to disk.

Beam's direct runner pulls Pub/Sub messages and acknowledges them at once, and cannot drain. Its
read step is wrapped here (in this process only, and only when statuslens runs it): every message it
hands to the graph is counted, a pull returns at once when there is nothing to read (so early
firings keep their pace), and once `pause()` is called it pulls nothing more, so messages not yet
pulled stay in the subscription for the next run. The stop then waits until every message
pulled is accounted for on disk (a window's counts, `late/` or `duplicates/`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Intake", "drain", "install", "summarize_output"]


class Intake:
    """Messages pulled so far, pulls in flight, and the pause switch (one per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received = 0
        self.in_flight = 0
        self.paused = threading.Event()

    def pause(self, timeout: float = 60.0) -> None:
        """Stop pulling; return once no pull is in flight (a pull waits at most 30 s for messages)."""
        self.paused.set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.in_flight:
                    return
            time.sleep(0.1)

    def resume(self) -> None:
        with self.lock:
            self.received = 0
        self.paused.clear()


_INTAKE = Intake()
_INSTALLED = threading.Lock()


def install() -> Intake:
    """Wrap the direct runner's Pub/Sub read once (idempotent) and return the process's intake."""
    from apache_beam.runners.direct import transform_evaluator

    evaluator: Any = transform_evaluator._PubSubReadEvaluator
    with _INSTALLED:
        if getattr(evaluator, "_statuslens_intake", None) is None:
            original = evaluator._read_from_pubsub

            def read(self: Any, timestamp_attribute: Any) -> list[Any]:
                intake = _INTAKE
                if intake.paused.is_set():
                    time.sleep(0.2)  # the runner asks again at once
                    return []
                _answer_at_once(evaluator._get_subscriber_client(self._applied_ptransform))
                with intake.lock:
                    intake.in_flight += 1
                try:
                    found: list[Any] = original(self, timestamp_attribute)
                finally:
                    with intake.lock:
                        intake.in_flight -= 1
                with intake.lock:
                    intake.received += len(found)
                if not found:
                    time.sleep(0.1)  # an empty subscription: ask again soon, not in a busy loop
                return found

            evaluator._read_from_pubsub = read
            evaluator._statuslens_intake = _INTAKE
    return _INTAKE


def _answer_at_once(client: Any) -> None:
    """Make the runner's pulls return at once when the subscription is empty. Beam's pull waits up
    to 30 s for messages, and the direct runner fires no processing-time trigger (early firings)
    while its read step waits: an idle stream would show nothing for up to 30 s, and a stop would
    wait as long."""
    if getattr(client, "_statuslens_at_once", False):
        return
    pull = client.pull

    def pull_at_once(*args: Any, **kwargs: Any) -> Any:
        kwargs["return_immediately"] = True
        return pull(*args, **kwargs)

    client.pull = pull_at_once
    client._statuslens_at_once = True


def drain(folder: str, early_seconds: float, intake: Intake | None) -> None:
    """Stop taking messages and wait until what was taken is written (local runner), else wait for one
    more early firing (other runners: use their own drain)."""
    if intake is None:
        flush = min(early_seconds + 1, 15)
        print(f"statuslens stream: stopping, flushing open windows ({flush:g} s)", flush=True)
        time.sleep(flush)
        return
    print("statuslens stream: stopping: no new messages; writing what was received", flush=True)
    intake.pause()
    received = intake.received
    # Every record held is in some window's next early firing; a backlog takes longer, so wait as long
    # as records keep being written, and give up only when nothing moved for `stall` seconds.
    stall = 3 * early_seconds + 30
    accounted, moved = _accounted(folder), time.monotonic()
    while accounted < received and time.monotonic() - moved < stall:
        time.sleep(0.5)
        now = _accounted(folder)
        if now != accounted:
            accounted, moved = now, time.monotonic()
    _wait_quiet(Path(folder), seconds=2.0, until=time.monotonic() + stall)
    if _accounted(folder) < received:
        print(
            f"statuslens stream: {received - _accounted(folder)} of {received} received records "
            f"were not written: nothing moved for {stall:g} s",
            flush=True,
        )


def _accounted(folder: str) -> int:
    """Messages on disk: counted in a window, late or duplicate."""
    totals = summarize_output(folder)
    return totals["records_in"] + totals["late"] + totals["duplicates"]


def _wait_quiet(root: Path, seconds: float, until: float) -> None:
    """Wait until no output file has grown for `seconds` (the alerts of the last firings), or `until`."""

    def sizes() -> dict[Path, int]:
        return {path: path.stat().st_size for path in root.rglob("*.jsonl")}

    last, since = sizes(), time.monotonic()
    while time.monotonic() - since < seconds and time.monotonic() < until:
        time.sleep(0.25)
        now = sizes()
        if now != last:
            last, since = now, time.monotonic()


def summarize_output(folder: str) -> dict[str, int]:
    """Totals of a stream output folder: every window's panes (each an increment) summed, plus
    late, duplicate and alert lines. `records_in + late` is every distinct record received."""
    root = Path(folder)
    windows: set[str] = set()
    totals = {"windows": 0, "records_in": 0, "records_annotated": 0, "dead_letter": 0}
    for path in sorted((root / "windows").glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            if doc.get("kind") != "summary":
                continue
            windows.add(doc["window_start"])
            for key in ("records_in", "records_annotated", "dead_letter"):
                totals[key] += doc[key]
    totals["windows"] = len(windows)
    for name in ("late", "duplicates", "alerts"):
        totals[name] = sum(len(p.read_bytes().splitlines()) for p in (root / name).glob("*.jsonl"))
    return totals
