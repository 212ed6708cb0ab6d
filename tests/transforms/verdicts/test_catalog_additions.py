"""The catalog schema's additions for OpenAPI catalogs, written by hand: code classes, base paths,
`variables: any` (configs/catalogs/SCHEMA.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.transforms.verdicts.openapi_helpers import judge, netflix_body

HEAD = "schema: statuslens.catalog/v1\nname: t\n"
RESOURCES = "resources: [{template: 'items/{id}'}, {template: 'items/{id}/parts'}]\n"


def catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + text)
    return path


def test_a_class_row_documents_the_codes_it_has_no_row_for(tmp_path: Path) -> None:
    cat = load_catalog(
        catalog(
            tmp_path,
            RESOURCES + "statuses:\n"
            "  - {code: 5xx, applies_to: 'items/{id}', messages: []}\n"
            "  - {code: 503, subcode: 1, applies_to: 'items/{id}/parts', messages: [Busy]}\n"
            "  - {code: 5XX, subcode: 2, applies_to: 'items/{id}', messages: []}\n",
        )
    )
    assert [r.code_label for r in cat.rows] == ["5XX", "503", "5XX"]
    assert cat.code_labels == ("503", "5XX")
    assert judge(cat, "GET", "/items/7", 500)[0] == "documented"
    assert judge(cat, "GET", "/items/7/parts", 500)[0] == "out_of_scope"
    assert judge(cat, "GET", "/items/7", 503)[0] == "documented"  # the class row stands beside 503's own
    assert judge(cat, "GET", "/items/7", 503, netflix_body(503, 2))[0] == "documented"
    assert judge(cat, "GET", "/items/7", 502, netflix_body(502, 2))[0] == "documented"
    assert judge(cat, "GET", "/items/7", 502, netflix_body(502, 1))[0] == "undocumented_subcode"
    assert judge(cat, "GET", "/items/7/parts", 503, netflix_body(503, 1, "Busy"))[0] == "documented"
    assert judge(cat, "GET", "/items/7", 404)[0] == "undocumented_code"


def test_base_paths_and_variables(tmp_path: Path) -> None:
    text = (
        RESOURCES
        + "base_paths: ['/api/{version}/', shop]\nstatuses:\n  - {code: 200, applies_to: 'items/{id}', messages: []}\n"
    )
    digits = load_catalog(catalog(tmp_path, text))
    assert digits.base_paths == ("api/{version}", "shop") and not digits.any_variable
    assert judge(digits, "GET", "/api/v3/items/12", 200) == ("documented", "items/{id}")
    assert judge(digits, "GET", "/shop/items/12", 200) == ("documented", "items/{id}")
    assert judge(digits, "GET", "/items/abc", 200)[1] == "items/abc"  # {id} is digits only by default
    anything = load_catalog(catalog(tmp_path, "variables: any\n" + text))
    assert judge(anything, "GET", "/api/v3/items/abc", 200) == ("documented", "items/{id}")


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("variables: some\n", "variables", "must be one of id-digits, any"),
        ("base_paths: api\n", "base_paths", "must be a list"),
        ("base_paths: ['a b']\n", "base_paths[0]", "bad path segment"),
        ("statuses: [{code: 6XX, applies_to: 'items/{id}', messages: []}]\n", "statuses[0].code", "positive whole"),
        ("statuses: [{code: 4X, applies_to: 'items/{id}', messages: []}]\n", "statuses[0].code", "positive whole"),
    ],
)
def test_bad_additions_name_the_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    body = text if "statuses" in text else text + "statuses: [{code: 200, applies_to: 'items/{id}', messages: []}]\n"
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog(tmp_path, RESOURCES + body))
    assert key in str(caught.value) and problem in str(caught.value)
