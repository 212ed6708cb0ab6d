"""The verdict rules of DOMAIN.md §5, as a pure function over the catalog.

`classify` is on the hot path (every record); `explain` runs only for records that are not
documented and says, in one sentence, which documented row is nearest and why it did not match.
"""

from __future__ import annotations

from dataclasses import dataclass

from statuslens.transforms.model.groups import normalize_message
from statuslens.transforms.model.numbers import is_ascii_number
from statuslens.transforms.verdicts.catalog import Catalog
from statuslens.transforms.verdicts.catalog_rows import StatusRow
from statuslens.transforms.verdicts.scopes import RequestFacts

__all__ = [
    "NEEDS_ALL",
    "NEEDS_NOTHING",
    "NEEDS_PATH",
    "VERDICTS",
    "Verdict",
    "classify",
    "explain",
    "request_independent",
    "scope_inputs",
]

DOCUMENTED = "documented"
UNDOCUMENTED_CODE = "undocumented_code"
UNDOCUMENTED_SUBCODE = "undocumented_subcode"
UNDOCUMENTED_MESSAGE = "undocumented_message"
OUT_OF_SCOPE = "out_of_scope"
VERDICTS = (DOCUMENTED, UNDOCUMENTED_CODE, UNDOCUMENTED_SUBCODE, UNDOCUMENTED_MESSAGE, OUT_OF_SCOPE)
# What of a request the verdict of a (code, sub_code) can depend on (see scope_inputs).
NEEDS_NOTHING, NEEDS_PATH, NEEDS_ALL = 0, 1, 2
_PATH_KINDS = frozenset({"always", "method", "resources", "collection"})


@dataclass(slots=True)  # made per record; treated as read-only
class Verdict:
    """A verdict and the documented message it rests on (None when there is none to name)."""

    verdict: str
    catalog_message: str | None = None


def classify(
    catalog: Catalog, code: int, sub_code: int | str | None, message: str | None, request: RequestFacts
) -> Verdict:
    """Apply §5 rules 1-5 in order."""
    rows = catalog.by_code.get(code)
    if rows is None and catalog.by_class:
        rows = catalog.by_class.get(code // 100)  # an `NXX` row; only for a code with no row of its own
    if not rows:
        return Verdict(UNDOCUMENTED_CODE)
    candidates = _candidates(catalog, rows, code, sub_code)
    if candidates is None:
        return Verdict(UNDOCUMENTED_SUBCODE)
    in_scope = [row for row in candidates if row.scope.matches(request)]
    normalized = normalize_message(message) if message else ""
    if normalized:
        for row in in_scope:
            for pattern in row.messages:
                if pattern.matches(normalized):
                    return Verdict(DOCUMENTED, pattern.text)
        checked = set(map(id, in_scope))  # their patterns did not match above
        for row in candidates:
            if id(row) in checked:
                continue
            for pattern in row.messages:
                if pattern.matches(normalized):
                    return Verdict(OUT_OF_SCOPE, pattern.text)
        if in_scope:
            if any(row.messages for row in in_scope):
                return Verdict(UNDOCUMENTED_MESSAGE)
            return Verdict(DOCUMENTED)
        return Verdict(OUT_OF_SCOPE)
    if in_scope:
        return Verdict(DOCUMENTED, _only_message(in_scope))
    return Verdict(OUT_OF_SCOPE)


def request_independent(catalog: Catalog, code: int, sub_code: int | str | None) -> bool:
    """True when no request (method, path, query) can change the verdict of (code, sub_code).

    That holds when rule 1 or 2 decides, or when every candidate row applies to all requests
    (then in-scope rows = candidates, whatever the request is).
    """
    rows = catalog.rows_of(code)
    if not rows:
        return True
    candidates = _candidates(catalog, rows, code, sub_code)
    if candidates is None:
        return True
    return all(row.scope.kind == "always" and row.scope.method is None for row in candidates)


def scope_inputs(catalog: Catalog, code: int, sub_code: int | str | None) -> int:
    """NEEDS_NOTHING when no request fact can change the verdict of (code, sub_code); NEEDS_PATH when
    only the method and the resource can (scopes of methods, resources and collections: every row
    of an OpenAPI catalog); NEEDS_ALL when a scope reads the query (`All feeds`)."""
    if request_independent(catalog, code, sub_code):
        return NEEDS_NOTHING
    candidates = _candidates(catalog, catalog.rows_of(code) or (), code, sub_code) or []
    return NEEDS_PATH if all(row.scope.kind in _PATH_KINDS for row in candidates) else NEEDS_ALL


def explain(
    catalog: Catalog, verdict: str, code: int, sub_code: int | str | None, message: str | None, request: RequestFacts
) -> str:
    """One sentence naming the nearest documented row and why this record did not match it."""
    label = f"{code}/{sub_code}" if sub_code is not None else str(code)
    if verdict == DOCUMENTED:
        return f"{label} is documented for this request."
    rows = catalog.rows_of(code)
    if verdict == UNDOCUMENTED_CODE or not rows:
        return f"{code} is not in the table; the documented codes are {', '.join(catalog.code_labels)}."
    if verdict == UNDOCUMENTED_SUBCODE:
        subs = sorted({str(r.subcode) for r in rows if r.subcode is not None})
        known = f"with subcodes {', '.join(subs)}" if subs else "with no subcode"
        return f"{code} is documented {known}; subcode {sub_code} is not."
    candidates = _candidates(catalog, rows, code, sub_code) or []
    normalized = normalize_message(message) if message else ""
    if verdict == UNDOCUMENTED_MESSAGE:
        in_scope = [r for r in candidates if r.scope.matches(request) and r.messages]
        documented = [p.text for r in in_scope for p in r.messages]
        shown = "; ".join(f'"{t}"' for t in documented[:4]) + ("; …" if len(documented) > 4 else "")
        scopes = _phrases(in_scope)
        return f'{label} for {scopes} documents {shown}; this response says "{message}".'
    if normalized:
        for row in candidates:
            for pattern in row.messages:
                if pattern.matches(normalized):
                    return (
                        f'"{pattern.text}" is documented for {label} only for {row.applies_to}; '
                        f"{row.scope.why_not(request)}."
                    )
    if not candidates:
        return f"{label} has no documented row for this request."
    return f"{label} is documented only for {_phrases(candidates)}; {candidates[0].scope.why_not(request)}."


def _candidates(
    catalog: Catalog, rows: tuple[StatusRow, ...], code: int, sub_code: int | str | None
) -> list[StatusRow] | None:
    """§5 rule 3's candidates; None when the sub_code is not documented (rule 2)."""
    if sub_code is not None:
        with_sub = catalog.subcode_rows(code, sub_code)
        if with_sub is None and isinstance(sub_code, str) and is_ascii_number(sub_code):
            with_sub = catalog.subcode_rows(code, int(sub_code))
        return list(with_sub) if with_sub else None
    without = [row for row in rows if row.subcode is None]
    return without or list(rows)


def _only_message(rows: list[StatusRow]) -> str | None:
    texts = {p.text for row in rows for p in row.messages}
    return texts.pop() if len(texts) == 1 else None


def _phrases(rows: list[StatusRow]) -> str:
    seen: list[str] = []
    for row in rows:
        if row.applies_to not in seen:
            seen.append(row.applies_to)
    return " and ".join(seen)
