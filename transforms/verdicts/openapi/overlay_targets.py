"""Where, in a spec's own document, an Overlay can add a response or an enum value (DOMAIN.md §9).

Read once when an OpenAPI catalog is loaded, so the sink can write `proposed-overlay.yaml` without
the spec's files: per operation, the JSONPath of its `responses` object and, per response key, the
JSONPaths of the `enum` arrays that constrain the envelope's subcode and message. An Overlay edits one
document (the one it `extends`), so an enum that sits in another file is not a target: such a response
has no enum paths and the overlay wraps it instead (outputs/overlay.py). An enum reached by several
operations (a shared component) lists them all in `shared`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statuslens.transforms.verdicts.catalog_fields import TEMPLATE_SEGMENT_RE
from statuslens.transforms.verdicts.envelopes import Envelope
from statuslens.transforms.verdicts.openapi.operations import METHODS, spec_version
from statuslens.transforms.verdicts.openapi.refs import Located, Resolver, SpecError, step
from statuslens.transforms.verdicts.openapi.schemas import SchemaWalker

__all__ = ["OperationTarget", "OverlayPlan", "ResponseTarget", "build_plan", "json_path"]


@dataclass(frozen=True)
class ResponseTarget:
    """One response of an operation as the overlay sees it."""

    key: str  # `404`, `4XX`, `default`
    subcode_enums: tuple[str, ...]  # JSONPaths of `enum` arrays in the spec's own document
    message_enums: tuple[str, ...]  # (none: a value must be added by wrapping the response, see outputs/overlay.py)
    subcodes: tuple[Any, ...]  # the values of every subcode `enum`/`const`, in any file: documented already
    messages: tuple[Any, ...]  # likewise for the message; none: the rows list no message
    # (media type, the response's schema): a `$ref` relative to the spec, or for a response written
    # inline in the operation (which a wrap replaces) a copy of the schema itself
    schemas: tuple[tuple[str, Any], ...]
    description: str


@dataclass(frozen=True)
class OperationTarget:
    method: str  # upper case
    spec_path: str  # as the spec writes it
    responses_path: str | None  # JSONPath of its `responses` (None: the operation is in another file)
    responses: dict[str, ResponseTarget] = field(default_factory=dict)


@dataclass(frozen=True)
class OverlayPlan:
    """Everything `proposed-overlay.yaml` needs to know of the spec; picklable, no file handles."""

    spec_name: str  # the spec's file name: the overlay's `extends`
    title: str
    version: str  # `2.0`, `3.0.3`…
    operations: dict[tuple[str, str], OperationTarget]  # (METHOD, template) -> operation
    shared: dict[str, tuple[str, ...]]  # enum JSONPath -> labels of the operations that reach it

    def operation(self, method: str, resource: str) -> OperationTarget | None:
        return self.operations.get((method.upper(), resource))


def json_path(pointer: str, doc: Any) -> str:
    """`/paths/~1sessions/post` -> `$['paths']['/sessions']['post']` in `doc` (bracket notation: any
    key; an array's element by its index, `['allOf'][1]`)."""
    out, node = "$", doc
    for token in pointer.split("/")[1:] if pointer else ():
        name = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            out += f"[{int(name)}]"
        else:
            out += "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"
        node = step(node, name)
    return out


def build_plan(path: Path, doc: dict[str, Any], envelope: Envelope) -> OverlayPlan:
    """The targets of every operation of the spec at `path` (already imported, so its refs resolve)."""
    version = spec_version(doc, str(path))
    resolver = Resolver(path, doc)
    walker = SchemaWalker(resolver)
    root = resolver.root_located()
    paths: dict[Any, Any] = doc["paths"] if isinstance(doc.get("paths"), dict) else {}
    ops: dict[tuple[str, str], OperationTarget] = {}
    shared: dict[str, list[str]] = {}
    for spec_path in paths:
        template = str(spec_path).strip().strip("/") or "/"
        if template != "/" and not all(TEMPLATE_SEGMENT_RE.fullmatch(s) for s in template.split("/")):
            continue
        at = root.child("paths", str(spec_path))
        if at is None:
            continue
        item, _ = resolver.follow(at)
        for method in METHODS:
            op = item.child(method)
            if op is None or not isinstance(op.node, dict):
                continue
            label = f"{method.upper()} {spec_path}"
            responses = op.child("responses")
            in_root = op.file == root.file
            target = OperationTarget(
                method.upper(), str(spec_path), json_path(op.pointer + "/responses", doc) if in_root else None
            )
            if responses is not None and isinstance(responses.node, dict):
                for key in responses.node:
                    if str(key).startswith("x-"):
                        continue
                    found = _response(resolver, walker, responses, str(key), version, envelope)
                    if found is not None:
                        target.responses[str(key)] = found
                        for enum in found.subcode_enums + found.message_enums:
                            names = shared.setdefault(enum, [])
                            if label not in names:
                                names.append(label)
            ops.setdefault((method.upper(), template), target)
    info: dict[Any, Any] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    title = info.get("title") if isinstance(info.get("title"), str) else path.stem
    return OverlayPlan(path.name, str(title).strip(), version, ops, {k: tuple(v) for k, v in shared.items()})


def _response(
    resolver: Resolver,
    walker: SchemaWalker,
    responses: Located,
    key: str,
    version: str,
    envelope: Envelope,
) -> ResponseTarget | None:
    at = responses.child(key)
    if at is None:
        return None
    try:
        where, refs_taken = resolver.follow(at)
    except SpecError:
        return None
    media: list[tuple[str, Located]] = []
    if version == "2.0":
        schema = where.child("schema")
        media = [("application/json", schema)] if schema is not None else []
    else:
        content = where.child("content")
        for media_type in content.node if content is not None and isinstance(content.node, dict) else ():
            schema = content.child(str(media_type), "schema") if content is not None else None
            if schema is not None:
                media.append((str(media_type), schema))
    root = resolver.root_located()
    sub, subcodes = _enums(walker, media, envelope.subcode, root)
    msg, messages = _enums(walker, media, envelope.message, root)
    description = where.node.get("description") if isinstance(where.node, dict) else None
    inline = not refs_taken and at.file == root.file
    refs = tuple((m, {"$ref": _ref_to(resolver, s)} if not inline else copy.deepcopy(s.node)) for m, s in media)
    text = description if isinstance(description, str) else ""
    return ResponseTarget(key, sub, msg, subcodes, messages, refs, text)


def _enums(
    walker: SchemaWalker,
    media: list[tuple[str, Located]],
    pointers: tuple[str, ...],
    root: Located,
) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """JSONPaths of the `enum` arrays at the field that sit in the spec's own document; and the
    values of every `enum` and `const` at the field (in any file)."""
    found: list[str] = []
    listed: list[Any] = []
    for pointer in pointers:
        tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])
        for _, schema in media:
            try:
                located = walker.at(schema, tokens)
            except SpecError:
                return (), ()
            for loc in located:
                if isinstance(loc.node, dict) and "const" in loc.node and loc.node["const"] not in listed:
                    listed.append(loc.node["const"])  # documented, but a `const` is no array to append to
                if not isinstance(loc.node, dict) or not isinstance(loc.node.get("enum"), list):
                    continue
                listed += [v for v in loc.node["enum"] if v not in listed]
                if loc.file == root.file and (path := json_path(loc.pointer + "/enum", root.node)) not in found:
                    found.append(path)
    return tuple(found), tuple(listed)


def _ref_to(resolver: Resolver, schema: Located) -> str:
    """A `$ref` from the spec's document to `schema`: `#/…` in it, `../common/x.yaml#/…` elsewhere."""
    if schema.file == resolver.root_located().file:
        return f"#{schema.pointer}"
    return f"{resolver.name(schema.file)}#{schema.pointer}"
