"""Generated traffic against the CAMARA spec, judged by the catalog and by an independent oracle.

The oracle reads the spec with its own few lines (yaml.safe_load, `$ref` = file + JSON Pointer,
`code.enum` through `allOf`) and applies §5 as DOMAIN.md words it, knowing for each generated
request which operation it stands for. The catalog side goes through everything statuslens does:
import, the catalog YAML, path matching with and without the base path, classify.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.classify import classify
from tests.transforms.verdicts.test_openapi_real_specs import CAMARA

METHODS = ("get", "put", "post", "delete", "patch")
Row = tuple[str, str, int, Any]  # method, spec path, code, code enum value or None


class Spec:
    """The oracle's reading of a spec: plain dicts, refs followed by hand."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.files: dict[Path, Any] = {}

    def load(self, file: Path) -> Any:
        if file not in self.files:
            self.files[file] = yaml.safe_load(file.read_text())
        return self.files[file]

    def deref(self, node: Any, file: Path) -> tuple[Any, Path]:
        while isinstance(node, dict) and "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            file = (file.parent / target).resolve() if target else file
            node = self.load(file)
            for token in pointer.split("/")[1:]:
                node = node[token.replace("~1", "/").replace("~0", "~")]
        return node, file

    def code_enum(self, schema: Any, file: Path) -> list[Any]:
        schema, file = self.deref(schema, file)
        found: list[Any] = []
        code = schema.get("properties", {}).get("code")
        if code is not None:
            code, _ = self.deref(code, file)
            found += code.get("enum", [])
        for branch in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
            found += self.code_enum(branch, file)
        return found

    def rows(self) -> list[Row]:
        doc = self.load(self.root)
        out: list[Row] = []
        for path, item in doc["paths"].items():
            for method in METHODS:
                for key, response in item.get(method, {}).get("responses", {}).items():
                    response, file = self.deref(response, self.root)
                    enums: list[Any] = []
                    for media in response.get("content", {}).values():
                        enums += [v for v in self.code_enum(media["schema"], file) if v not in enums]
                    out += [(method.upper(), path, int(key), value) for value in enums or [None]]
        return out


def oracle(rows: list[Row], method: str, path: str, code: int, sub: Any) -> str:
    """§5 rules 1-5 for a table without messages; `path` is the spec path the request stands for."""
    of_code = [r for r in rows if r[2] == code]
    if not of_code:
        return "undocumented_code"
    if sub is not None:
        candidates = [r for r in of_code if r[3] == sub]
        if not candidates:
            return "undocumented_subcode"
    else:
        candidates = [r for r in of_code if r[3] is None] or of_code
    return "documented" if any((r[0], r[1]) == (method, path) for r in candidates) else "out_of_scope"


def traffic(rows: list[Row], n: int, seed: int = 14) -> list[tuple[str, str, str, int, Any]]:
    """(method, spec path, url, code, sub): documented rows, rows of other operations, unknown
    codes and subcodes, methods the path lacks; URLs with and without the base path and host."""
    rng = random.Random(seed)
    paths = sorted({r[1] for r in rows})
    codes = [*sorted({r[2] for r in rows}), 418, 502, 207]
    subs = [*sorted({str(r[3]) for r in rows if r[3] is not None}), "NOT_A_CODE"]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            method, path, code, sub = rng.choice(rows)
        else:
            method = rng.choice(METHODS).upper()
            path, code = rng.choice(paths), rng.choice(codes)
            sub = rng.choice([*subs, None])
        concrete = path.replace("{sessionId}", rng.choice(["3fa85f64-5717-4562", "s1", "extend"]))
        prefix = rng.choice(["", "/quality-on-demand/vwip", "https://api.example.com/quality-on-demand/vwip"])
        out.append((method, path, prefix + concrete + rng.choice(["", "?x=1"]), code, sub))
    return out


def test_the_spec_has_no_message_enums_so_the_oracle_may_ignore_messages() -> None:
    catalog = load_catalog(CAMARA)
    assert all(not row.messages for row in catalog.rows)


def test_generated_traffic_is_classified_as_the_oracle_says() -> None:
    rows = Spec(CAMARA).rows()
    catalog = load_catalog(CAMARA)
    annotator = Annotator(catalog)
    verdicts: dict[str, int] = {}
    for method, path, url, code, sub in traffic(rows, 4000):
        request, _ = annotator.request_facts(RawRecord(0, method, url, code))
        assert request.resource == path.strip("/")
        got = classify(catalog, code, sub, None, request).verdict
        want = oracle(rows, method, path, code, sub)
        assert got == want, (method, url, code, sub)
        verdicts[got] = verdicts.get(got, 0) + 1
    # The generator reaches every verdict this table can give (it has no messages).
    assert set(verdicts) == {"documented", "undocumented_code", "undocumented_subcode", "out_of_scope"}
    assert min(verdicts.values()) > 100
