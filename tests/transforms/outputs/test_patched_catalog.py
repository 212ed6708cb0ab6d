"""`proposed-catalog.yaml`: the user's YAML catalog plus the proposed rows, as text (DOMAIN.md §9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from statuslens.pipelines.cli import main
from statuslens.transforms.outputs.patched_catalog import patch_catalog
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.verdicts.catalog import default_catalog_path, load_catalog, parse_catalog

SAMPLE = Path(__file__).resolve().parents[3] / "sample" / "api-access.log"
SMALL = """# my API's table
schema: statuslens.catalog/v1
name: small
resources:
  - {template: items}        # the list
  - {template: "items/{id}"}
statuses:
  - code: 200
    applies_to: items or items/{id}
    messages: []
# trailing remark
"""


def row(code: int, applies_to: str, message: str = "", subcode: int | str | None = None) -> ProposedRow:
    return ProposedRow(code, subcode, applies_to, message, 3, ("undocumented_code",))


def without_added(text: str) -> str:
    """`text` minus the lines statuslens adds (each a one-line flow item or the scopes block)."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(('- {"', '"All resources"'))]
    return "\n".join(kept) + "\n"


def test_rows_and_what_they_need_are_appended_keeping_every_line_of_the_catalog() -> None:
    catalog = parse_catalog(SMALL.encode(), "small.yaml")
    rows = [row(404, "GETs to items/{id}", "No such item"), row(409, "POSTs to orders/{id}"), row(429, "All resources")]
    text = patch_catalog(SMALL, catalog, rows)
    assert text is not None
    # Every line of the user's file stays, in order (comments too); the scope block comes last.
    assert without_added(text) == SMALL + "\n# Added by statuslens for the proposed rows.\nscopes:\n"
    assert '  - {template: "items/{id}"}\n  - {"template": "orders/{id}"}\nstatuses:' in text
    assert text.endswith('scopes:\n  "All resources": {"match": "always"}\n')
    patched = parse_catalog(text.encode(), "proposed-catalog.yaml")
    added = [(r.code, r.applies_to, [m.text for m in r.messages]) for r in patched.rows[1:]]
    assert added == [(404, "GETs to items/{id}", ["No such item"]), (409, "POSTs to orders/{id}", []),
                     (429, "All resources", [])]  # fmt: skip
    assert patched.rows[1].note == "proposed by statuslens: 3 records, undocumented_code"


def test_the_netflix_catalog_keeps_its_text_and_gains_only_the_rows() -> None:
    original = default_catalog_path().read_text()
    catalog = load_catalog()
    text = patch_catalog(original, catalog, [row(412, "POSTs to users/{user_token}/queues/instant", "x", 710)])
    assert text is not None and text == original.rstrip("\n") + (
        '\n  - {"code": 412, "subcode": 710, "applies_to": "POSTs to users/{user_token}/queues/instant", '
        '"messages": ["x"], "note": "proposed by statuslens: 3 records, undocumented_code"}\n'
    )


def test_a_layout_that_cannot_be_appended_to_is_written_again_from_its_data() -> None:
    flow = "schema: statuslens.catalog/v1\nname: f\nresources: [{template: a}]\n"
    flow += "statuses: [{code: 200, applies_to: a, messages: []}]\n"
    text = patch_catalog(flow, parse_catalog(flow.encode(), "f.yaml"), [row(404, "a", "gone")])
    assert text is not None and text.startswith("# Written again from its data by statuslens")
    assert yaml.safe_load(text)["statuses"][1]["messages"] == ["gone"]
    assert [r.code for r in parse_catalog(text.encode(), "p.yaml").rows] == [200, 404]


def test_no_proposed_row_no_patched_catalog() -> None:
    assert patch_catalog(SMALL, parse_catalog(SMALL.encode(), "s.yaml"), []) is None


def test_rerun_with_the_patched_catalog_documents_every_proposed_group(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["batch", "--input", str(SAMPLE), "--output", str(first)]) == 0
    groups = [json.loads(line) for line in (first / "anomalies.jsonl").read_text().splitlines()]
    assert len(groups) > 5
    patched = first / "proposed-catalog.yaml"
    assert not (first / "proposed-overlay.yaml").exists()
    assert main(["batch", "--input", str(SAMPLE), "--output", str(second), "--catalog", str(patched)]) == 0
    assert (second / "anomalies.jsonl").read_text() == ""  # every group proposed, every group documented
    summary = json.loads((second / "summary.json").read_text())
    assert summary["verdicts"]["documented"] == summary["records_annotated"]
    assert not (second / "proposed-catalog.yaml").exists()  # nothing left to propose


def test_overwrite_removes_a_previous_patched_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean.log"
    assert main(["batch", "--input", str(SAMPLE), "--output", str(out)]) == 0
    assert (out / "proposed-catalog.yaml").exists()
    clean.write_text('{"time": "2026-01-01T00:00:00Z", "method": "GET", "url": "/catalog/titles", "status": 200}\n')
    assert main(["batch", "--input", str(clean), "--output", str(out), "--overwrite"]) == 0
    assert not (out / "proposed-catalog.yaml").exists()


@pytest.mark.parametrize(
    "message", ["Amélie not found", "emoji 😀 here", 'quote " and \\ backslash', "line\u2028sep", "del\x7f"]
)
def test_any_message_survives_the_patch_exactly(message: str) -> None:
    text = patch_catalog(SMALL, parse_catalog(SMALL.encode(), "s.yaml"), [row(404, "items", message)])
    assert text is not None
    patched = parse_catalog(text.encode(), "p.yaml")
    assert patched.rows[-1].messages[0].text == message
