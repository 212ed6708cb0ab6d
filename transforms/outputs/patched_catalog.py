"""`proposed-catalog.yaml`: the user's YAML catalog with the proposed rows added (DOMAIN.md §9).

The rows are appended as text at the end of the `statuses:` list, and what they need — templates of
resources the catalog does not list, an `All resources` scope — at the end of `resources:` and
`scopes:`, so the user's comments, order and layout stay and a diff shows only the additions. The
result is checked: it must load as the original document plus exactly those items; when the layout
does not allow that (flow-style lists, anchors, a key that is not at the top level) the catalog is
written again from its data instead, and its first line says the comments were not kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import yaml

from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["PATCHED_CATALOG_NAME", "patch_catalog"]

PATCHED_CATALOG_NAME = "proposed-catalog.yaml"
_ALL = "All resources"
_METHOD_RE = re.compile(r"^([A-Z]+)s(?: to (.+))?$")


def patch_catalog(text: str, catalog: Catalog, rows: Iterable[ProposedRow]) -> str | None:
    """The catalog `text` with `rows` appended; None when there is no row to add."""
    rows = list(rows)
    if not rows:
        return None
    doc = yaml.safe_load(text)
    templates = {r.template for r in catalog.resources}
    new_resources: list[dict[str, Any]] = []
    needs_all = False
    statuses: list[dict[str, Any]] = []
    for row in rows:
        for template in _templates(row.applies_to):
            if template not in templates:
                templates.add(template)
                new_resources.append({"template": template})
        needs_all = needs_all or row.applies_to == _ALL
        statuses.append(_row(row))
    scopes = doc.get("scopes") or {}
    new_scopes = {_ALL: {"match": "always"}} if needs_all and _ALL not in scopes else {}
    expected = dict(doc)
    expected["resources"] = [*doc["resources"], *new_resources]
    expected["statuses"] = [*doc["statuses"], *statuses]
    if new_scopes:
        expected["scopes"] = {**scopes, **new_scopes}
    patched = _as_text(text, new_resources, new_scopes, statuses)
    if patched is not None and _loads(patched) == expected:
        return patched
    header = "# Written again from its data by statuslens (its layout did not allow appending): comments dropped.\n"
    return header + yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=120)


def _templates(applies_to: str) -> list[str]:
    """The templates an applies-to cell names (`POSTs to a or b` -> [a, b]; `All resources` -> [])."""
    if applies_to == _ALL:
        return []
    match = _METHOD_RE.match(applies_to)
    where = match.group(2) if match else applies_to
    if where is None:
        return []
    return [name.strip() for name in re.split(r"\s+or\s+", where)]


def _row(row: ProposedRow) -> dict[str, Any]:
    out: dict[str, Any] = {"code": row.code}
    if row.subcode is not None:
        out["subcode"] = row.subcode
    out["applies_to"] = row.applies_to
    out["messages"] = [row.message] if row.message.strip() else []
    records = "record" if row.count == 1 else "records"
    seen = f"proposed by statuslens: {row.count} {records}, {', '.join(row.verdicts)}"
    out["note"] = f"{seen}; {row.note}" if row.note else seen
    return out


def _flow(value: Any) -> str:
    """A YAML flow mapping: JSON, whose strings are YAML double-quoted scalars (what YAML would read
    otherwise, such as a raw U+2028, fails the check in patch_catalog and the file is re-dumped)."""
    return json.dumps(value, ensure_ascii=False)


def _as_text(
    text: str, resources: list[dict[str, Any]], scopes: dict[str, Any], statuses: list[dict[str, Any]]
) -> str | None:
    lines = text.splitlines()
    for key, items in (("resources", resources), ("statuses", statuses)):
        if items and not _append_items(lines, key, [f"- {_flow(item)}" for item in items]):
            return None
    if scopes:
        entries = [f"{_flow(name)}: {_flow(spec)}" for name, spec in scopes.items()]
        if not _append_items(lines, "scopes", entries):
            if any(re.match(r"^scopes\s*:", line) for line in lines):
                return None
            lines += ["", "# Added by statuslens for the proposed rows.", "scopes:", *("  " + e for e in entries)]
    return "\n".join(lines) + "\n"


def _append_items(lines: list[str], key: str, items: list[str]) -> bool:
    """Insert `items` after the last entry of the top-level block `key:`, indented like its entries."""
    start = next((i for i, line in enumerate(lines) if re.match(rf"^{key}\s*:\s*(#.*)?$", line)), None)
    if start is None:
        return False
    last, indent = start, None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("- "):
            break  # the next top-level key
        if indent is None:
            indent = line[: len(line) - len(line.lstrip())]
        last = i
    if indent is None:
        return False
    lines[last + 1 : last + 1] = [indent + item for item in items]
    return True


def _loads(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
