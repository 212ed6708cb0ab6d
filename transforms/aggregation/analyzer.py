"""Analyse chunks of log items: the per-chunk pure step, and the helpers that shape its outputs.

`analyze_chunk` parses every item of a chunk, annotates it, and returns everything downstream needs
(records to write, dead letters, anomaly-group inputs, a partial count of the summary), so that the
whole hot path is one Python loop per chunk instead of one Beam element per line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.groups import normalize_message
from statuslens.transforms.model.records import RawRecord, decode_text
from statuslens.transforms.readers.formats import HAR, LineParser, line_parser
from statuslens.transforms.readers.har import entry_raw, parse_har_entry
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP, FieldMap
from statuslens.transforms.redact import collect_secrets, redact_text
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.classify import DOCUMENTED

__all__ = [
    "ANNOTATED_MODES",
    "ChunkAnalyzer",
    "ChunkResult",
    "GroupKey",
    "GroupValue",
    "dead_letter",
    "group_key",
    "wants_annotated",
]

ANNOTATED_MODES = ("errors", "all", "none")
RAW_LIMIT = 1024

# (verdict, status_code, sub_code, normalized message, method, resource)
GroupKey = tuple[str, int, Any, str, str, str]
# ((time_ms, source path, item index), record) — the order key makes "earliest" deterministic.
GroupValue = tuple[tuple[int, str, int], dict[str, Any]]


@dataclass
class ChunkResult:
    """Everything one chunk contributes; `stats` keys are tuples such as ("verdict", "documented")."""

    annotated: list[bytes] = field(default_factory=list)
    dead_letters: list[bytes] = field(default_factory=list)
    groups: list[tuple[GroupKey, GroupValue]] = field(default_factory=list)
    flagged: list[tuple[str, GroupValue]] = field(default_factory=list)
    stats: dict[tuple[Any, ...], int] = field(default_factory=dict)


def wants_annotated(mode: str, status_code: int, verdict: str, flags: list[str]) -> bool:
    """Whether `--annotated MODE` writes a record; `errors`: effective code >= 400, not documented,
    or flagged."""
    if mode == "all":
        return True
    if mode == "none":
        return False
    return status_code >= 400 or verdict != DOCUMENTED or bool(flags)


def group_key(record: dict[str, Any]) -> GroupKey:
    message = record["message"]
    return (
        record["verdict"],
        record["status_code"],
        record["sub_code"],
        normalize_message(message) if message else "",
        record["method"],
        record["resource"],
    )


def dead_letter(source: str, reason: str, raw: bytes | str) -> bytes:
    """A dead-letter line: the first 1,024 bytes of the input, bad bytes escaped, secrets redacted."""
    # The secrets are collected from the whole input: one repeated in the first 1,024 bytes may be
    # named (`oauth_token=…`) only after them.
    whole = decode_text(raw) if isinstance(raw, bytes) else raw
    head = decode_text(raw[:RAW_LIMIT]) if isinstance(raw, bytes) else raw[:RAW_LIMIT]
    secrets = collect_secrets(whole) if len(whole) > len(head) else set()
    return orjson.dumps({"source": source, "reason": redact_text(reason), "raw": redact_text(head, secrets)})


class ChunkAnalyzer:
    """Holds the per-worker state (annotator, parsers) and analyses chunks with it."""

    def __init__(
        self, annotator: Annotator, annotated_mode: str = "errors", fields: FieldMap = DEFAULT_FIELD_MAP
    ) -> None:
        if annotated_mode not in ANNOTATED_MODES:
            raise ValueError(f"annotated mode must be one of {ANNOTATED_MODES}, got {annotated_mode!r}")
        self.annotator = annotator
        self.mode = annotated_mode
        self.fields = fields
        self._parsers: dict[str, LineParser] = {}

    def parser(self, fmt: str) -> Callable[[Any], RawRecord]:
        if fmt == HAR:
            return parse_har_entry
        found = self._parsers.get(fmt)
        if found is None:
            found = self._parsers[fmt] = line_parser(fmt, self.fields)
        return found

    def analyze(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult()
        stats = result.stats
        try:
            parse = self.parser(chunk.fmt)
        except ValueError as exc:  # e.g. a stream message naming a format that does not exist
            reason = f"unusable log format {chunk.fmt!r}: {exc}"
            parse = _refuse(reason)
        judge, render = self.annotator.judge, self.annotator.render
        mode = self.mode
        path = chunk.path
        is_har = chunk.fmt == HAR
        separator = ":entry" if is_har else ":"
        records = dead = blanks = 0
        # Per-record counts go to plain local dicts (the hot path); they join `stats` at the end.
        verdicts: dict[str, int] = {}
        statuses: dict[int, int] = {}
        for offset, item in enumerate(chunk.items):
            if isinstance(item, Problem):
                index = chunk.first + offset
                source = path if item.damage else f"{path}{separator}{index}"
                result.dead_letters.append(dead_letter(source, item.reason, item.raw))
                dead += 1
                continue
            if not is_har and (not item or item.isspace()):  # blank: empty or ASCII whitespace only
                blanks += 1
                continue
            try:
                raw = parse(item)
                judged = judge(raw)
                verdict = judged.verdict.verdict
                flags = judged.flags
                write = wants_annotated(mode, judged.code, verdict, flags)
                record = None
                if write or verdict != DOCUMENTED or flags:
                    index = chunk.first + offset
                    record = render(raw, judged, f"{path}{separator}{index}")
            except RecordError as exc:
                source = f"{path}{separator}{chunk.first + offset}"
                result.dead_letters.append(dead_letter(source, str(exc), entry_raw(item) if is_har else item))
                dead += 1
                continue
            except Exception as exc:  # a bug costs one record (as a dead letter), never the job
                source = f"{path}{separator}{chunk.first + offset}"
                reason = f"unexpected error: {type(exc).__name__}: {exc}"[:300]
                result.dead_letters.append(dead_letter(source, reason, _raw_of(item)))
                dead += 1
                continue
            records += 1
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
            code = judged.code
            statuses[code] = statuses.get(code, 0) + 1
            if record is None:
                continue  # documented, unflagged and not written: nothing else to build
            for flag in flags:
                _count(stats, ("flag", flag))
            explanation = record.pop("explanation", None)
            order = (raw.time_ms, path, index)
            if explanation is not None:
                result.groups.append((group_key(record), (order, {**record, "explanation": explanation})))
            for flag in flags:
                result.flagged.append((flag, (order, record)))
            if write:
                result.annotated.append(orjson.dumps(record))
        for verdict_name, amount in verdicts.items():
            _count(stats, ("verdict", verdict_name), amount)
        for code_seen, amount in statuses.items():
            _count(stats, ("status", code_seen), amount)
        _count(stats, ("records_annotated",), records)
        _count(stats, ("dead_letter",), dead)
        _count(stats, ("blank_lines",), blanks)
        _count(stats, ("records_in",), records + dead)
        _count(stats, ("input_records", path), records)
        _count(stats, ("input_dead_letter", path), dead)
        return result


def _refuse(reason: str) -> Callable[[Any], RawRecord]:
    def parse(_: Any) -> RawRecord:
        raise RecordError(reason)

    return parse


def _raw_of(item: Any) -> bytes | str:
    if isinstance(item, bytes):
        return item
    try:
        return entry_raw(item)
    except Exception:  # the entry itself is what broke: say what it is, not what it holds
        return f"<{type(item).__name__}>"


def _count(stats: dict[tuple[Any, ...], int], key: tuple[Any, ...], amount: int = 1) -> None:
    stats[key] = stats.get(key, 0) + amount
