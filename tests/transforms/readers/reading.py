"""Shared by the tests of read_input's parts: sample lines, and a file read into (items, info, chunks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from statuslens.transforms.model.chunks import Chunk, InputInfo, Problem
from statuslens.transforms.readers.files import read_input

LINE = (
    b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"http://api.netflix.com/catalog/people/%d",'
    b'"status":403,"body":"<h1>Developer Over Qps</h1>"}'
)
COMBINED = (
    b'203.0.113.7 - - [10/Dec/2009:21:40:10 +0000] "GET /catalog/titles?term=%d HTTP/1.1" 200 5120 "-" "Java/1.6.0_17"'
)
TRUNCATED = "truncated archive: compressed data ends before its end-of-stream marker"


def lines(n: int, template: bytes = LINE) -> list[bytes]:
    return [template % i for i in range(n)]


def read(path: Path | str, **kwargs: Any) -> tuple[list[Any], InputInfo, list[Chunk]]:
    """(every item in order, the InputInfo, the chunks), checking the InputInfo comes once, last."""
    out = list(read_input(str(path), **kwargs))
    info = out.pop()
    assert isinstance(info, InputInfo)
    assert all(isinstance(chunk, Chunk) for chunk in out)
    chunks: list[Chunk] = out  # type: ignore[assignment]
    return [item for chunk in chunks for item in chunk.items], info, chunks


def problems(items: list[Any]) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]
