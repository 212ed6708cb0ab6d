"""`statuslens catalog import|check`, and `--catalog SPEC` end to end on files (DOMAIN.md §9)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from statuslens.pipelines.cli import main
from tests.transforms.verdicts.openapi_helpers import netflix_body, write_files
from tests.transforms.verdicts.test_openapi_real_specs import CAMARA

# Netflix-shaped error bodies (read by today's body parser), subcode and message enums per operation,
# a range, a base path and a variable that is not a number.
SPEC = """openapi: 3.0.3
info: {title: Shop, version: '2'}
servers: [{url: 'https://shop.example/api/v2'}]
paths:
  /orders/{orderId}:
    get:
      responses:
        '200': {description: ok}
        '404': {$ref: 'common/errors.yaml#/NotFound'}
    delete:
      responses:
        '204': {description: gone}
        4XX: {description: any client error}
  /orders:
    post:
      responses:
        '201': {description: created}
        '400':
          description: bad
          content:
            application/json:
              schema:
                allOf:
                  - $ref: 'common/errors.yaml#/Status'
                  - properties: {status: {properties: {sub_code: {enum: [20, 21]}, message: {enum: [Bad order]}}}}
"""
ERRORS = """Status:
  properties:
    status:
      properties:
        status_code: {type: integer}
        sub_code: {type: integer}
        message: {type: string}
NotFound:
  description: not found
  content:
    application/json:
      schema:
        allOf:
          - $ref: '#/Status'
          - properties: {status: {properties: {sub_code: {const: 7}, message: {enum: [No such order]}}}}
"""


def make_spec(root: Path) -> Path:
    return write_files(root, {"shop.yaml": SPEC, "common/errors.yaml": ERRORS})


def traffic(path: Path, n: int = 600) -> Path:
    """JSON lines over documented, out-of-scope and undocumented combinations."""
    rng = random.Random(9)
    lines = []
    for i in range(n):
        method, url = rng.choice(
            [("GET", "/api/v2/orders/A-1"), ("GET", "/orders/B2"), ("DELETE", "/orders/7"), ("POST", "/api/v2/orders")]
        )
        status, sub, message = rng.choice(
            [(200, None, None), (404, 7, "No such order"), (404, 7, "Lost"), (404, 8, None), (400, 20, "Bad order"),
             (400, 21, None), (409, None, None), (500, None, None), (204, None, None), (201, None, None)]
        )  # fmt: skip
        record = {"time": f"2026-01-01T00:00:{i % 60:02d}Z", "method": method, "url": url, "status": status}
        if sub is not None or message is not None:
            record["body"] = netflix_body(status, sub, message)
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    return path


def outputs(folder: Path) -> dict[str, str]:
    """Every output file's text; the summary and reports without their wall-clock times."""
    found = {}
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            text = file.read_text()
            if file.name == "summary.json":
                summary = json.loads(text)
                summary.pop("started_at"), summary.pop("finished_at")
                text = json.dumps(summary, sort_keys=True)
            elif file.name.startswith("report."):
                text = re.sub(r"run \S+Z → \S+Z", "run TIMES", text)
            found[str(file.relative_to(folder))] = text
    return found


def test_import_then_catalog_gives_the_same_outputs_as_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = make_spec(tmp_path / "spec")
    imported = tmp_path / "shop-catalog.yaml"
    assert main(["catalog", "import", str(spec), "--output", str(imported)]) == 0
    assert "wrote " in capsys.readouterr().err
    text = imported.read_text()
    assert "# GET /orders/{orderId} 404 via common/errors.yaml#/NotFound" in text
    assert "base_paths:" in text and '"api/v2"' in text
    log = traffic(tmp_path / "t.jsonl")
    runs = {}
    for name, catalog in (("spec", spec), ("yaml", imported)):
        out = tmp_path / f"out-{name}"
        assert main(["batch", "--input", str(log), "--output", str(out), "--catalog", str(catalog)]) == 0
        runs[name] = outputs(out)
    # The proposals speak each catalog's language (DOMAIN.md §9): an overlay for the spec, a patched
    # catalog for its YAML; every other output is the same.
    assert runs["spec"].pop("proposed-overlay.yaml").count("- target: ") > 0
    assert runs["yaml"].pop("proposed-catalog.yaml").startswith(text)
    assert runs["spec"] == runs["yaml"]
    verdicts = json.loads(runs["spec"]["summary.json"])["verdicts"]
    assert all(verdicts[v] > 0 for v in verdicts), verdicts  # the traffic reaches every verdict


def test_import_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "import", str(make_spec(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# statuslens catalog imported from shop.yaml (OpenAPI 3.0.3).")
    assert "envelope: netflix" in out


def test_check_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "check", str(CAMARA)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        f"catalog: {CAMARA} (OpenAPI 3.0.3)",
        "name: Quality-On-Demand (edition wip)",
        "envelope: status-code-message (the 400 response of POST /sessions has code and message beside status)",
        "base paths (optional in request paths): quality-on-demand/vwip",
    ]
    assert "resources: 4" in out and "rows: 57" in out and "    20  POST /sessions" in out
    assert out[-1] == "warnings: 0"


def test_check_warns_about_default_missing_enums_and_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_files(
        tmp_path,
        {
            "s.yaml": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
            "  /a:\n    get:\n      responses:\n        default: {description: d}\n"
            "  /b:\n    get:\n      responses:\n        '500': {description: e}\n"
            "components:\n  securitySchemes:\n    k: {$ref: 'https://example.com/k.yaml'}\n"
        },
    )
    assert main(["catalog", "check", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "warning: GET /a: documents only `default`, so no code is documented for it" in out
    assert "warning: GET /b 500: no enum or const for the subcode at /status/sub_code or /status/subcode" in out
    assert "warning: $ref 'https://example.com/k.yaml' in s.yaml at '/components/securitySchemes/k'" in out
    catalog = tmp_path / "dup.yaml"
    catalog.write_text(
        "schema: statuslens.catalog/v1\nname: d\nresources: [{template: a}]\nstatuses:\n"
        "  - {code: 404, applies_to: a, messages: [Gone]}\n  - {code: 404, applies_to: a, messages: [Gone]}\n"
    )
    assert main(["catalog", "check", str(catalog)]) == 0
    out = capsys.readouterr().out
    assert "(statuslens catalog)" in out and "warning: duplicate row: 404 for a appears 2 times" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["catalog"], "name an action"),
        (["catalog", "import", "{missing}"], "cannot read catalog"),
        (["catalog", "import", "{catalog}"], "is a statuslens catalog already"),
        (["catalog", "import", "{spec}", "--envelope", "soap"], "invalid choice: 'soap'"),
        (["catalog", "check", "{spec}", "--runner", "x"], "unrecognized argument"),
        (["catalog", "check", "{http}"], "URLs are not followed"),
        (["batch", "--input", "{log}", "--output", "{out}", "--catalog", "{http}"], "--catalog: "),
    ],
)
def test_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    http = write_files(
        tmp_path / "h",
        {"h.yaml": "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
         "      responses: {'404': {$ref: 'http://evil.example/x.yaml#/R'}}\n"},
    )  # fmt: skip
    names = {
        "missing": str(tmp_path / "nope.yaml"),
        "catalog": str(Path(__file__).resolve().parents[2] / "configs" / "catalogs" / "netflix-api.yaml"),
        "spec": str(make_spec(tmp_path / "s")),
        "http": str(http),
        "log": str(traffic(tmp_path / "t.jsonl", 3)),
        "out": str(tmp_path / "out"),
    }
    assert main([arg.format(**names) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and problem in err
