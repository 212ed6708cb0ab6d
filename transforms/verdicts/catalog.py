"""The documented status table, loaded once from YAML into frozen dataclasses.

A catalog is data the whole graph ships to its workers, so it is immutable and picklable. Loading
rejects unknown keys and bad values with a `CatalogError` naming the file, the key and the problem
(the schema is in configs/catalogs/SCHEMA.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog_fields import TEMPLATE_SEGMENT_RE, FieldReader
from statuslens.transforms.verdicts.catalog_rows import StatusRow, index_rows, read_rows
from statuslens.transforms.verdicts.consumers import CONSUMER_KINDS, DEFAULT_CONSUMER, ConsumerSource
from statuslens.transforms.verdicts.documents import load_document, read_capped
from statuslens.transforms.verdicts.envelopes import DEFAULT_ENVELOPE, PRESETS, Envelope
from statuslens.transforms.verdicts.scopes import Scope

if TYPE_CHECKING:
    from statuslens.transforms.verdicts.openapi.overlay_targets import OverlayPlan

__all__ = [
    "MAX_CATALOG_BYTES",
    "Catalog",
    "ResourceDef",
    "default_catalog_path",
    "load_catalog",
    "parse_catalog",
    "parse_catalog_document",
]

SCHEMA_ID = "statuslens.catalog/v1"
# A catalog is a table people write (the default is 9 KB; Docker's 108-operation spec imports to 42 KB);
# one over 1 MiB costs seconds to parse and is copied into every worker, so it is refused.
MAX_CATALOG_BYTES = 1024 * 1024
_SPEC_KEY = re.compile(rb"""(?m)^["']?(?:openapi|swagger)["']?\s*:|"(?:openapi|swagger)"\s*:""")
DEFAULT_CATALOG = "netflix-api.yaml"
VARIABLE_MODES = ("id-digits", "any")


@dataclass(frozen=True)
class ResourceDef:
    """One documented path template such as `users/{user_token}/queues/instant`."""

    template: str
    collection: bool = False


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
    base_paths: tuple[str, ...] = ()  # path prefixes a request may carry before a template (§9)
    any_variable: bool = False  # every `{variable}` matches any one segment (else `{id}` is digits)
    # `NXX` rows by class (4 -> the 4XX rows), looked up only when a code has no row of its own;
    # by_code already holds, for each code it has, the rows of that code's class too.
    by_class: dict[int, tuple[StatusRow, ...]] = field(default_factory=dict, compare=False, repr=False)
    by_class_subcode: dict[tuple[int, int | str], tuple[StatusRow, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # What the proposals patch (DOMAIN.md §9): the YAML text of the file, or an OpenAPI spec's
    # OverlayPlan (verdicts/openapi/overlay_targets.py); None for a catalog made from bytes.
    proposal_source: str | OverlayPlan | None = field(default=None, compare=False, repr=False)

    @property
    def collections(self) -> frozenset[str]:
        return frozenset(r.template for r in self.resources if r.collection)

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(sorted(self.by_code))

    @property
    def code_labels(self) -> tuple[str, ...]:
        """The documented codes and classes, as the table writes them (`404`, `5XX`)."""
        return tuple(str(c) for c in self.codes) + tuple(f"{c}XX" for c in sorted(self.by_class))

    def rows_of(self, code: int) -> tuple[StatusRow, ...] | None:
        """The rows that document `code`: its own and its class's; None when there are none."""
        rows = self.by_code.get(code)
        if rows is None and self.by_class:
            rows = self.by_class.get(code // 100)
        return rows

    def subcode_rows(self, code: int, sub_code: int | str) -> tuple[StatusRow, ...] | None:
        rows = self.by_code_subcode.get((code, sub_code))
        if rows is None and self.by_class and code not in self.by_code:
            rows = self.by_class_subcode.get((code // 100, sub_code))
        return rows


def default_catalog_path() -> Path:
    """The bundled Netflix API catalog, found inside the installed package."""
    return Path(str(importlib_resources.files("statuslens.configs") / "catalogs" / DEFAULT_CATALOG))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog file (the bundled default when `path` is None). An OpenAPI or
    Swagger document is imported first (verdicts/openapi/) into the catalog YAML that `statuslens
    catalog import` writes, and that text is what is parsed: the same classification either way."""
    catalog_path = Path(path) if path is not None else default_catalog_path()
    raw = read_capped(catalog_path, "catalog")
    if len(raw) > MAX_CATALOG_BYTES and not _SPEC_KEY.search(raw):  # refused before it is parsed
        _check_size(raw, str(catalog_path))
    doc = load_document(raw, str(catalog_path))
    from statuslens.transforms.verdicts.openapi import import_spec, is_spec

    if is_spec(doc):
        from statuslens.transforms.verdicts.openapi.overlay_targets import build_plan

        text = import_spec(catalog_path, doc).text.encode("utf-8")
        _check_size(text, f"{catalog_path} (imported)")
        catalog = parse_catalog(text, str(catalog_path))
        return replace(catalog, proposal_source=build_plan(catalog_path, doc, catalog.envelope))
    catalog = parse_catalog_document(doc, raw, str(catalog_path))
    return replace(catalog, proposal_source=raw.decode("utf-8", errors="replace"))


def parse_catalog(raw: bytes, origin: str) -> Catalog:
    """Validate the bytes of a catalog; `origin` names the file in error messages."""
    _check_size(raw, origin)
    return parse_catalog_document(load_document(raw, origin), raw, origin)


def _check_size(raw: bytes, origin: str) -> None:
    """Refuse a catalog (as written, or as a spec imports to) over MAX_CATALOG_BYTES."""
    if len(raw) > MAX_CATALOG_BYTES:
        raise CatalogError(f"{origin}: a catalog of {len(raw)} bytes; the limit is {MAX_CATALOG_BYTES}")


def parse_catalog_document(doc: Any, raw: bytes, origin: str) -> Catalog:
    """Validate a loaded catalog document; `raw` is what its sha256 is taken of."""
    _check_size(raw, origin)
    reader = FieldReader(origin)
    top = reader.mapping(
        doc,
        "",
        required={"schema", "name", "resources", "statuses"},
        optional={"edition", "source", "rate_limit", "scopes", "consumer", "envelope", "base_paths", "variables"},
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

    base_paths = _read_base_paths(reader, top.get("base_paths", []))
    variables = reader.text(top.get("variables", "id-digits"), "variables")
    if variables not in VARIABLE_MODES:
        reader.fail("variables", f"must be one of {', '.join(VARIABLE_MODES)}; got {variables!r}")

    resources = _read_resources(reader, top["resources"])
    templates = frozenset(r.template for r in resources)
    named_scopes = _read_named_scopes(reader, top.get("scopes", {}), templates)
    rows = read_rows(reader, top["statuses"], named_scopes, templates)
    tables = index_rows(rows)
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
        by_code=tables.by_code,
        by_code_subcode=tables.by_code_subcode,
        base_paths=base_paths,
        any_variable=variables == "any",
        by_class=tables.by_class,
        by_class_subcode=tables.by_class_subcode,
    )


def _read_base_paths(reader: FieldReader, value: Any) -> tuple[str, ...]:
    """`base_paths: [quality-on-demand/v1]`: prefixes a request path may carry (segments as in templates)."""
    out = []
    for i, item in enumerate(reader.sequence(value, "base_paths")):
        path = reader.text(item, f"base_paths[{i}]").strip("/")
        for segment in path.split("/"):
            if not TEMPLATE_SEGMENT_RE.fullmatch(segment):
                reader.fail(f"base_paths[{i}]", f"bad path segment {segment!r} in {path!r}")
        if path not in out:
            out.append(path)
    return tuple(out)


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
        template = reader.text(entry["template"], f"{key}.template")
        template = template.strip("/") or "/"  # "/" is the API's root path
        for segment in template.split("/") if template != "/" else ():
            if not TEMPLATE_SEGMENT_RE.fullmatch(segment):
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
