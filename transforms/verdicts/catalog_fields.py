"""Type checks for catalog files that fail with one line naming the file, the key and the problem."""

from __future__ import annotations

import re
import reprlib
from typing import Any, NoReturn

from statuslens.transforms.errors import CatalogError

__all__ = ["TEMPLATE_SEGMENT_RE", "FieldReader", "one_line"]

# A path segment: literal text, `{variable}`, or both (`{jobId}:cancel`); no comma (it separates scope lists).
TEMPLATE_SEGMENT_RE = re.compile(r"(?:[A-Za-z0-9_.~\-:@$!'()*+;=%]|\{[A-Za-z0-9_.\-$]+\})+")


class FieldReader:
    """Type checks that raise CatalogError naming the file and the key."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    @staticmethod
    def shown(value: Any) -> str:
        """A value as an error may quote it: bounded, whatever the document held."""
        return _SHOWN.repr(value)

    def fail(self, key: str, problem: str) -> NoReturn:
        where = f"{self.origin}: {key}: " if key else f"{self.origin}: "
        raise CatalogError(where + problem)

    def mapping(
        self,
        value: Any,
        key: str,
        required: set[str],
        optional: set[str] | None = frozenset(),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping, got {type(value).__name__}")
        missing = sorted(required - value.keys())
        if missing:
            self.fail(key, f"missing key {missing[0]!r}")
        if optional is not None:
            unknown = sorted(str(k) for k in value.keys() - required - optional)
            if unknown:
                self.fail(f"{key}.{unknown[0]}" if key else unknown[0], "unknown key")
        return value

    def sequence(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {type(value).__name__}")
        return value

    def text(self, value: Any, key: str, allow_empty: bool = False) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(key, f"must be non-empty text, got {self.shown(value)}")
        return value.strip()

    def positive_int(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(key, f"must be a positive whole number, got {self.shown(value)}")
        return value


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 80
_SHOWN.maxlevel = 2


def one_line(text: str) -> str:
    return " ".join(text.split())
