"""`$ref`s of an OpenAPI document: local files only, relative to the file that holds the ref.

A ref is followed only to a `.yaml`, `.yml` or `.json` file (a ref to `/etc/passwd` is refused before
anything is read), never over the network (`http://…` and every other URL scheme are refused), within
a budget of files and bytes. Cycles, missing files and missing targets are one `SpecError` line that
names the ref and the file holding it; a file read through a ref is never quoted in an error, not even
the kind of YAML problem it has: only where.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.documents import MAX_DOCUMENT_BYTES, load_document, read_capped

__all__ = ["MAX_SPEC_FILES", "Located", "Resolver", "SpecError", "escape", "shown", "step"]

MAX_SPEC_FILES = 256
MAX_SPEC_BYTES = 4 * MAX_DOCUMENT_BYTES
_SUFFIXES = (".yaml", ".yml", ".json")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class SpecError(CatalogError):
    """An OpenAPI document that cannot be imported: one line naming the file, the ref and the problem."""


@dataclass(frozen=True)
class Located:
    """A node of one of the spec's files, and where it is (for errors, comments and cycle checks)."""

    file: Path
    pointer: str
    node: Any

    def child(self, *tokens: str | int) -> Located | None:
        node = self.node
        for token in tokens:
            node = step(node, str(token))
            if node is None:
                return None
        return Located(self.file, self.pointer + "".join("/" + escape(str(t)) for t in tokens), node)


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def step(node: Any, token: str) -> Any:
    """One JSON Pointer step; YAML reads `200:` as an integer key, so a number token tries both."""
    if isinstance(node, dict):
        if token in node:
            return node[token]
        if token.isdecimal():
            return node.get(int(token))
        return None
    if isinstance(node, list) and token.isdecimal() and int(token) < len(node):
        return node[int(token)]
    return None


def shown(text: Any, limit: int = 160) -> str:
    """A ref or key as an error may quote it: one line, bounded, controls escaped."""
    value = repr(str(text))
    return value if len(value) <= limit else value[: limit - 4] + "...'"


class Resolver:
    """The files of one spec, loaded on first use, and the refs between them."""

    def __init__(self, root: Path, root_doc: Any) -> None:
        self.root = root
        self.origin = str(root)
        self._base = root.resolve().parent
        self._docs: dict[Path, Any] = {root.resolve(): root_doc}
        self._bytes = 0

    def name(self, file: Path) -> str:
        """A file as messages and comments name it: relative to the root spec's folder when inside it."""
        return os.path.relpath(file, self._base)

    def root_located(self) -> Located:
        return Located(self.root.resolve(), "", self._docs[self.root.resolve()])

    def follow(self, loc: Located) -> tuple[Located, list[str]]:
        """The node a chain of `$ref`s ends at, and the refs taken (for comments)."""
        taken: list[str] = []
        seen = {(loc.file, loc.pointer)}
        while isinstance(loc.node, dict) and "$ref" in loc.node:
            ref = loc.node["$ref"]
            target = self.target(ref, loc)
            key = (target.file, target.pointer)
            if key in seen:
                self.fail(ref, loc, "the refs form a cycle")
            seen.add(key)
            taken.append(str(ref))
            loc = target
        return loc, taken

    def target(self, ref: Any, at: Located) -> Located:
        """The node one `$ref` names, resolved against the file that holds it."""
        if not isinstance(ref, str) or not ref:
            self.fail(ref, at, "must be a non-empty string")
        file_part, _, fragment = ref.partition("#")
        if _SCHEME_RE.match(file_part):
            self.fail(ref, at, "URLs are not followed (statuslens reads local files only, never the network)")
        file = at.file
        if file_part:
            file = (at.file.parent / unquote(file_part)).resolve()
        doc = self._document(file, ref, at)
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            self.fail(ref, at, "only JSON Pointer fragments (#/…) are supported")
        node = doc
        for token in pointer.split("/")[1:] if pointer else ():
            node = step(node, token.replace("~1", "/").replace("~0", "~"))
            if node is None:
                self.fail(ref, at, f"{shown(pointer)} is not in {self.name(file)}")
        return Located(file, pointer, node)

    def _document(self, file: Path, ref: str, at: Located) -> Any:
        known = self._docs.get(file)
        if known is not None or file in self._docs:
            return known
        if file.suffix.lower() not in _SUFFIXES:
            self.fail(ref, at, "names a file that is not .yaml, .yml or .json")
        if len(self._docs) >= MAX_SPEC_FILES:
            self.fail(ref, at, f"a spec may span at most {MAX_SPEC_FILES} files")
        if not file.exists():
            self.fail(ref, at, f"file {self.name(file)} not found")
        try:
            raw = read_capped(file, "referenced file")
        except CatalogError as exc:
            self.fail(ref, at, str(exc).replace(str(file), self.name(file)))
        self._bytes += len(raw)
        if self._bytes > MAX_SPEC_BYTES:
            self.fail(ref, at, f"the spec's files are over {MAX_SPEC_BYTES} bytes together")
        try:
            doc = load_document(raw, self.name(file), detail=False)
        except CatalogError as exc:
            self.fail(ref, at, str(exc))
        self._docs[file] = doc
        return doc

    def fail(self, ref: Any, at: Located, problem: str) -> NoReturn:
        where = self.name(at.file)
        raise SpecError(f"{self.origin}: $ref {shown(ref)} in {where} at {shown(at.pointer or '/')}: {problem}")
