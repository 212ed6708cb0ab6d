"""A too-long line keeps only its first KiB: that start must not keep a secret named later (§7)."""

from __future__ import annotations

import io

import orjson
import pytest

from statuslens.transforms.model.chunks import Problem
from statuslens.transforms.model.dead_letters import dead_letter
from statuslens.transforms.readers.lines import LineReader

CANARY = b"Lq8canaryTokenVx3"


def _problems(data: bytes, max_line_bytes: int = 1 << 20) -> list[Problem]:
    return [item for item in LineReader(io.BytesIO(data), max_line_bytes) if isinstance(item, Problem)]


@pytest.mark.parametrize("padding", [2 << 20, 5000, (1 << 20) - 20])
def test_secret_in_first_kib_named_after_it_is_not_kept(padding: int) -> None:
    line = b"GET /v1/users?state=" + CANARY + b"&x=" + b"a" * padding + b"&oauth_token=" + CANARY + b" 401"
    (problem,) = _problems(b"ok\n" + line + b"\nnext\n", max_line_bytes=4096 if padding == 5000 else 1 << 20)
    assert CANARY not in problem.raw
    assert problem.raw.startswith(b"GET /v1/users?state=REDACTED&x=aaa")
    letter = orjson.loads(dead_letter("api.log", problem.reason, problem.raw))
    assert CANARY.decode() not in letter["raw"]


def test_secret_named_across_a_read_block_boundary_is_found() -> None:
    # `password=` straddles the end of the second 1 MiB read block, the one where the line turned
    # out too long: the rest is skipped block by block.
    before = b"GET /v1?state=" + CANARY + b"&x="
    cut = (2 << 20) - len(before) - 5
    line = before + b"a" * cut + b"&password=" + CANARY + b"&" + b"b" * (3 << 20)
    (problem,) = _problems(line + b"\n")
    assert CANARY not in problem.raw


def test_a_too_long_line_without_secrets_keeps_its_start() -> None:
    (problem,) = _problems(b"x" * (3 << 20) + b"\n")
    assert problem.raw == b"x" * 1024


def test_a_line_longer_than_the_secret_scan_keeps_no_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from statuslens.transforms.readers import lines

    monkeypatch.setattr(lines, "SECRET_SCAN_BYTES", 3 << 20)
    (problem,) = _problems(b"GET /v1?state=" + CANARY + b"&x=" + b"a" * (4 << 20) + b"\nok\n")
    assert problem.raw == b""
    assert problem.reason == "line longer than 1048576 bytes"
