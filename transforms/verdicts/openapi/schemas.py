"""What a response schema says about one field of the error envelope (DOMAIN.md §9 "Rows").

An envelope field is a JSON Pointer (`/error/status`); the schemas that can sit there are found by
descending `properties` (and `items` for a number), through `$ref`, `allOf`, `oneOf` and `anyOf`.
Their `enum` and `const` values are the documented subcodes or messages; their `properties` names
tell which envelope the schema follows. `examples` say nothing normative and are never read.
"""

from __future__ import annotations

from typing import Any

from statuslens.transforms.verdicts.openapi.refs import Located, Resolver

__all__ = ["SchemaWalker"]

_COMBINERS = ("allOf", "oneOf", "anyOf")
_MAX_VISITS = 1_000_000  # schema nodes one spec may make the walker visit; memoised, so a bound on work


class SchemaWalker:
    """Schemas at a pointer below a schema, remembered per (schema, pointer): shared error schemas
    are met by every operation."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._memo: dict[tuple[Any, str, tuple[str, ...]], list[Located]] = {}
        self._active: set[tuple[Any, str, tuple[str, ...]]] = set()
        self._visits = 0

    def at(self, schema: Located, tokens: tuple[str, ...]) -> list[Located]:
        """Every schema that constrains the field at `tokens` below `schema` (empty tokens: itself)."""
        key = (schema.file, schema.pointer, tokens)
        known = self._memo.get(key)
        if known is not None:
            return known
        if key in self._active:
            self.resolver.fail(schema.pointer or "#", schema, "the schemas' allOf/oneOf/anyOf/$ref form a cycle")
        self._visits += 1
        if self._visits > _MAX_VISITS:
            self.resolver.fail(schema.pointer or "#", schema, f"schemas need more than {_MAX_VISITS} steps to read")
        self._active.add(key)
        try:
            found = self._at(schema, tokens)
        finally:
            self._active.discard(key)
        self._memo[key] = found
        return found

    def _at(self, schema: Located, tokens: tuple[str, ...]) -> list[Located]:
        node = schema.node
        if not isinstance(node, dict):
            return []
        found: list[Located] = []
        if not tokens:
            found.append(schema)
        else:
            head, rest = tokens[0], tokens[1:]
            prop = schema.child("properties", head)
            if prop is not None:
                found += self.at(prop, rest)
            elif head.isdecimal() and isinstance(node.get("items"), dict):
                items = schema.child("items")
                if items is not None:
                    found += self.at(items, rest)
        if "$ref" in node:  # 3.1 allows keywords beside $ref; 3.0 ignores them, and so reading both is safe
            found += self.at(self.resolver.target(node["$ref"], schema), tokens)
        for combiner in _COMBINERS:
            branches = node.get(combiner)
            if isinstance(branches, list):
                for i in range(len(branches)):
                    branch = schema.child(combiner, i)
                    if branch is not None:
                        found += self.at(branch, tokens)
        return found

    def values(self, schema: Located, tokens: tuple[str, ...]) -> list[Any]:
        """The `enum` and `const` values of the field at `tokens`, in order, duplicates dropped."""
        out: list[Any] = []
        for found in self.at(schema, tokens):
            node = found.node
            candidates = list(node["enum"]) if isinstance(node.get("enum"), list) else []
            if "const" in node:
                candidates.append(node["const"])
            for value in candidates:
                if not any(value == seen and type(value) is type(seen) for seen in out):
                    out.append(value)
        return out

    def property_names(self, schema: Located, tokens: tuple[str, ...] = ()) -> set[str]:
        """The names under `properties` of the schemas at `tokens` (the union over all of them)."""
        names: set[str] = set()
        for found in self.at(schema, tokens):
            props = found.node.get("properties")
            if isinstance(props, dict):
                names.update(str(name) for name in props)
        return names
