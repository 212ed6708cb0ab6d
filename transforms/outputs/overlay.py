"""`proposed-overlay.yaml`: the run's findings as an OpenAPI Overlay 1.0 document (DOMAIN.md §9).

For an OpenAPI catalog the proposals speak the spec's language: the team applies the overlay with any
Overlay tool and reviews the diff. Per operation where a group was seen:

- a code the operation does not list (`undocumented_code`, or a code documented only on other
  operations or only by a range/`default`) -> one action adding the response to its `responses`, with
  a schema of the catalog's envelope whose subcode `enum` lists the values seen;
- a subcode its response lacks -> one action per value, appending it to the subcode `enum` array in
  the spec's own document (Overlay 1.0: an `update` on an array appends); a message likewise, only
  where the response's schema lists messages (elsewhere every message is documented already). An
  enum in a shared component is edited once, and the description names every operation sharing it;
- where such an enum sits in another file (an overlay edits only the document it `extends`) or the
  response has none, the response is wrapped: one action removes it and the next adds it back as
  `anyOf: [the original schema (by $ref, or copied when it was inline), the envelope with every value
  seen]` (OpenAPI 3 only).

Groups §8 proposes for `All resources` (gateway answers, rate-limited consumers) are added where they
were seen, like the others; their description says so. What cannot be placed (an unknown path, an
operation in another file, a Swagger 2.0 response to wrap) is listed under `x-statuslens-unplaced`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from statuslens.transforms.model.causes import RateLimitCause
from statuslens.transforms.model.groups import AnomalyGroup, normalize_message
from statuslens.transforms.outputs.cause_words import limit_phrase
from statuslens.transforms.verdicts.envelopes import Envelope
from statuslens.transforms.verdicts.openapi.overlay_targets import OperationTarget, OverlayPlan

__all__ = ["OVERLAY_NAME", "build_overlay", "render_overlay"]

OVERLAY_NAME = "proposed-overlay.yaml"


@dataclass
class _Need:
    """What one (operation, code) lacks, and the evidence."""

    op: OperationTarget
    resource: str
    code: str
    subcodes: list[int | str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # added only where the response lists messages
    seen: list[str] = field(default_factory=list)  # one phrase per group
    count: int = 0


def build_overlay(
    anomalies: Iterable[AnomalyGroup], plan: OverlayPlan, envelope: Envelope, expected: Collection[str] = ()
) -> dict[str, Any] | None:
    """The overlay document for the non-expected groups; None when it would have no action."""
    needs: dict[tuple[str, str, str], _Need] = {}
    unplaced: list[dict[str, Any]] = []
    for group in anomalies:
        if expected and group.id in expected:
            continue
        key = group.key
        op = plan.operation(key.method, key.resource)
        if op is None or op.responses_path is None:
            why = "no such operation in the spec" if op is None else "the operation sits in another file"
            unplaced.append(_unplaced(group, why))
            continue
        code = str(key.status_code)
        need = needs.setdefault((op.method, op.spec_path, code), _Need(op, key.resource, code))
        need.count += group.count
        need.seen.append(_phrase(group))
        if key.sub_code is not None and key.sub_code not in need.subcodes:
            need.subcodes.append(key.sub_code)
        if group.message and group.message not in need.messages:
            need.messages.append(group.message)
    actions: list[dict[str, Any]] = []
    appended: set[tuple[str, str]] = set()
    for need in needs.values():
        actions += _actions(need, plan, envelope, appended, unplaced)
    if not actions:
        return None
    doc: dict[str, Any] = {
        "overlay": "1.0.0",
        "info": {"title": f"statuslens proposals for {plan.title}", "version": "1.0.0"},
        "extends": plan.spec_name,
        "actions": actions,
    }
    if unplaced:
        doc["x-statuslens-unplaced"] = unplaced
    return doc


def render_overlay(doc: dict[str, Any], more_groups: int = 0) -> str:
    """The overlay as YAML; `more_groups`: anomaly groups past the ones it was built from, said in its header."""
    header = "# Proposed by statuslens from the run's anomalies; apply with an OpenAPI Overlay 1.0 tool.\n"
    if more_groups:
        header += f"# Built from the anomaly groups the report lists; {more_groups} more are in anomalies.jsonl.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


def _actions(
    need: _Need, plan: OverlayPlan, envelope: Envelope, appended: set[tuple[str, str]], unplaced: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    op, label = need.op, f"{need.op.method} {need.op.spec_path}"
    evidence = "; ".join(need.seen)
    assert op.responses_path is not None
    response = op.responses.get(need.code)
    if response is None:  # a new response lists no message: every message is documented by it
        fresh = _Need(op, need.resource, need.code, need.subcodes, [], need.seen, need.count)
        body = _response(plan, envelope, fresh, f"Seen by statuslens: {evidence}", None)
        return [{"target": op.responses_path, "description": f"{label}: add {need.code}", "update": {need.code: body}}]
    out: list[dict[str, Any]] = []
    # A message is added only where the response's rows list messages (else any message is documented).
    # Values the response lists already (in any file) are documented there: not added again.
    subcodes = [v for v in need.subcodes if not _listed(v, response.subcodes, "subcode")]
    messages = [m for m in need.messages if not _listed(m, response.messages, "message")] if response.messages else []
    need = _Need(op, need.resource, need.code, subcodes, messages, need.seen, need.count)
    if (need.subcodes and not response.subcode_enums) or (need.messages and not response.message_enums):
        return _wrap(need, plan, envelope, evidence, unplaced)
    for values, paths, what in (
        (need.subcodes, response.subcode_enums, "subcode"),
        (need.messages, response.message_enums, "message"),
    ):
        for value in values:
            for path in paths:
                if (path, repr(value)) in appended:
                    continue
                appended.add((path, repr(value)))
                sharing = plan.shared.get(path, ())
                shared = f"; this enum is shared by {', '.join(sharing)}" if len(sharing) > 1 else ""
                description = f"{label} {need.code}: add {what} {value!r} (seen: {evidence}){shared}"
                out.append({"target": path, "description": description, "update": value})
    return out


def _wrap(
    need: _Need,
    plan: OverlayPlan,
    envelope: Envelope,
    evidence: str,
    unplaced: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Remove the response and add it back as anyOf [the original, the envelope with every value seen]."""
    op, label = need.op, f"{need.op.method} {need.op.spec_path}"
    assert op.responses_path is not None
    response = op.responses[need.code]
    if plan.version == "2.0":
        why = "a Swagger 2.0 schema cannot be widened (no anyOf)"
        unplaced.append(_entry(op.method, need.resource, int(need.code), need.subcodes, need.messages, why))
        return []
    description = response.description or f"Seen by statuslens: {evidence}"
    body = _response(plan, envelope, need, description, response.schemas)
    files = sorted(
        {s["$ref"].split("#", 1)[0] for _, s in response.schemas if isinstance(s, dict) and "$ref" in s} - {""}
    )
    why = (
        f"its schema is in {', '.join(files)}, which this overlay does not edit"
        if files
        else "no enum in this document to extend"
    )
    return [
        {
            "target": f"{op.responses_path}['{need.code}']",
            "remove": True,
            "description": f"{label} {need.code}: replaced next ({why})",
        },
        {
            "target": op.responses_path,
            "description": f"{label} {need.code}: the original response or the values seen ({evidence})",
            "update": {need.code: body},
        },
    ]


def _listed(value: int | str, enum: tuple[Any, ...], what: str) -> bool:
    """Whether the enum already has the value as the catalog would read it (a decimal string is its
    number; a message compares normalized)."""
    if what == "message":
        return any(isinstance(v, str) and normalize_message(v) == normalize_message(str(value)) for v in enum)
    return any(str(v).strip() == str(value) for v in enum if isinstance(v, (int, str)) and not isinstance(v, bool))


def _response(
    plan: OverlayPlan, envelope: Envelope, need: _Need, description: str, original: tuple[tuple[str, Any], ...] | None
) -> dict[str, Any]:
    """A response object whose schema is the envelope with the values seen (anyOf the original's); a
    new success or redirect response with no subcode seen is only described (it is no error body)."""
    if original is None and int(need.code) < 400 and not need.subcodes:
        return {"description": description}
    schema = _envelope_schema(envelope, int(need.code), need.subcodes, need.messages)
    if plan.version == "2.0":
        return {"description": description, "schema": schema}
    media = [m for m, _ in original] if original else [_media_type(envelope)]
    refs = dict(original or ())
    content = {m: {"schema": {"anyOf": [refs[m], schema]} if m in refs else schema} for m in media}
    return {"description": description, "content": content}


def _envelope_schema(envelope: Envelope, code: int, subcodes: list[int | str], messages: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    fields: list[tuple[str, dict[str, Any]]] = []
    if envelope.code:
        fields.append((envelope.code[0], {"type": "integer", "enum": [code]}))
    if envelope.subcode:
        kind = "integer" if subcodes and all(isinstance(s, int) for s in subcodes) else "string"
        fields.append((envelope.subcode[0], {"type": kind, **({"enum": list(subcodes)} if subcodes else {})}))
    if envelope.message:
        fields.append((envelope.message[0], {"type": "string", **({"enum": list(messages)} if messages else {})}))
    for pointer, leaf in fields:
        node = schema
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
        for i, token in enumerate(tokens):
            props = node.setdefault("properties", {})
            node = props.setdefault(token, leaf if i == len(tokens) - 1 else {"type": "object"})
    return schema


def _media_type(envelope: Envelope) -> str:
    return "application/problem+json" if envelope.name == "problem+json" else "application/json"


def _phrase(group: AnomalyGroup) -> str:
    key = group.key
    sub = f" subcode {key.sub_code!r}" if key.sub_code is not None else ""
    text = f"{group.count} x {key.status_code}{sub} {key.verdict}"
    limit = next((c.limit for c in group.causes if isinstance(c, RateLimitCause)), None)
    gateway = any(s.body_format == "gateway" or s.gateway_code for s in group.samples)
    if limit is not None or gateway:
        why = limit_phrase(limit) if limit is not None else "answered by the gateway"
        text += f" ({why}: proposed for All resources; added where seen)"
    return text


def _unplaced(group: AnomalyGroup, reason: str) -> dict[str, Any]:
    key = group.key
    subcodes = [] if key.sub_code is None else [key.sub_code]
    return _entry(key.method, key.resource, key.status_code, subcodes, [group.message] if group.message else [], reason)


def _entry(
    method: str, resource: str, code: int, subcodes: list[int | str], messages: list[str], reason: str
) -> dict[str, Any]:
    """One `x-statuslens-unplaced` item: what could not be placed, and why."""
    return {
        "method": method,
        "resource": resource,
        "status_code": code,
        "subcodes": subcodes,
        "messages": messages,
        "reason": reason,
    }
