"""The fast path (fast_path.py) and the plain path give the same ChunkResult: every output line, group,
flag, count, timeline cell and cause fact, on random lines and on real ones."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer, ChunkResult
from statuslens.transforms.aggregation.fast_path import FastLines
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.formats import HAR
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog

REPO = Path(__file__).resolve().parents[3]
CORPORA = REPO.parent / "shared" / "corpora"
CATALOG = load_catalog()

_TIMES = ["10/Dec/2009:13:40:10 -0800", "10/Dec/2009:13:40:11 -0800", "11/Dec/2009:00:00:00 +0000", "32/Foo/2009:1"]
_METHODS = ["GET", "POST", "DELETE", "PUT", "get", "PROPFIND", "G3T", ""]
_URLS = [
    "/catalog/titles/movies/60031236?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf&oauth_token=zauwnb",
    "/users/T1JlweBdGSbJmdHfv70bA7gSVkQ880ud3POMAbF-pFQr/queues/instant?sort=queue_sequence&oauth_consumer_key=q7m",
    "http://api.netflix.com/oauth/access_token?oauth_consumer_key=abc&oauth_signature=RCtj%2BRFr%3D",
    "/catalog/people?term=x&oauth%5Fconsumer%5Fkey=enc&oauth_consumer_key=plain",
    "/catalog/titles/autocomplete?term=star#frag?oauth_consumer_key=nope",
    "/catalog/titles?oauth_consumer_key=&oauth_consumer_key=second",
    "/users/current",
    "/nowhere/at/all/123",
    "",
]
_STATUSES = ["200", "201", "204", "304", "400", "401", "403", "404", "412", "418", "500", "503", "999", "20", "x"]
_BODIES = [
    "-",
    "",
    "<queue><url_template>http://api.netflix.com/users/{user_token}/queues/instant</url_template></queue>",
    "<queue><url_template>cut",
    '<?xml version="1.0" standalone="yes"?>\n<status><status_code>404</status_code>'
    "<message>Resource not found</message></status>",
    "<status><status_code>403</status_code><sub_code>4</sub_code><message>Over queries</message></status>",
    "<status><status_code>200</status_code><message>Success</message></status>",
    "<status><status_code>201</status_code><message>Resource created</message></status>",
    '{"status": {"status_code": 400, "sub_code": 120, "message": "Missing Required Access Token"}}',
    '{"catalog_title": {"id": 1}}',
    "{oops",
    'cb({"status": {"status_code": 200}})',
    "<h1>403 Developer Over Qps</h1>",
    "<!DOCTYPE html>\n<html><body>hi</body></html>",
    "<a><b></a>",
    "plain words",
]


def _escape(text: str) -> str:
    """nginx's default escaping of a quoted field: `"`, `\\` and control bytes as `\\xHH`."""
    return "".join(f"\\x{ord(c):02X}" if c in '"\\' or ord(c) < 0x20 else c for c in text)


_field_text = st.one_of(st.text(max_size=40), st.text(alphabet='<>/"\\ statuscode_={}0123456789', max_size=60))


@st.composite
def _line(draw: Any) -> bytes:
    kind = draw(st.sampled_from(["body", "body", "body", "combined", "common", "raw", "apache"]))
    if kind == "raw":
        return bytes(draw(st.binary(max_size=120)))
    method = draw(st.one_of(st.sampled_from(_METHODS), st.text(max_size=6)))
    url = draw(st.one_of(st.sampled_from(_URLS), _field_text))
    request = draw(st.sampled_from([f"{method} {url} HTTP/1.1", f"{method} {url}", "-", method]))
    status = draw(st.one_of(st.sampled_from(_STATUSES), st.text(max_size=4)))
    time = draw(st.sampled_from(_TIMES))
    head = f'203.0.113.7 - - [{time}] "{_escape(request)}" {status} 12'
    if kind == "common":
        return head.encode()
    tail = ' "-" "Mozilla/5.0"'
    if kind == "combined":
        return (head + tail).encode()
    body = draw(st.one_of(st.sampled_from(_BODIES), _field_text, st.just("<status>" + "x" * 2100 + "</status>")))
    escaped = body.replace('"', '\\"') if kind == "apache" else _escape(body)
    return (head + tail + f' "{escaped}"').encode("utf-8", "surrogatepass")


def _outputs(result: ChunkResult) -> tuple[Any, ...]:
    causes = result.causes
    return (
        result.annotated,
        result.dead_letters,
        result.groups,
        result.flagged,
        result.stats,
        causes.calls,
        {key: causes.groups.of(key) for key in causes.groups.keys},
        causes.groups.names,
        causes.names,
        result.unexpected_errors,
    )


def _both(chunks: list[Chunk], mode: str = "errors", causes: bool = True) -> tuple[list[Any], list[Any], int]:
    """Each chunk's outputs through the fast and the plain path (one analyzer each, memos kept across
    chunks as on a worker), and how many lines the fast path took."""
    fast = ChunkAnalyzer(Annotator(CATALOG), mode, causes=causes)
    plain = ChunkAnalyzer(Annotator(CATALOG), mode, causes=causes)
    plain.fast = False
    fast_out = [_outputs(fast.analyze(chunk)) for chunk in chunks]
    plain_out = [_outputs(plain.analyze(chunk)) for chunk in chunks]
    taken = 0
    for chunk in chunks:
        path = fast.fast_path(chunk.fmt)
        if path is not None:
            taken += sum(1 for item in chunk.items if isinstance(item, bytes) and path(item) is not None)
    return fast_out, plain_out, taken


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_line(), min_size=1, max_size=30),
    fmt=st.sampled_from(["combined_body", "combined_body", "combined", "common"]),
    mode=st.sampled_from(["errors", "none"]),
    causes=st.booleans(),
)
def test_fast_and_plain_paths_agree_on_random_lines(lines: list[bytes], fmt: str, mode: str, causes: bool) -> None:
    half = len(lines) // 2  # two chunks: the second meets the outcomes the first remembered
    chunks = [Chunk("logs/a.log", fmt, 1, tuple(lines[:half])), Chunk("logs/a.log", fmt, half + 1, tuple(lines[half:]))]
    fast_out, plain_out, _ = _both(chunks, mode, causes)
    assert fast_out == plain_out


def test_the_fast_path_takes_the_common_lines_only() -> None:
    ok = (
        b'203.0.113.7 - - [10/Dec/2009:13:40:10 -0800] "GET /catalog/titles/movies/1?oauth_consumer_key=k HTTP/1.1" '
        b'200 12 "-" "Mozilla/5.0" "<queue><url_template>x</url_template></queue>"'
    )
    fast = ChunkAnalyzer(Annotator(CATALOG)).fast_path("combined_body")
    assert isinstance(fast, FastLines)
    raw = fast(ok)
    assert raw is not None and (raw.http_status, raw.method, raw.body) == (200, "GET", None)
    assert raw.url == "/catalog/titles/movies/1?oauth_consumer_key=k"
    assert fast(ok.replace(b" 200 ", b" 404 ")) is None  # written (--annotated errors)
    assert fast(ok.replace(b"</queue>", b"")) is None  # flagged body_unparseable
    assert fast(ok.replace(b'"<queue>', b'"<status><status_code>403</status_code></status><!--')) is None
    assert fast(ok.replace(b"GET", b"G3T")) is None  # a dead letter: the plain path makes it
    assert ChunkAnalyzer(Annotator(CATALOG), "all").fast_path("combined_body") is None
    assert ChunkAnalyzer(Annotator(CATALOG)).fast_path("jsonl") is None


def _real_files() -> list[Path]:
    files = sorted(p for p in (REPO / "sample").rglob("*") if p.is_file() and p.suffix in {".log", ".gz", ".jsonl"})
    if CORPORA.is_dir():
        files += sorted(p for p in CORPORA.rglob("*") if p.is_file() and p.name != "SOURCE.txt")
    return files


@pytest.mark.slow
def test_fast_and_plain_paths_agree_on_real_files() -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"../shared/corpora not found: {CORPORA} (real-file tests need shared/ beside the repo)")
    taken_total = 0
    for path in _real_files():
        chunks = [c for c in itertools.islice(read_input(str(path)), 30) if isinstance(c, Chunk) and c.fmt != HAR]
        if not chunks:
            continue
        for mode in ("errors", "none"):
            fast_out, plain_out, taken = _both(chunks, mode)
            assert fast_out == plain_out, f"{path} ({mode})"
            taken_total += taken
    assert taken_total > 1000  # the real lines do take the fast path, so the comparison means something
