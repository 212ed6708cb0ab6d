"""The one dead-letter shape: source, reason and the first KiB of raw, redacted."""

from __future__ import annotations

import orjson

from statuslens.transforms.model.dead_letters import RAW_LIMIT, dead_letter, dead_letter_doc, reason_kind
from statuslens.transforms.model.sources import SourceRef


def test_the_shape_is_source_reason_raw() -> None:
    line = dead_letter(SourceRef("logs/a.log", 4), "not valid JSON", b"{oops")
    assert orjson.loads(line) == {"source": "logs/a.log:4", "reason": "not valid JSON", "raw": "{oops"}
    assert list(orjson.loads(line)) == ["source", "reason", "raw"]


def test_raw_is_the_first_kib_with_bad_bytes_escaped() -> None:
    doc = dead_letter_doc("a.log:1", "too long", b"\xff" + b"x" * 5000)
    assert doc["raw"] == "\\xff" + "x" * (RAW_LIMIT - 1)


def test_a_secret_named_only_after_the_first_kib_is_redacted_inside_it() -> None:
    raw = b'{"body":"SECRETTOKEN123 ' + b"x" * 1100 + b'","url":"/a?oauth_token=SECRETTOKEN123"}'
    doc = dead_letter_doc("s", "r", raw)
    assert doc["raw"].startswith('{"body":"REDACTED ') and "SECRETTOKEN123" not in doc["raw"]


def test_the_reason_is_redacted_too() -> None:
    doc = dead_letter_doc("s", "bad url /a?oauth_signature=abc123", "x")
    assert doc["reason"] == "bad url /a?oauth_signature=REDACTED"


KEPT_START = '{"body":"SECRETTOKEN123 '


def test_dead_letters_are_redacted_before_they_are_cut() -> None:
    """The token is named (`oauth_token=`) only past the first KiB: it is still redacted in the part kept."""
    raw = KEPT_START.encode() + b"x" * 1100 + b'","url":"/a?oauth_token=SECRETTOKEN123"}'
    assert orjson.loads(dead_letter("s:1", "bad line", raw)) == {
        "source": "s:1",
        "reason": "bad line",
        "raw": '{"body":"REDACTED ' + "x" * (RAW_LIMIT - len(KEPT_START)),
    }


def test_a_reason_kind_drops_the_value_the_reason_quotes() -> None:
    assert reason_kind("not a timestamp: 'yesterday'") == "not a timestamp"
    assert reason_kind("unexpected error: KeyError: 'x'") == "unexpected error"
    assert reason_kind("line longer than 1048576 bytes") == "line longer than 1048576 bytes"
    assert reason_kind("missing\n  status") == "missing status"


def test_a_reason_kind_is_redacted_and_bounded() -> None:
    assert "s3cretvalue" not in reason_kind("bad url ?oauth_token=s3cretvalue: x")
    long = reason_kind("line does not match log format " + "$x " * 100)
    assert len(long) == 120 and long.endswith("…")
