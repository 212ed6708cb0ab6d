"""Which envelope preset a spec's error responses declare (DOMAIN.md §9 "Envelopes").

The schemas of the 4xx, 5xx and `default` responses are read, and the first preset of this order
that one of them declares wins: `problem+json` (media type `application/problem+json`, or `type` +
`title`), `google` (an `error` object with `code`, `status`, `message`), `graph` (`error` with
`error_subcode` or `type`), `status-code-message` (top-level `code` or `message` beside `status`),
else `netflix`. The reason names the first response that shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from statuslens.transforms.verdicts.openapi.operations import Operation, Response
from statuslens.transforms.verdicts.openapi.refs import Located
from statuslens.transforms.verdicts.openapi.schemas import SchemaWalker

__all__ = ["detect_envelope", "is_error_key"]

_Test = Callable[[SchemaWalker, str, Located], str | None]


def is_error_key(key: str) -> bool:
    """4xx, 5xx, 4XX, 5XX and `default`: the responses an error envelope is declared by."""
    return key == "default" or key[:1] in ("4", "5")


def _problem(walker: SchemaWalker, media_type: str, schema: Located) -> str | None:
    if media_type.split(";")[0].strip().lower() == "application/problem+json":
        return "is application/problem+json"
    if {"type", "title"} <= walker.property_names(schema):
        return "has type and title"
    return None


def _google(walker: SchemaWalker, media_type: str, schema: Located) -> str | None:
    if {"code", "status", "message"} <= walker.property_names(schema, ("error",)):
        return "has error.code, error.status and error.message"
    return None


def _graph(walker: SchemaWalker, media_type: str, schema: Located) -> str | None:
    found = walker.property_names(schema, ("error",)) & {"error_subcode", "type"}
    return f"has error.{sorted(found)[0]}" if found else None


def _status_code_message(walker: SchemaWalker, media_type: str, schema: Located) -> str | None:
    names = walker.property_names(schema)
    if "status" in names and names & {"code", "message"}:
        return f"has {' and '.join(sorted(names & {'code', 'message'}))} beside status"
    return None


_ORDER: tuple[tuple[str, _Test], ...] = (
    ("problem+json", _problem),
    ("google", _google),
    ("graph", _graph),
    ("status-code-message", _status_code_message),
)


def detect_envelope(walker: SchemaWalker, operations: list[Operation]) -> tuple[str, str]:
    """(preset name, why): the first preset of the §9 order that an error response declares."""
    errors: list[tuple[Operation, Response, str, Located]] = [
        (op, response, media_type, schema)
        for op in operations
        for response in op.responses
        if is_error_key(response.key)
        for media_type, schema in response.media
    ]
    for name, test in _ORDER:
        for op, response, media_type, schema in errors:
            why = test(walker, media_type, schema)
            if why is not None:
                return name, f"the {response.key} response of {op.label} {why}"
    if not errors:
        return "netflix", "no 4xx, 5xx or default response has a schema; netflix is the default"
    return "netflix", "no error schema declares another preset's fields; netflix is the default"
