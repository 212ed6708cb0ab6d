"""`--catalog SPEC` writes `proposed-overlay.yaml`; applied to the spec, the same log is documented.

The spec has each place an overlay must reach: a subcode enum in a component two operations share,
an inline response with subcode and message enums, a response whose enums sit in another file (the
overlay wraps it), a `default`-only operation, and a path the spec lacks (listed as unplaced).
Bodies use the netflix envelope, which the spec's schemas name (`/status/sub_code`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from statuslens.pipelines.cli import main
from tests.transforms.outputs.overlay_apply import apply_overlay, oas_patch_apply, overlay_schema_errors
from tests.transforms.verdicts.openapi_helpers import netflix_body, write_files

SPEC = """openapi: 3.0.3
info: {title: Shop, version: '2'}
servers: [{url: 'https://shop.example/api/v2'}]
paths:
  /orders:
    post:
      responses:
        '201': {description: created}
        '400': {$ref: '#/components/responses/BadRequest'}
        '409':
          description: conflict
          content:
            application/json:
              schema:
                properties:
                  status:
                    properties:
                      status_code: {type: integer}
                      sub_code: {enum: [30]}
                      message: {enum: [Busy]}
  /orders/{orderId}:
    get:
      responses:
        '200': {description: ok}
        '404': {$ref: 'common/errors.yaml#/NotFound'}
    put:
      responses:
        '200': {description: ok}
        '400': {$ref: '#/components/responses/BadRequest'}
    delete:
      responses:
        default: {description: anything}
components:
  responses:
    BadRequest:
      description: bad request
      content:
        application/json:
          schema:
            properties:
              status:
                properties:
                  status_code: {type: integer}
                  sub_code: {type: integer, enum: [20, 21]}
"""
ERRORS = """NotFound:
  description: not found
  content:
    application/json:
      schema:
        properties:
          status:
            properties:
              status_code: {type: integer}
              sub_code: {const: 7}
              message: {enum: [No such order]}
"""
# (method, url, status, sub_code, message, what the overlay must do)
TRAFFIC: list[tuple[str, str, int, Any, str | None]] = [
    ("POST", "/api/v2/orders", 201, None, None),  # documented
    ("POST", "/api/v2/orders", 400, 20, "Bad"),  # documented
    ("POST", "/api/v2/orders", 400, 22, "Bad"),  # undocumented_subcode: append 22 to the shared enum
    ("PUT", "/orders/A1", 400, 22, None),  # the same value: the shared enum is edited once
    ("POST", "/orders", 409, 31, "Busy"),  # undocumented_subcode: append 31 to the inline enum
    ("POST", "/orders", 409, 30, "Too busy"),  # undocumented_message: append to the message enum
    ("GET", "/orders/B2", 404, 8, "No such order"),  # enum in common/errors.yaml: wrap the response
    ("GET", "/orders/B2", 404, 7, "Lost"),  # message enum there too: in the same wrap
    ("DELETE", "/orders/B2", 404, 7, None),  # out_of_scope: a new 404 response for DELETE
    ("DELETE", "/orders/B2", 503, None, None),  # undocumented_code: a new 503 response
    ("GET", "/orders", 418, None, None),  # no GET /orders in the spec: unplaced
    ("GET", "/unknown/7", 500, None, None),  # no such path: unplaced
]


def write_log(path: Path) -> Path:
    lines = []
    for i, (method, url, status, sub, message) in enumerate(TRAFFIC * 2):
        record = {"time": f"2026-01-01T00:00:{i:02d}Z", "method": method, "url": url, "status": status}
        if sub is not None or message is not None:
            record["body"] = netflix_body(status, sub, message)
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    return path


def groups(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "anomalies.jsonl").read_text().splitlines()]


def test_the_applied_overlay_documents_every_placed_group(tmp_path: Path) -> None:
    spec = write_files(tmp_path / "spec", {"shop.yaml": SPEC, "common/errors.yaml": ERRORS})
    log = write_log(tmp_path / "t.jsonl")
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["batch", "--input", str(log), "--output", str(first), "--catalog", str(spec)]) == 0
    assert {g["verdict"] for g in groups(first)} == {
        "undocumented_subcode",
        "undocumented_message",
        "out_of_scope",
        "undocumented_code",
    }
    assert not (first / "proposed-catalog.yaml").exists()
    overlay = yaml.safe_load((first / "proposed-overlay.yaml").read_text())
    assert (overlay["overlay"], overlay["extends"]) == ("1.0.0", "shop.yaml")
    actions = {
        (a["target"], json.dumps(a.get("update"), sort_keys=True), bool(a.get("remove"))) for a in overlay["actions"]
    }
    post = "$['paths']['/orders']['post']['responses']"
    bad = "$['components']['responses']['BadRequest']['content']['application/json']['schema']"
    status = "['properties']['status']['properties']"
    assert (bad + status + "['sub_code']['enum']", "22", False) in actions
    assert (
        post + "['409']['content']['application/json']['schema']" + status + "['sub_code']['enum']",
        "31",
        False,
    ) in actions
    assert (
        post + "['409']['content']['application/json']['schema']" + status + "['message']['enum']",
        '"Too busy"',
        False,
    ) in actions
    get = "$['paths']['/orders/{orderId}']['get']['responses']"
    assert (get + "['404']", "null", True) in actions
    delete = "$['paths']['/orders/{orderId}']['delete']['responses']"
    assert sum(a["target"] == delete for a in overlay["actions"]) == 2  # 404 and 503 added
    assert len(overlay["actions"]) == 7  # 22 once (shared), 31, "Too busy", the 404 wrap (2), DELETE's 2
    shared = next(a for a in overlay["actions"] if a["target"].startswith(bad))
    assert "shared by POST /orders, PUT /orders/{orderId}" in shared["description"]
    wrap = next(a for a in overlay["actions"] if a["target"] == get)["update"]["404"]["content"]["application/json"]
    assert wrap["schema"]["anyOf"][0] == {"$ref": "common/errors.yaml#/NotFound/content/application~1json/schema"}
    assert wrap["schema"]["anyOf"][1]["properties"]["status"]["properties"]["sub_code"]["enum"] == [8]
    assert wrap["schema"]["anyOf"][1]["properties"]["status"]["properties"]["message"]["enum"] == ["Lost"]
    unplaced = {(u["method"], u["resource"], u["status_code"]) for u in overlay["x-statuslens-unplaced"]}
    assert unplaced == {("GET", "orders", 418), ("GET", "unknown/{id}", 500)}

    assert overlay_schema_errors(overlay) == []
    applied = apply_overlay(yaml.safe_load(spec.read_text()), overlay)
    assert oas_patch_apply(yaml.safe_load(spec.read_text()), overlay) == applied  # a real Overlay tool agrees
    patched = spec.parent / "shop.patched.yaml"
    patched.write_text(yaml.safe_dump(applied, sort_keys=False))
    assert main(["batch", "--input", str(log), "--output", str(second), "--catalog", str(patched)]) == 0
    left = {(g["method"], g["resource"], g["status_code"]) for g in groups(second)}
    assert left == unplaced  # every group the overlay placed is documented now
    # An overlay needs one action at least: with only unplaced groups left, none is written (the
    # report still proposes their rows).
    assert not (second / "proposed-overlay.yaml").exists()
    assert "| 418 |" in (second / "report.md").read_text()
