"""The parts of an OpenAPI 3.x or Swagger 2.0 document a catalog is made of: its version, base paths,
and each operation's responses with their media types and schemas (DOMAIN.md §9).

Only `paths` is read for rows: callbacks and webhooks document what the API sends, not what it answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from statuslens.transforms.verdicts.openapi.refs import Located, Resolver, SpecError, shown

__all__ = ["METHODS", "Operation", "Response", "base_paths", "operations", "spec_version"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION_RE = re.compile(r"^(2\.0|3\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)$")


@dataclass
class Response:
    """One response of an operation: its key (`404`, `4XX`, `default`), where it is, and its schemas."""

    key: str
    where: Located
    refs: list[str]
    media: list[tuple[str, Located]] = field(default_factory=list)  # (media type, schema)


@dataclass
class Operation:
    method: str  # upper case
    path: str  # as the spec writes it
    responses: list[Response]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def spec_version(doc: dict[str, Any], origin: str) -> str:
    """`2.0`, `3.0.3`, `3.1.0`…; SpecError for anything else."""
    raw = doc.get("openapi", doc.get("swagger"))
    text = str(raw) if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else ""
    kind = "openapi" if "openapi" in doc else "swagger"
    if not _VERSION_RE.match(text) or (kind == "swagger") != (text == "2.0"):
        raise SpecError(f"{origin}: {kind}: {shown(raw)} is not a supported version (Swagger 2.0, OpenAPI 3.x)")
    return text


def base_paths(doc: dict[str, Any], version: str) -> list[str]:
    """The path part of each `servers[].url` (a leading `{variable}` standing for scheme and host is
    dropped), or Swagger's `basePath`; without slashes, empty ones left out."""
    urls: list[str] = []
    if version == "2.0":
        if isinstance(doc.get("basePath"), str):
            urls.append(doc["basePath"])
    else:
        servers = doc.get("servers")
        for server in servers if isinstance(servers, list) else []:
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                urls.append(_url_path(server["url"]))
    out: list[str] = []
    for url in urls:
        path = url.split("?", 1)[0].strip("/")
        if path and path not in out:
            out.append(path)
    return out


def _url_path(url: str) -> str:
    url = url.strip()
    if "://" in url:
        rest = url.split("://", 1)[1]
        return rest[rest.find("/") :] if "/" in rest else ""
    if url.startswith("{"):  # `{apiRoot}/qod/v0`: the variable is the scheme and host
        close = url.find("}")
        return url[close + 1 :] if close != -1 else url
    if url.startswith("//"):
        rest = url[2:]
        return rest[rest.find("/") :] if "/" in rest else ""
    return url


def operations(resolver: Resolver, doc: dict[str, Any], version: str) -> Iterator[tuple[str, Operation | None]]:
    """(spec path, operation) for each operation under `paths`, in the spec's order; (path, None) for
    a path item without operations (still a resource)."""
    root = resolver.root_located()
    paths = doc.get("paths")
    if paths is None:
        return
    if not isinstance(paths, dict):
        raise SpecError(f"{resolver.origin}: paths: must be a mapping")
    produces = _produces(doc)
    for path in paths:
        item_at = root.child("paths", str(path))
        if item_at is None:
            continue
        item, _ = resolver.follow(item_at)
        if not isinstance(item.node, dict):
            raise SpecError(f"{resolver.origin}: paths.{shown(path)}: must be a mapping")
        found = False
        for method in METHODS:
            op = item.child(method)
            if op is None or not isinstance(op.node, dict):
                continue
            found = True
            media_types = _produces(op.node) or produces or ["application/json"]
            yield str(path), Operation(method.upper(), str(path), list(_responses(resolver, op, version, media_types)))
        if not found:
            yield str(path), None


def _produces(node: dict[str, Any]) -> list[str]:
    value = node.get("produces")
    return [str(v) for v in value] if isinstance(value, list) else []


def _responses(resolver: Resolver, op: Located, version: str, produces: list[str]) -> Iterator[Response]:
    responses = op.child("responses")
    if responses is None or not isinstance(responses.node, dict):
        return
    for key in responses.node:
        if str(key).startswith("x-"):
            continue
        at = responses.child(str(key))
        if at is None:
            continue
        where, refs = resolver.follow(at)
        response = Response(str(key), where, refs)
        if version == "2.0":
            schema = where.child("schema")
            if schema is not None:
                response.media = [(media_type, schema) for media_type in produces]
        else:
            content = where.child("content")
            for media_type in content.node if content is not None and isinstance(content.node, dict) else ():
                schema = content.child(str(media_type), "schema") if content is not None else None
                if schema is not None:
                    response.media.append((str(media_type), schema))
        yield response
