"""`--expect FILE` (DOMAIN.md §10): anomaly groups a team already knows about, each with a reason.

The file is YAML with one key, `expected:`, a list of entries. An entry names any of `verdict`,
`status_code`, `sub_code`, `message`, `method`, `resource` (a group matches when every field the
entry names matches; the message compared normalised, §5) and a required `reason`, and may have
`until: YYYY-MM-DD`: after that day (UTC) the entry no longer applies and the run warns. The first
entry that matches a group gives its reason. Expected groups stay in anomalies.jsonl (with
`"expected": {"reason": …}`), have their own report section and are never proposed as rows.

A bad file is a UsageError naming the file and the problem. The file is read with yaml's SafeLoader,
after refusing YAML aliases (a "billion laughs" file expands a few lines into gigabytes) and files
over MAX_BYTES.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from statuslens.transforms.errors import UsageError
from statuslens.transforms.model.groups import GroupKey, normalize_message
from statuslens.transforms.verdicts.classify import DOCUMENTED, VERDICTS

__all__ = ["MATCH_FIELDS", "MAX_BYTES", "Expectation", "Expectations", "load_expectations", "parse_expectations"]

MATCH_FIELDS = ("verdict", "status_code", "sub_code", "message", "method", "resource")
MAX_BYTES = 1_000_000
_ENTRY_KEYS = (*MATCH_FIELDS, "reason", "until")
_ANOMALY_VERDICTS = tuple(v for v in VERDICTS if v != DOCUMENTED)


@dataclass(frozen=True)
class Expectation:
    """One entry: the fields it names (None: not named; `message` normalised) and why it is expected.

    `names` lists the named fields, so an entry can ask for "no subcode" (`sub_code: null`)."""

    number: int  # 1-based position in the file, for messages
    reason: str
    names: tuple[str, ...]
    verdict: str | None = None
    status_code: int | None = None
    sub_code: str | None = None  # compared as text: `710` and `"710"` are the same subcode
    message: str = ""
    method: str | None = None
    resource: str | None = None
    until: date | None = None

    def matches(self, key: GroupKey) -> bool:
        """Whether every field the entry names matches the group's key."""
        for name in self.names:
            if name == "verdict" and key.verdict != self.verdict:
                return False
            if name == "status_code" and key.status_code != self.status_code:
                return False
            if name == "sub_code" and (None if key.sub_code is None else str(key.sub_code)) != self.sub_code:
                return False
            if name == "message" and key.message != self.message:
                return False
            if name == "method" and key.method.upper() != self.method:
                return False
            if name == "resource" and key.resource != self.resource:
                return False
        return True

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True)
class Expectations:
    """The entries that apply to a run (expired ones left out), in file order."""

    entries: tuple[Expectation, ...] = ()

    def reason_for(self, key: GroupKey) -> str | None:
        """The reason of the first entry that matches the group, or None: the group is not expected."""
        for entry in self.entries:
            if entry.matches(key):
                return entry.reason
        return None

    def reasons(self, keys: Iterable[GroupKey]) -> dict[str, str]:
        """Group id -> reason, for the expected ones among `keys`."""
        found = {}
        for key in keys:
            reason = self.reason_for(key)
            if reason is not None:
                found[key.id] = reason
        return found


def load_expectations(path: str | Path, today: date) -> tuple[Expectations, list[str]]:
    """The entries of an --expect file that apply on `today`, and a warning per expired one."""
    origin = f"--expect {str(path)!r}"
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{origin}: cannot read: {exc.strerror or exc}") from exc
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{origin}: larger than {MAX_BYTES} bytes; an expect file lists a few known groups")
    return parse_expectations(raw, origin, today)


def parse_expectations(raw: bytes | str, origin: str, today: date) -> tuple[Expectations, list[str]]:
    """`load_expectations` on bytes already read; `origin` starts every message."""
    doc = _safe_yaml(raw, origin)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("expected"), list):
        raise UsageError(f"{origin}: expected a YAML mapping with an 'expected:' list of entries")
    unknown = sorted(str(k) for k in doc if k != "expected")
    if unknown:
        raise UsageError(f"{origin}: unknown key {unknown[0]!r} (the file has only 'expected:')")
    entries = [_entry(item, n, origin) for n, item in enumerate(doc["expected"], start=1)]
    warnings = [
        f"{origin}: entry {e.number} expired on {e.until.isoformat()} (reason: {e.reason}); "
        "its groups are no longer expected"
        for e in entries
        if e.until is not None and today > e.until
    ]
    return Expectations(tuple(e for e in entries if not e.expired(today))), warnings


class _Loader(yaml.SafeLoader):
    """safe_load's loader, except that a plain `2026-12-31` stays text: `until` is checked here, so a
    bad date is reported as one (PyYAML's own timestamp constructor raises a bare ValueError)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _safe_yaml(raw: bytes | str, origin: str) -> Any:
    """The document, refusing aliases before anything is built (yaml.parse streams events)."""
    try:
        for event in yaml.parse(raw, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise UsageError(f"{origin}: YAML aliases (*name) are not accepted; write each entry out")
        return yaml.load(raw, Loader=_Loader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        first = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"{origin}: not valid YAML: {first[:200]}") from exc


def _entry(item: Any, number: int, origin: str) -> Expectation:
    where = f"{origin}: entry {number}"
    if not isinstance(item, Mapping):
        raise UsageError(f"{where}: expected a mapping such as {{status_code: 403, reason: …}}")
    unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(_ENTRY_KEYS)})")
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError(f"{where}: 'reason' is required (say why the group is expected)")
    names = tuple(name for name in MATCH_FIELDS if name in item)
    if not names:
        raise UsageError(f"{where}: names none of {', '.join(MATCH_FIELDS)}, so it would expect every group")
    return Expectation(
        number=number,
        reason=" ".join(reason.split()),
        names=names,
        verdict=_verdict(item.get("verdict"), where) if "verdict" in item else None,
        status_code=_status_code(item.get("status_code"), where) if "status_code" in item else None,
        sub_code=_sub_code(item.get("sub_code"), where),
        message=normalize_message(_text(item.get("message"), "message", where, allow_null=True) or ""),
        method=(_text(item.get("method"), "method", where) or "").upper() if "method" in item else None,
        resource=_text(item.get("resource"), "resource", where) if "resource" in item else None,
        until=_until(item.get("until"), where) if "until" in item else None,
    )


def _verdict(value: Any, where: str) -> str:
    if value not in _ANOMALY_VERDICTS:
        raise UsageError(f"{where}: verdict {value!r} is not one of {', '.join(_ANOMALY_VERDICTS)}")
    return str(value)


def _status_code(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise UsageError(f"{where}: status_code {value!r} is not an HTTP status code (100-599)")
    return value


def _sub_code(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise UsageError(f"{where}: sub_code {value!r} is not a subcode (a number or a text)")
    return str(value)


def _text(value: Any, name: str, where: str, allow_null: bool = False) -> str | None:
    if value is None and allow_null:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}: {name} {value!r} is not a non-empty text")
    return value.strip()


def _until(value: Any, where: str) -> date:
    """A date (`2026-12-31`, quoted or not); a time of day is refused: the entry lasts whole days."""
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageError(f"{where}: until {value!r} is not a date such as 2026-12-31")
