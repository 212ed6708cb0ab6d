"""Annotator: what a judged record carries into the outputs, redacted (DOMAIN.md §6, §7)."""

from __future__ import annotations

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog


def test_a_message_with_user_info_is_redacted() -> None:
    raw = RawRecord(
        time_ms=0,
        method="GET",
        url="/a",
        http_status=400,
        body="<status><message>bad callback https://bob:hunter2pw@app.example/cb</message></status>",
    )
    record, _ = Annotator(load_catalog()).annotate(raw, "s:1")
    assert record.message == "bad callback https://REDACTED@app.example/cb"
