"""Regression tests for the review findings: each fails on the code before its fix."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from statuslens.pipelines.manifest import Manifest, plan_reads
from statuslens.pipelines.parallel import split_inputs
from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.model.chunks import Chunk, InputInfo
from statuslens.transforms.model.dead_letters import dead_letter
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.redact import redact_text
from statuslens.transforms.streaming.beam_gate import WindowGateFn
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.body import MAX_BODY_CHARS, parse_body
from statuslens.transforms.verdicts.catalog import load_catalog


def test_json_escaped_ampersands_do_not_hide_secrets() -> None:
    text = '{"url":"/x?k=1\\u0026oauth_signature=SIGvalue99\\u0026password=hunter22"}'
    out = redact_text(text)
    assert "SIGvalue99" not in out and "hunter22" not in out


def test_dead_letters_are_redacted_before_they_are_cut() -> None:
    raw = b'{"body":"SECRETTOKEN123 ' + b"x" * 1100 + b'","url":"/a?oauth_token=SECRETTOKEN123"}'
    assert b"SECRETTOKEN123" not in dead_letter("s", "r", raw)


def test_a_message_with_user_info_is_redacted() -> None:
    raw = RawRecord(
        time_ms=0,
        method="GET",
        url="/a",
        http_status=400,
        body="<status><message>bad callback https://bob:hunter2pw@app.example/cb</message></status>",
    )
    record, _ = Annotator(load_catalog()).annotate(raw, "s:1")
    assert record.message is not None and "hunter2pw" not in record.message


def test_oversized_status_and_jsonp_bodies_are_unparseable() -> None:
    big = "a" * (MAX_BODY_CHARS + 10)
    assert parse_body(f"<status><message>{big}</message></status>").unparseable
    assert parse_body(f'fn({{"status": {{"message": "{big}"}}}})').unparseable


def test_a_chunk_naming_an_unknown_format_becomes_dead_letters() -> None:
    result = ChunkAnalyzer(Annotator(load_catalog())).analyze(Chunk("p", "bogus", 1, (b"x", b"y")))
    assert [orjson.loads(d)["reason"].startswith("unusable log format") for d in result.dead_letters] == [True, True]


def test_har_files_are_read_whole_by_cron_and_ship(tmp_path: Path) -> None:
    har = tmp_path / "capture.har"
    har.write_bytes(b'{"log": {"entries": []')  # being written: no closing brace yet
    reads, notes = plan_reads([str(har)], Manifest({}), now=time.time(), settle_seconds=300)
    assert reads == [] and "waits" in notes[0]
    reads, _ = plan_reads([str(har)], Manifest({}), now=time.time() + 600, settle_seconds=300)
    assert len(reads) == 1 and reads[0].compressed and reads[0].end is None


def test_a_har_is_read_as_har_whatever_log_format_says(tmp_path: Path) -> None:
    har = tmp_path / "capture.json"
    har.write_bytes(
        b'{\n "log": {"entries": [{"startedDateTime": "2009-12-10T21:40:10Z", "request": '
        b'{"method": "GET", "url": "/a"}, "response": {"status": 200}}]}\n}\n'
    )
    info = next(i for i in read_input(str(har), "jsonl") if isinstance(i, InputInfo))
    assert info.format == "har"


def test_large_files_of_an_unclear_format_are_not_split(tmp_path: Path) -> None:
    odd = tmp_path / "big.log"
    odd.write_bytes(b"{" + b'"k": "' + b"v" * (70 << 10) + b'"}\n' + b"x\n" * (20 << 20))
    assert split_inputs([str(odd)], workers=2, log_format=None) == [str(odd)]


class _State:
    def __init__(self) -> None:
        self.value: Any = None

    def read(self) -> Any:
        return self.value

    def write(self, value: Any) -> None:
        self.value = value

    def clear(self) -> None:
        self.value = None


class _Timer:
    def set(self, _: Any) -> None:
        pass


def test_the_first_record_of_a_long_expired_window_is_late_on_the_local_runner() -> None:
    gate = WindowGateFn(60, 600, wall_clock_watermark=True)
    old_window = int(time.time()) - 7200
    out = list(gate.process((old_window, ("id1", "message")), _State(), _State(), _Timer(), _Timer()))
    assert len(out) == 1 and out[0].tag == WindowGateFn.LATE
    fresh = list(gate.process((int(time.time()), ("id2", "message")), _State(), _State(), _Timer(), _Timer()))
    assert fresh == ["message"]
