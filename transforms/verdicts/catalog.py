"""The documented status table, loaded once from YAML into frozen dataclasses.

A catalog is data the whole graph ships to its workers, so it is immutable and picklable. Loading
rejects unknown keys and bad values with a `CatalogError` naming the file, the key and the problem
(the schema is in configs/catalogs/SCHEMA.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import yaml

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog_fields import FieldReader, one_line
from statuslens.transforms.verdicts.consumers import CONSUMER_KINDS, DEFAULT_CONSUMER, ConsumerSource
from statuslens.transforms.verdicts.envelopes import DEFAULT_ENVELOPE, PRESETS, Envelope
from statuslens.transforms.verdicts.messages import MessagePattern
from statuslens.transforms.verdicts.scopes import Scope, parse_scope

__all__ = [
    "Catalog",
    "ResourceDef",
    "StatusRow",
    "default_catalog_path",
    "load_catalog",
    "parse_catalog",
]

SCHEMA_ID = "statuslens.catalog/v1"
DEFAULT_CATALOG = "netflix-api.yaml"
_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9_.~\-]+|\{[a-z_]+\}$")


@dataclass(frozen=True)
class ResourceDef:
    """One documented path template such as `users/{user_token}/queues/instant`."""

    template: str
    collection: bool = False


@dataclass(frozen=True)
class StatusRow:
    """One row of the table: (code, subcode or none, applies-to scope, messages)."""

    index: int
    code: int
    subcode: int | str | None
    applies_to: str
    scope: Scope
    messages: tuple[MessagePattern, ...]
    note: str = ""

    @property
    def has_messages(self) -> bool:
        return bool(self.messages)


@dataclass(frozen=True)
class Catalog:
    """The whole documented table plus its resource templates and rate limit."""

    name: str
    edition: str
    sha256: str
    resources: tuple[ResourceDef, ...]
    rows: tuple[StatusRow, ...]
    calls_per_second: int = 4
    source: str = ""
    consumer: ConsumerSource = DEFAULT_CONSUMER  # which request field names the consumer (§8)
    envelope: Envelope = DEFAULT_ENVELOPE  # where error bodies put code, subcode and message (§9)
    # code -> rows, and (code, subcode) -> rows, precomputed for the classifier's hot path.
    by_code: dict[int, tuple[StatusRow, ...]] = field(default_factory=dict, compare=False, repr=False)
    by_code_subcode: dict[tuple[int, int | str], tuple[StatusRow, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def collections(self) -> frozenset[str]:
        return frozenset(r.template for r in self.resources if r.collection)

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(sorted(self.by_code))


def default_catalog_path() -> Path:
    """The bundled Netflix API catalog, found inside the installed package."""
    return Path(str(importlib_resources.files("statuslens.configs") / "catalogs" / DEFAULT_CATALOG))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog file (the bundled default when `path` is None)."""
    catalog_path = Path(path) if path is not None else default_catalog_path()
    try:
        raw = catalog_path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{catalog_path}: cannot read catalog: {exc.strerror or exc}") from exc
    return parse_catalog(raw, str(catalog_path))


def parse_catalog(raw: bytes, origin: str) -> Catalog:
    """Validate the bytes of a catalog; `origin` names the file in error messages."""
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: not valid YAML: {one_line(str(exc))}") from exc
    reader = FieldReader(origin)
    top = reader.mapping(
        doc,
        "",
        required={"schema", "name", "resources", "statuses"},
        optional={"edition", "source", "rate_limit", "scopes", "consumer", "envelope"},
    )
    if top["schema"] != SCHEMA_ID:
        reader.fail("schema", f"must be {SCHEMA_ID!r}, got {top['schema']!r}")
    name = reader.text(top["name"], "name")
    edition = reader.text(top.get("edition", ""), "edition", allow_empty=True)
    source = reader.text(top.get("source", ""), "source", allow_empty=True)
    calls_per_second = 4
    if "rate_limit" in top:
        limit = reader.mapping(top["rate_limit"], "rate_limit", required={"calls_per_second"})
        calls_per_second = reader.positive_int(limit["calls_per_second"], "rate_limit.calls_per_second")
    consumer = _read_consumer(reader, top["consumer"]) if "consumer" in top else DEFAULT_CONSUMER
    envelope = _read_envelope(reader, top["envelope"]) if "envelope" in top else DEFAULT_ENVELOPE

    resources = _read_resources(reader, top["resources"])
    templates = frozenset(r.template for r in resources)
    named_scopes = _read_named_scopes(reader, top.get("scopes", {}), templates)
    rows = _read_rows(reader, top["statuses"], named_scopes, templates)

    by_code: dict[int, list[StatusRow]] = {}
    by_code_subcode: dict[tuple[int, int | str], list[StatusRow]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
        if row.subcode is not None:
            by_code_subcode.setdefault((row.code, row.subcode), []).append(row)
    return Catalog(
        name=name,
        edition=edition,
        sha256=hashlib.sha256(raw).hexdigest(),
        resources=resources,
        rows=rows,
        calls_per_second=calls_per_second,
        source=source,
        consumer=consumer,
        envelope=envelope,
        by_code={k: tuple(v) for k, v in by_code.items()},
        by_code_subcode={k: tuple(v) for k, v in by_code_subcode.items()},
    )


def _read_consumer(reader: FieldReader, value: Any) -> ConsumerSource:
    """`consumer: {query: NAME}`, `{header: NAME}` or `{field: NAME}`: exactly one."""
    found = reader.mapping(value, "consumer", required=set(), optional=set(CONSUMER_KINDS))
    if len(found) != 1:
        reader.fail("consumer", f"needs exactly one of {', '.join(CONSUMER_KINDS)}, got {len(found)}")
    ((kind, name),) = found.items()
    return ConsumerSource(kind, reader.text(name, f"consumer.{kind}"))


def _read_envelope(reader: FieldReader, value: Any) -> Envelope:
    """`envelope: NAME`, one of the presets, or a mapping of the API's own JSON Pointers and XML
    element names (`Envelope.from_catalog`; transforms/verdicts/envelopes.py)."""
    if isinstance(value, dict):
        return Envelope.from_catalog(reader, value)
    name = reader.text(value, "envelope")
    if name not in PRESETS:
        reader.fail("envelope", f"must be one of {', '.join(PRESETS)} or a mapping; got {name!r}")
    return PRESETS[name]


def _read_resources(reader: FieldReader, value: Any) -> tuple[ResourceDef, ...]:
    items = reader.sequence(value, "resources")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        key = f"resources[{i}]"
        entry = reader.mapping(item, key, required={"template"}, optional={"collection"})
        template = reader.text(entry["template"], f"{key}.template").strip("/")
        for segment in template.split("/"):
            if not _TEMPLATE_RE.fullmatch(segment):
                reader.fail(f"{key}.template", f"bad path segment {segment!r} in {template!r}")
        if template in seen:
            reader.fail(f"{key}.template", f"duplicate template {template!r}")
        seen.add(template)
        collection = entry.get("collection", False)
        if not isinstance(collection, bool):
            reader.fail(f"{key}.collection", f"must be true or false, got {collection!r}")
        out.append(ResourceDef(template=template, collection=collection))
    if not out:
        reader.fail("resources", "must list at least one template")
    return tuple(out)


def _read_named_scopes(reader: FieldReader, value: Any, templates: frozenset[str]) -> dict[str, Scope]:
    scopes = reader.mapping(value, "scopes", required=set(), optional=None)
    out: dict[str, Scope] = {}
    for phrase, spec in scopes.items():
        key = f"scopes.{phrase}"
        entry = reader.mapping(spec, key, required={"match"}, optional={"param", "resources", "method"})
        match = entry["match"]
        kwargs: dict[str, Any] = {}
        if match == "query_param":
            kwargs["param"] = reader.text(entry.get("param"), f"{key}.param")
        elif match == "resources":
            names = reader.sequence(entry.get("resources"), f"{key}.resources")
            kwargs["resources"] = tuple(reader.text(n, f"{key}.resources") for n in names)
            for name in kwargs["resources"]:
                if name not in templates:
                    reader.fail(f"{key}.resources", f"{name!r} is not a template in resources")
        elif match not in ("always", "collection"):
            reader.fail(f"{key}.match", f"must be one of always, collection, query_param, resources; got {match!r}")
        if "method" in entry:
            kwargs["method"] = reader.text(entry["method"], f"{key}.method").upper()
        out[str(phrase)] = Scope(kind=match, phrase=str(phrase), **kwargs)
    return out


def _read_rows(
    reader: FieldReader, value: Any, named: dict[str, Scope], templates: frozenset[str]
) -> tuple[StatusRow, ...]:
    items = reader.sequence(value, "statuses")
    rows = []
    for i, item in enumerate(items):
        key = f"statuses[{i}]"
        entry = reader.mapping(item, key, required={"code", "applies_to", "messages"}, optional={"subcode", "note"})
        code = reader.positive_int(entry["code"], f"{key}.code")
        if not 100 <= code <= 599:
            reader.fail(f"{key}.code", f"must be an HTTP status 100-599, got {code}")
        subcode = entry.get("subcode")
        if (subcode is not None and not isinstance(subcode, (int, str))) or isinstance(subcode, bool):
            reader.fail(f"{key}.subcode", f"must be a number or text, got {subcode!r}")
        if isinstance(subcode, str) and subcode.strip().isdecimal():
            subcode = int(subcode)  # a quoted "710" is the number a body's <sub_code>710</sub_code> reads as
        applies_to = reader.text(entry["applies_to"], f"{key}.applies_to")
        try:
            scope = parse_scope(applies_to, named, templates)
        except ValueError as exc:
            reader.fail(f"{key}.applies_to", str(exc))
        messages = reader.sequence(entry["messages"], f"{key}.messages")
        patterns = tuple(MessagePattern.compile(reader.text(m, f"{key}.messages")) for m in messages)
        note = reader.text(entry.get("note", ""), f"{key}.note", allow_empty=True)
        rows.append(
            StatusRow(
                index=i, code=code, subcode=subcode, applies_to=applies_to, scope=scope, messages=patterns, note=note
            )
        )
    if not rows:
        reader.fail("statuses", "must list at least one row")
    return tuple(rows)
