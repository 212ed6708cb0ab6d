"""Small hand-written specs on disk, and the verdict a record gets against the catalog of one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog, load_catalog


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write each (relative path, text); the first one is the spec."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / next(iter(files))


def netflix_body(code: int, sub_code: Any = None, message: str | None = None) -> str:
    """A JSON status body in the netflix envelope (the one main's body parser reads today)."""
    status: dict[str, Any] = {"status_code": code}
    if sub_code is not None:
        status["sub_code"] = sub_code
    if message is not None:
        status["message"] = message
    return json.dumps({"status": status})


def judge(catalog: Catalog, method: str, url: str, status: int, body: str | None = None) -> tuple[str, str]:
    """(verdict, resource) of one record."""
    annotator = Annotator(catalog)
    record, _ = annotator.annotate(RawRecord(0, method, url, status, body), "t:1")
    return record.verdict, record.resource


def catalog_of(root: Path, files: dict[str, str]) -> Catalog:
    return load_catalog(write_files(root, files))


def rows(catalog: Catalog) -> list[tuple[str, Any, str, tuple[str, ...]]]:
    """(code label, subcode, applies_to, messages) of every row, in order."""
    return [(r.code_label, r.subcode, r.applies_to, tuple(p.text for p in r.messages)) for r in catalog.rows]
