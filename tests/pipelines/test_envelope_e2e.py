"""`statuslens batch` end to end with a catalog whose error bodies use the Google envelope (DOMAIN.md §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main

CATALOG = """\
schema: statuslens.catalog/v1
name: library-api
envelope: google
resources:
  - template: shelves
    collection: true
  - template: shelves/{shelf}/books/{book}
scopes:
  All resources: {match: always}
statuses:
  - {code: 200, applies_to: All resources, messages: []}
  - {code: 400, subcode: INVALID_ARGUMENT, applies_to: All resources, messages: []}
  - code: 404
    subcode: NOT_FOUND
    applies_to: GETs to shelves/{shelf}/books/{book}
    messages: ["Book {book} not found."]
  - code: 403
    subcode: PERMISSION_DENIED
    applies_to: DELETEs to shelves/{shelf}/books/{book}
    messages: []
"""


def _error(code: int, status: str, message: str) -> str:
    return orjson.dumps({"error": {"code": code, "status": status, "message": message}}).decode()


BOOK = "/shelves/1/books/2"
# (method, url, HTTP status, body) -> (status_code, sub_code, message, verdict, flags)
CASES: list[tuple[tuple[str, str, int, str | None], tuple[Any, ...]]] = [
    (
        ("GET", "/shelves", 200, '{"shelves": [{"name": "shelves/1", "theme": "Fiction"}]}'),
        (200, None, None, "documented", []),
    ),
    (
        ("GET", "/shelves?pageSize=-1", 400, _error(400, "INVALID_ARGUMENT", "pageSize must be positive")),
        (400, "INVALID_ARGUMENT", "pageSize must be positive", "documented", []),
    ),
    (
        ("GET", BOOK, 404, _error(404, "NOT_FOUND", "Book 2 not found.")),
        (404, "NOT_FOUND", "Book 2 not found.", "documented", []),
    ),
    (
        ("GET", BOOK, 404, _error(404, "NOT_FOUND", "Shelf 1 was archived.")),
        (404, "NOT_FOUND", "Shelf 1 was archived.", "undocumented_message", []),
    ),
    (
        ("GET", BOOK, 400, _error(400, "FAILED_PRECONDITION", "Book 2 is on loan.")),
        (400, "FAILED_PRECONDITION", "Book 2 is on loan.", "undocumented_subcode", []),
    ),
    (
        ("GET", BOOK, 403, _error(403, "PERMISSION_DENIED", "Caller cannot read book 2.")),
        (403, "PERMISSION_DENIED", "Caller cannot read book 2.", "out_of_scope", []),
    ),
    # A body code wins over the HTTP status (§5) and the difference is flagged.
    (
        ("GET", "/shelves", 200, _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")),
        (429, "RESOURCE_EXHAUSTED", "Quota exceeded.", "undocumented_code", ["http_status_mismatch"]),
    ),
    # A Netflix body is not a status document under this envelope: the HTTP status decides.
    (
        ("GET", "/shelves", 200, '{"status": {"status_code": 500, "message": "Internal error"}}'),
        (200, None, None, "documented", []),
    ),
]


def test_batch_reads_bodies_with_the_catalogs_envelope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "library.yaml"
    catalog.write_text(CATALOG)
    lines = [
        {"time": f"2026-12-01T10:00:{i:02d}Z", "method": m, "url": u, "status": s, **({"body": b} if b else {})}
        for i, ((m, u, s, b), _) in enumerate(CASES)
    ]
    logs = tmp_path / "access.jsonl"
    logs.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    out = tmp_path / "out"
    assert (
        main(["batch", "--input", str(logs), "--output", str(out), "--catalog", str(catalog), "--annotated", "all"])
        == 0
    )
    records = sorted(
        (orjson.loads(line) for f in sorted((out / "annotated").iterdir()) for line in f.read_bytes().splitlines()),
        key=lambda r: r["time"],
    )
    got = [(r["status_code"], r["sub_code"], r["message"], r["verdict"], r["flags"]) for r in records]
    assert got == [expected for _, expected in CASES]
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["catalog"]["name"] == "library-api"
    assert summary["flags"]["http_status_mismatch"] == 1
    assert summary["verdicts"] == {
        "documented": 4,
        "undocumented_code": 1,
        "undocumented_subcode": 1,
        "undocumented_message": 1,
        "out_of_scope": 1,
    }
    capsys.readouterr()


def test_a_bad_envelope_pointer_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "bad.yaml"
    catalog.write_text(
        CATALOG.replace("envelope: google", "envelope: {subcode: error/status, message: /error/message}")
    )
    logs = tmp_path / "access.jsonl"
    logs.write_text('{"time": "2026-12-01T10:00:00Z", "method": "GET", "url": "/shelves", "status": 200}\n')
    assert main(["batch", "--input", str(logs), "--output", str(tmp_path / "o"), "--catalog", str(catalog)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    problem = "envelope.subcode: bad JSON Pointer 'error/status': a JSON Pointer starts with '/' (RFC 6901)"
    assert err == [f"error: --catalog: {catalog}: {problem}"]
