"""The statuslens catalog YAML of an imported spec, commented: where each row comes from, which
envelope and why. `--catalog spec.yaml` parses exactly this text, so the import is the catalog."""

from __future__ import annotations

import json
import re

from statuslens.transforms.verdicts.openapi.importer import SpecImport

__all__ = ["quote", "render_catalog"]

_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def quote(value: object) -> str:
    """A YAML scalar for a string or number, safe whatever the spec's text holds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return _UNPRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group()), text)  # noqa: UP031


def _comment(text: str) -> str:
    line = " ".join(_UNPRINTABLE.sub("?", text).split())
    return line if len(line) <= 300 else line[:297] + "..."


def render_catalog(found: SpecImport, source_name: str) -> str:
    """The catalog text: the statuslens.catalog/v1 schema (configs/catalogs/SCHEMA.md)."""
    kind = "Swagger" if found.version == "2.0" else "OpenAPI"
    lines = [
        f"# statuslens catalog imported from {_comment(source_name)} ({kind} {found.version}).",
        "# Rows: one per operation x documented status x subcode enum/const value (DOMAIN.md section 9);",
        "# `default` responses document no code. Each row's comment says where it comes from.",
        f"# Envelope {found.envelope}: {_comment(found.envelope_reason)}.",
        "schema: statuslens.catalog/v1",
        f"name: {quote(found.title)}",
    ]
    if found.edition:
        lines.append(f"edition: {quote(found.edition)}")
    lines += [
        f"source: {quote(f'{kind} {found.version}: {source_name}')}",
        f"envelope: {found.envelope}",
        "variables: any  # every {variable} of a spec path matches any one segment",
    ]
    if found.base_paths:
        lines.append("base_paths:  # servers[].url / basePath: optional in request paths")
        lines += [f"  - {quote(path)}" for path in found.base_paths]
    lines.append("resources:")
    lines += [f"  - template: {quote(template)}" for template in found.resources]
    lines.append("statuses:")
    for row in found.rows:
        lines.append(f"  # {_comment(row.comment)}")
        lines.append(f"  - code: {quote(row.code)}")
        if row.subcode is not None:
            lines.append(f"    subcode: {quote(row.subcode)}")
        lines.append(f"    applies_to: {quote(row.applies_to)}")
        if row.messages:
            lines.append("    messages:")
            lines += [f"      - {quote(message)}" for message in row.messages]
        else:
            lines.append("    messages: []")
    return "\n".join(lines) + "\n"
