"""The one shape of a dead letter (DOMAIN.md §6 `dead_letter/`): `source`, `reason`, `raw`.

`raw` is the first 1,024 bytes of the input item, as text with bad bytes escaped, redacted with the
secrets found in the whole item (one repeated in the first KiB may be named, `oauth_token=…`, only
after it); credentials in JSON forms (header objects and mappings, cookies, form and JSON fields) are
redacted too (transforms/redact_raw.py). Batch, cron and stream (dead letters and late records) all
build them here; ship forwards an unreadable item with its reason and the stream job dead-letters it.
"""

from __future__ import annotations

from typing import Any

import orjson

from statuslens.transforms.model.records import decode_text
from statuslens.transforms.model.sources import SourceRef
from statuslens.transforms.redact import redact_text
from statuslens.transforms.redact_raw import raw_secrets, redact_raw

__all__ = ["RAW_LIMIT", "REASON_KIND_LIMIT", "dead_letter", "dead_letter_doc", "reason_kind"]

RAW_LIMIT = 1024
REASON_KIND_LIMIT = 120


def reason_kind(reason: str) -> str:
    """A dead-letter reason without the value it quotes, for counting by reason (summary.json's
    `dead_letter_reasons`): the text before its first `: ` — `not a timestamp: 'x'` is `not a timestamp`,
    `unexpected error: KeyError: …` is `unexpected error` — redacted, one line, at most 120 characters."""
    kind = " ".join(reason.split(": ", 1)[0].split())
    kind = redact_text(kind) or "unknown"
    return kind if len(kind) <= REASON_KIND_LIMIT else kind[: REASON_KIND_LIMIT - 1] + "…"


def dead_letter_doc(source: SourceRef | str, reason: str, raw: bytes | str) -> dict[str, Any]:
    """The dead letter as a JSON object (late records add their own fields to it)."""
    whole = decode_text(raw) if isinstance(raw, bytes) else raw
    head = decode_text(raw[:RAW_LIMIT]) if isinstance(raw, bytes) else raw[:RAW_LIMIT]
    secrets = raw_secrets(whole) if len(whole) > len(head) else set()
    return {"source": str(source), "reason": redact_text(reason), "raw": redact_raw(head, secrets)}


def dead_letter(source: SourceRef | str, reason: str, raw: bytes | str) -> bytes:
    """The `dead_letter/` line (without its newline)."""
    return orjson.dumps(dead_letter_doc(source, reason, raw))
