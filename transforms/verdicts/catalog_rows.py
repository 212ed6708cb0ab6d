"""The rows of a catalog's `statuses:` list, and the lookup tables the classifier reads them through.

A row's code is an HTTP status or, from an OpenAPI `4XX` key, a whole class. Class rows are not
expanded into a hundred rows: the tables give each code that has rows of its own its class's rows too
(in table order), and the classifier reaches the class tables only for a code with no row of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from statuslens.transforms.model.numbers import is_ascii_number
from statuslens.transforms.verdicts.catalog_fields import FieldReader
from statuslens.transforms.verdicts.messages import MessagePattern
from statuslens.transforms.verdicts.scopes import Scope, parse_scope

__all__ = ["RowTables", "StatusRow", "index_rows", "read_rows"]

_CLASS_RE = re.compile(r"^([1-5])XX$", re.IGNORECASE)


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
    code_class: int | None = None  # 4 for a `4XX` row (then `code` is 400): every code of the class

    @property
    def code_label(self) -> str:
        return f"{self.code_class}XX" if self.code_class is not None else str(self.code)

    @property
    def has_messages(self) -> bool:
        return bool(self.messages)


@dataclass(frozen=True)
class RowTables:
    by_code: dict[int, tuple[StatusRow, ...]]
    by_code_subcode: dict[tuple[int, int | str], tuple[StatusRow, ...]]
    by_class: dict[int, tuple[StatusRow, ...]]
    by_class_subcode: dict[tuple[int, int | str], tuple[StatusRow, ...]]


def read_rows(
    reader: FieldReader, value: Any, named: dict[str, Scope], templates: frozenset[str]
) -> tuple[StatusRow, ...]:
    items = reader.sequence(value, "statuses")
    rows = []
    for i, item in enumerate(items):
        key = f"statuses[{i}]"
        entry = reader.mapping(item, key, required={"code", "applies_to", "messages"}, optional={"subcode", "note"})
        code, code_class = _read_code(reader, entry["code"], f"{key}.code")
        subcode = entry.get("subcode")
        if (subcode is not None and not isinstance(subcode, (int, str))) or isinstance(subcode, bool):
            reader.fail(f"{key}.subcode", f"must be a number or text, got {reader.shown(subcode)}")
        if isinstance(subcode, str) and is_ascii_number(subcode.strip()):
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
                index=i,
                code=code,
                subcode=subcode,
                applies_to=applies_to,
                scope=scope,
                messages=patterns,
                note=note,
                code_class=code_class,
            )
        )
    if not rows:
        reader.fail("statuses", "must list at least one row")
    return tuple(rows)


def _read_code(reader: FieldReader, value: Any, key: str) -> tuple[int, int | None]:
    """(code, None) for an HTTP status; (N00, N) for an `NXX` class."""
    if isinstance(value, str):
        match = _CLASS_RE.match(value.strip())
        if match:
            digit = int(match.group(1))
            return digit * 100, digit
    code = reader.positive_int(value, key)  # a quoted "404" is refused: only classes are text
    if not 100 <= code <= 599:
        reader.fail(key, f"must be an HTTP status 100-599, got {code}")
    return code, None


def index_rows(rows: tuple[StatusRow, ...]) -> RowTables:
    """code -> rows and (code, subcode) -> rows, each code's class rows merged in; class tables apart."""
    by_code: dict[int, list[StatusRow]] = {}
    by_code_subcode: dict[tuple[int, int | str], list[StatusRow]] = {}
    by_class: dict[int, list[StatusRow]] = {}
    by_class_subcode: dict[tuple[int, int | str], list[StatusRow]] = {}
    for row in rows:
        if row.code_class is not None:
            by_class.setdefault(row.code_class, []).append(row)
            if row.subcode is not None:
                by_class_subcode.setdefault((row.code_class, row.subcode), []).append(row)
            continue
        by_code.setdefault(row.code, []).append(row)
        if row.subcode is not None:
            by_code_subcode.setdefault((row.code, row.subcode), []).append(row)
    for code in list(by_code):
        digit = code // 100
        by_code[code] = _merged(by_code[code], by_class.get(digit, []))
        for (klass, subcode), class_rows in by_class_subcode.items():
            if klass == digit:
                by_code_subcode[(code, subcode)] = _merged(by_code_subcode.get((code, subcode), []), class_rows)
    return RowTables(
        by_code={k: tuple(v) for k, v in by_code.items()},
        by_code_subcode={k: tuple(v) for k, v in by_code_subcode.items()},
        by_class={k: tuple(v) for k, v in by_class.items()},
        by_class_subcode={k: tuple(v) for k, v in by_class_subcode.items()},
    )


def _merged(own: list[StatusRow], of_class: list[StatusRow]) -> list[StatusRow]:
    return sorted([*own, *of_class], key=lambda row: row.index) if of_class else own
