"""An OpenAPI 3.x / Swagger 2.0 document turned into the rows of a statuslens catalog (DOMAIN.md §9).

One row per operation x documented status (2xx included), scoped `<METHOD>s to <template>`; where the
response's schema constrains the envelope's subcode with `enum`/`const`, one row per value; messages
only from `enum`/`const` on the message field. `NXX` keys become class rows; `default` documents no
code. What is found is also said: the envelope and why, and warnings a team should read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statuslens.transforms.verdicts.catalog_fields import TEMPLATE_SEGMENT_RE
from statuslens.transforms.verdicts.envelopes import PRESETS
from statuslens.transforms.verdicts.openapi.detect import detect_envelope, is_error_key
from statuslens.transforms.verdicts.openapi.operations import Operation, Response, base_paths, operations, spec_version
from statuslens.transforms.verdicts.openapi.refs import Located, Resolver, SpecError, escape, shown
from statuslens.transforms.verdicts.openapi.schemas import SchemaWalker

__all__ = ["ImportedRow", "SpecImport", "build_import"]


@dataclass
class ImportedRow:
    code: int | str  # 404, or "4XX" for a class
    subcode: int | str | None
    applies_to: str
    messages: list[str]
    comment: str


@dataclass
class SpecImport:
    """Everything the importer found; `importer_yaml.render` writes it as a catalog."""

    origin: str
    version: str
    title: str
    edition: str
    envelope: str
    envelope_reason: str
    base_paths: list[str]
    resources: list[str]
    rows: list[ImportedRow]
    rows_per_operation: list[tuple[str, int]]
    warnings: list[str] = field(default_factory=list)


def build_import(path: Path, doc: dict[str, Any], envelope: str | None = None) -> SpecImport:
    origin = str(path)
    version = spec_version(doc, origin)
    if envelope is not None and envelope not in PRESETS:
        raise SpecError(f"--envelope: must be one of {', '.join(PRESETS)}; got {shown(envelope)}")
    resolver = Resolver(path, doc)
    walker = SchemaWalker(resolver)
    warnings: list[str] = []
    templates: dict[str, str | None] = {}  # spec path -> template (None: cannot be one)
    ops: list[Operation] = []
    for spec_path, op in operations(resolver, doc, version):
        if spec_path not in templates:
            templates[spec_path] = _template(spec_path, warnings)
        if op is not None and templates[spec_path] is not None:
            ops.append(op)
    resources = list(dict.fromkeys(t for t in templates.values() if t is not None))
    if not ops:
        raise SpecError(f"{origin}: paths: no operation to make catalog rows of")
    if envelope is None:
        envelope, reason = detect_envelope(walker, ops)
    else:
        reason = "chosen with --envelope"
    preset = PRESETS[envelope]
    rows: list[ImportedRow] = []
    per_op: list[tuple[str, int]] = []
    for op in ops:
        made = _operation_rows(walker, op, str(templates[op.path]), preset.subcode, preset.message, warnings)
        rows += made
        per_op.append((op.label, len(made)))
    warnings += _stray_refs(resolver, doc)
    info: dict[str, Any] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    title = str(info["title"]) if isinstance(info.get("title"), str) and info["title"].strip() else path.stem
    edition = str(info.get("version", "")) if isinstance(info.get("version"), (str, int, float)) else ""
    return SpecImport(
        origin=origin,
        version=version,
        title=title.strip(),
        edition=edition.strip(),
        envelope=envelope,
        envelope_reason=reason,
        base_paths=base_paths(doc, version),
        resources=resources,
        rows=rows,
        rows_per_operation=per_op,
        warnings=warnings,
    )


def _template(spec_path: str, warnings: list[str]) -> str | None:
    template = spec_path.strip().strip("/") or "/"
    if template != "/" and not all(TEMPLATE_SEGMENT_RE.fullmatch(s) for s in template.split("/")):
        warnings.append(f"path {shown(spec_path)}: cannot be a template (a segment has a character one cannot have)")
        return None
    return template


def _code(key: str) -> int | str | None:
    """404 for `404`, "4XX" for `4XX`/`4xx`; None for anything else (`default` included)."""
    text = key.strip()
    if len(text) == 3 and text[0] in "12345" and text[1:].upper() == "XX":
        return text[0] + "XX"
    if text.isdecimal() and 100 <= int(text) <= 599:
        return int(text)
    return None


def _operation_rows(
    walker: SchemaWalker,
    op: Operation,
    template: str,
    subcode_at: tuple[str, ...],
    message_at: tuple[str, ...],
    warnings: list[str],
) -> list[ImportedRow]:
    applies_to = f"{op.method}s to {template}"
    rows: list[ImportedRow] = []
    seen: set[tuple[Any, Any]] = set()
    codes = 0
    for response in op.responses:
        code = _code(response.key)
        if code is None:
            if response.key != "default":
                warnings.append(f"{op.label}: response key {shown(response.key)} is not a status code; skipped")
            continue
        codes += 1
        subcodes = _field_values(walker, response, subcode_at, (int, str))
        messages = [m for m in _field_values(walker, response, message_at, (str,)) if isinstance(m, str) and m.strip()]
        via = f" via {' -> '.join(response.refs)}" if response.refs else ""
        if not subcodes and is_error_key(response.key):
            fields = " or ".join(subcode_at) or "(none)"
            warnings.append(f"{op.label} {response.key}: no enum or const for the subcode at {fields}")
        for subcode in subcodes or [None]:
            if (code, subcode) in seen:
                continue
            seen.add((code, subcode))
            comment = f"{op.label} {response.key}{via}"
            rows.append(ImportedRow(code, subcode, applies_to, messages, comment))
    if codes == 0:
        only = "only `default`" if any(r.key == "default" for r in op.responses) else "no response"
        warnings.append(f"{op.label}: documents {only}, so no code is documented for it")
    return rows


def _field_values(
    walker: SchemaWalker, response: Response, pointers: tuple[str, ...], kinds: tuple[type, ...]
) -> list[Any]:
    out: list[Any] = []
    for pointer in pointers:
        tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])
        for _, schema in response.media:
            for value in walker.values(schema, tokens):
                if isinstance(value, kinds) and not isinstance(value, bool) and value not in out:
                    out.append(value)
    return out


def _stray_refs(resolver: Resolver, doc: dict[str, Any]) -> list[str]:
    """Warnings for refs of the root document that do not resolve (those the rows need raised already)."""
    found: list[str] = []
    root = resolver.root_located()
    stack: list[tuple[Any, str]] = [(doc, "")]
    visited: set[int] = set()
    while stack and len(found) < 100:
        node, pointer = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolver.target(ref, Located(root.file, pointer, node))
                except SpecError as exc:
                    found.append(str(exc).removeprefix(f"{resolver.origin}: "))
            stack.extend((value, f"{pointer}/{escape(str(key))}") for key, value in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{i}") for i, value in reversed(list(enumerate(node))))
    return found
