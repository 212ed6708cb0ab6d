"""Where an API's error bodies put the status code, subcode and message (DOMAIN.md §9 "Envelopes").

An envelope is data: JSON Pointers (RFC 6901) for JSON bodies and element names for XML bodies. The
presets are the envelopes real APIs use; a catalog names one (`envelope: google`) or spells its own.
The Netflix envelope (§3) is the default, so a catalog without `envelope:` behaves as before.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_ENVELOPE", "PRESETS", "Envelope"]


@dataclass(frozen=True)
class Envelope:
    """One error-body layout. Each field lists the places tried in order (the first present wins).

    `code`, `subcode`, `message`: JSON Pointers into a JSON body (`/error/code`); an empty tuple means
    the body never carries that field. `subcode_suffix`: a second pointer whose value is appended to
    the subcode as `subcode/suffix` (Facebook's `error_subcode`). `xml_root` and the `xml_*` names: the
    same fields in an XML body, as child element names of the root; no `xml_root` means the API's
    bodies are not XML."""

    name: str
    code: tuple[str, ...] = ()
    subcode: tuple[str, ...] = ()
    message: tuple[str, ...] = ()
    subcode_suffix: tuple[str, ...] = ()
    xml_root: str | None = None
    xml_code: tuple[str, ...] = ()
    xml_subcode: tuple[str, ...] = ()
    xml_message: tuple[str, ...] = ()


PRESETS: dict[str, Envelope] = {
    envelope.name: envelope
    for envelope in (
        Envelope(
            "netflix",
            code=("/status/status_code",),
            subcode=("/status/sub_code", "/status/subcode"),
            message=("/status/message",),
            xml_root="status",
            xml_code=("status_code",),
            xml_subcode=("sub_code", "subcode"),
            xml_message=("message",),
        ),
        Envelope("status-code-message", code=("/status",), subcode=("/code",), message=("/message",)),
        Envelope("problem+json", code=("/status",), subcode=("/type",), message=("/title",)),
        Envelope("google", code=("/error/code",), subcode=("/error/status",), message=("/error/message",)),
        Envelope(
            "graph",
            subcode=("/error/code",),
            subcode_suffix=("/error/error_subcode",),
            message=("/error/message",),
        ),
    )
}

DEFAULT_ENVELOPE = PRESETS["netflix"]
