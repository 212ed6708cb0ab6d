"""`statuslens ship` without Pub/Sub: a fake publisher records what would be sent."""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.ship import ShipConfig, run_ship

TOKEN = "jfafgrb3cr5mdf5gtx8ht3d4"


def line(i: int) -> bytes:
    return orjson.dumps(
        {
            "time": 1_260_481_210 + i,
            "method": "GET",
            "status": 200,
            "url": f"/catalog/titles/movies/{i}?oauth_token={TOKEN}&oauth_consumer_key=k",
        }
    )


class FakePubSub:
    """Collects messages; `fail_after` makes the N-th publish raise (a crash before the ack)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[tuple[bytes, dict[str, str]]] = []
        self.confirmed = 0
        self.fail_after = fail_after

    def publish(self, data: bytes, attributes: dict[str, str]) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("network gone")
        self.sent.append((data, attributes))

    def confirm(self) -> None:
        self.confirmed = len(self.sent)


def ship(config: ShipConfig, bus: FakePubSub) -> int:
    return run_ship(config, bus.publish, bus.confirm).published


def test_replay_redacts_and_sets_time_id_source(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"\n".join(line(i) for i in range(3)) + b"\n\nnot a record\n")
    bus = FakePubSub()
    assert ship(ShipConfig(topic="t", replay=(str(log),), state=tmp_path / "s.json"), bus) == 4
    attributes = bus.sent[0][1]
    assert TOKEN.encode() not in b"".join(d for d, _ in bus.sent)
    assert attributes["ts"] == "1260481210000" and attributes["source"] == f"{log}:1"
    assert attributes["fmt"] == "jsonl" and attributes["id"].endswith(":1")
    assert bus.sent[3][1]["source"] == f"{log}:5"  # the blank line 4 is not a record


def test_a_clean_restart_sends_nothing_twice_and_new_lines_once(tmp_path: Path) -> None:
    log, state = tmp_path / "a.log", tmp_path / "s.json"
    log.write_bytes(b"\n".join(line(i) for i in range(5)) + b"\n")
    config = ShipConfig(topic="t", replay=(str(log),), state=state)
    assert ship(config, FakePubSub()) == 5
    assert ship(config, FakePubSub()) == 0
    with open(log, "ab") as handle:
        handle.write(line(5) + b"\n" + line(6)[:10])  # one new line, and a partial one still being written
    again = FakePubSub()
    stop = threading.Event()
    follow = ShipConfig(topic="t", follow=(str(log),), state=state, poll_seconds=0.05)
    timer = threading.Timer(1.0, stop.set)  # several polls: the partial line must keep waiting
    timer.start()
    run_ship(follow, again.publish, again.confirm, stop=stop)
    assert [a["source"] for _, a in again.sent] == [f"{log}:6"]


def test_after_a_crash_at_most_the_unconfirmed_batch_is_sent_again(tmp_path: Path) -> None:
    log, state = tmp_path / "a.log", tmp_path / "s.json"
    log.write_bytes(b"\n".join(line(i) for i in range(25)) + b"\n")
    config = ShipConfig(topic="t", replay=(str(log),), state=state, batch_size=10)
    crashed = FakePubSub(fail_after=23)
    with pytest.raises(ConnectionError):
        ship(config, crashed)
    assert crashed.confirmed == 20  # two batches acknowledged and committed
    resumed = FakePubSub()
    assert ship(config, resumed) == 5
    assert resumed.sent[0][1]["source"] == f"{log}:21"
    ids = [a["id"] for _, a in crashed.sent] + [a["id"] for _, a in resumed.sent]
    assert len(set(ids)) == 25  # 3 re-sent lines carry the same ids: the stream job drops them


def test_follow_survives_rotation_and_compression(tmp_path: Path) -> None:
    logs, state = tmp_path / "logs", tmp_path / "s.json"
    logs.mkdir()
    live = logs / "access.log"
    live.write_bytes(b"\n".join(line(i) for i in range(4)) + b"\n")
    bus = FakePubSub()
    stop = threading.Event()
    config = ShipConfig(
        topic="t", follow=(str(logs / "access.log*"),), state=state, poll_seconds=0.05, settle_seconds=0
    )

    def rotate_then_stop() -> None:
        while len(bus.sent) < 4:
            stop.wait(0.05)
        # It grows, then is rotated and compressed before we read it: the grown file is never seen
        # live (a poll between a visible append and the rotation would read lines 5-6 from it).
        grown = live.read_bytes() + b"\n".join(line(i) for i in range(4, 6)) + b"\n"
        for path, data in ((logs / "access.log.1.gz", gzip.compress(grown)), (live, line(100) + b"\n")):
            (logs / ".next").write_bytes(data)  # each file appears whole
            os.replace(logs / ".next", path)
        while len(bus.sent) < 7:
            stop.wait(0.05)
        stop.set()

    helper = threading.Thread(target=rotate_then_stop)
    helper.start()
    run_ship(config, bus.publish, bus.confirm, stop=stop)
    helper.join()
    sources = [a["source"].rsplit("/", 1)[1] for _, a in bus.sent]
    # The first four while it was live; after rotation only the compressed file's unread tail
    # (lines 5-6, numbered on), and the new live file from its first line. Files are read in no
    # particular order relative to each other.
    assert sources[:4] == ["access.log:1", "access.log:2", "access.log:3", "access.log:4"]
    assert sorted(sources[4:]) == ["access.log.1.gz:5", "access.log.1.gz:6", "access.log:1"]


def test_the_retime_shift_survives_a_restart(tmp_path: Path) -> None:
    log, state = tmp_path / "a.log", tmp_path / "s.json"
    log.write_bytes(b"\n".join(line(i) for i in range(3)) + b"\n")
    first = FakePubSub()
    ship(ShipConfig(topic="t", replay=(str(log),), state=state, retime=True, rate=1000), first)
    doc = orjson.loads(state.read_bytes())
    doc["files"] = {}  # positions lost: everything is sent again
    state.write_bytes(orjson.dumps(doc))
    again = FakePubSub()
    ship(ShipConfig(topic="t", replay=(str(log),), state=state, retime=True, rate=1000), again)
    assert [a for _, a in again.sent] == [a for _, a in first.sent]  # same ids, same event times


def test_retime_shifts_by_whole_seconds_and_says_by_how_much(tmp_path: Path) -> None:
    from statuslens.pipelines.ship import retime_shift

    assert retime_shift(1_800_000_000.25, 1_260_481_210_500) % 1000 == 0
    assert 0 <= 1_260_481_210_500 + retime_shift(1_800_000_000.25, 1_260_481_210_500) - 1_800_000_000_250 < 1000
    log = tmp_path / "a.log"
    stamps = [1_260_481_210_950, 1_260_481_211_050]  # 100 ms apart, across a second boundary
    log.write_bytes(b"\n".join(orjson.dumps({"time": t, "method": "GET", "url": "/x", "status": 200}) for t in stamps))
    bus = FakePubSub()
    ship(ShipConfig(topic="t", replay=(str(log),), state=tmp_path / "s.json", retime=True, rate=1000), bus)
    times = [int(a["ts"]) for _, a in bus.sent]
    shifts = {int(a["shift"]) for _, a in bus.sent}
    assert len(shifts) == 1 and next(iter(shifts)) % 1000 == 0
    assert [t - next(iter(shifts)) for t in times] == stamps  # each keeps its calendar second


def test_field_map_finds_a_custom_time_field(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(orjson.dumps({"when": 1_260_481_210_000, "verb": "GET", "uri": "/x", "code": 200}) + b"\n")
    bus = FakePubSub()
    config = ShipConfig(
        topic="t",
        replay=(str(log),),
        state=tmp_path / "s.json",
        field_map=(("time", "when"), ("method", "verb"), ("status", "code")),
    )
    ship(config, bus)
    assert bus.sent[0][1]["ts"] == "1260481210000"


def test_a_json_line_is_sent_with_its_header_cookie_and_secret_fields_redacted(tmp_path: Path) -> None:
    """Set-Cookie in response_headers, a password field, a damaged HAR's headers: redacted as a dead
    letter's raw text is (issue 13, cases 6 and 7), before anything leaves the machine."""
    record = orjson.loads(line(0))
    record["response_headers"] = {"Set-Cookie": "sid=Zq3kSetCk55; Path=/", "Content-Type": "text/xml"}
    record["password"] = "Zq3kFieldPw66"
    log = tmp_path / "a.log"
    log.write_bytes(orjson.dumps(record) + b"\n")
    broken = tmp_path / "b.har"
    broken.write_bytes(b'{"log": {"entries": [{"request": {"headers": [{"name": "Cookie", "value": "sid=Zq3kCookie11"}')
    bus = FakePubSub()
    assert ship(ShipConfig(topic="t", replay=(str(log), str(broken)), state=tmp_path / "s.json"), bus) == 2
    sent = b"".join(d for d, _ in bus.sent)
    assert not [s for s in (b"Zq3kSetCk55", b"Zq3kFieldPw66", b"Zq3kCookie11", TOKEN.encode()) if s in sent]
    shipped = orjson.loads(next(d for d, a in bus.sent if a["source"] == f"{log}:1"))
    assert shipped["response_headers"] == {"Set-Cookie": "REDACTED", "Content-Type": "text/xml"}
    assert shipped["status"] == 200 and shipped["url"].startswith("/catalog/titles/movies/0?oauth_token=REDACTED")
