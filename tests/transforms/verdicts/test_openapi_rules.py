"""The importer's rules of DOMAIN.md §9, one small hand-written spec each."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import load_catalog, parse_catalog
from statuslens.transforms.verdicts.documents import load_document
from statuslens.transforms.verdicts.openapi import import_spec
from tests.transforms.verdicts.openapi_helpers import catalog_of, judge, netflix_body, rows, write_files

# An error schema in the netflix envelope, so that bodies are read by today's body parser too.
NETFLIX_STATUS = """
    Status:
      type: object
      properties:
        status:
          type: object
          properties:
            status_code: {type: integer}
            sub_code: {type: integer}
            message: {type: string}
"""


def spec(paths: str, components: str = "", head: str = "openapi: 3.0.3") -> str:
    info = "info: {title: Tiny, version: '1'}"
    return f"{head}\n{info}\npaths:\n{paths}\ncomponents:\n  schemas:\n{NETFLIX_STATUS}{components}"


def test_refs_across_files_resolve_relative_to_the_referring_file(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        {
            "api/spec.yaml": spec(
                "  /things/{thingId}:\n    get:\n      responses:\n"
                "        '200': {description: ok}\n"
                "        '404': {$ref: '../common/errors.yaml#/components/responses/NotFound'}\n"
            ),
            # errors.yaml refers to a third file relative to its own folder, not the spec's.
            "common/errors.yaml": "components:\n  responses:\n    NotFound:\n      description: nf\n"
            "      content:\n        application/json:\n          schema: {$ref: 'schemas/status.yaml#/NotFound'}\n",
            "common/schemas/status.yaml": "NotFound:\n  type: object\n  properties:\n    status:\n"
            "      properties:\n        sub_code: {enum: [1, 2]}\n        message: {enum: [Thing not found]}\n",
        },
    )
    assert rows(catalog) == [
        ("200", None, "GETs to things/{thingId}", ()),
        ("404", 1, "GETs to things/{thingId}", ("Thing not found",)),
        ("404", 2, "GETs to things/{thingId}", ("Thing not found",)),
    ]
    assert judge(catalog, "GET", "/things/abc", 404, netflix_body(404, 2, "Thing not found"))[0] == "documented"
    assert judge(catalog, "GET", "/things/abc", 404, netflix_body(404, 3))[0] == "undocumented_subcode"
    assert judge(catalog, "GET", "/things/abc", 404, netflix_body(404, 1, "Gone"))[0] == "undocumented_message"


def test_allof_chains_through_refs_collect_the_enum(tmp_path: Path) -> None:
    components = (
        "    Base: {allOf: [{$ref: '#/components/schemas/Status'}]}\n"
        "    Middle: {allOf: [{$ref: '#/components/schemas/Base'}, {type: object}]}\n"
        "    Leaf:\n      allOf:\n        - $ref: '#/components/schemas/Middle'\n"
        "        - properties: {status: {properties: {sub_code: {enum: [10, 11]}}}}\n"
    )
    paths = (
        "  /a:\n    post:\n      responses:\n        '400':\n          description: bad\n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/Leaf'}}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths, components)})
    assert [(code, sub) for code, sub, _, _ in rows(catalog)] == [("400", 10), ("400", 11)]


def test_oneof_and_anyof_give_the_union_over_media_types(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    get:\n      responses:\n        '409':\n          description: c\n          content:\n"
        "            application/json:\n              schema:\n                oneOf:\n"
        "                  - properties: {status: {properties: {sub_code: {enum: [1, 2]}}}}\n"
        "                  - properties: {status: {properties: {sub_code: {enum: [2, 3]}}}}\n"
        "            application/xml:\n              schema:\n                anyOf:\n"
        "                  - properties: {status: {properties: {sub_code: {enum: [4]}}}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths)})
    assert [sub for _, sub, _, _ in rows(catalog)] == [1, 2, 3, 4]


def test_enum_and_const_and_3_1_type_arrays(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    get:\n      responses:\n        '422':\n          description: u\n          content:\n"
        "            application/json:\n              schema:\n                properties:\n"
        "                  status:\n                    properties:\n"
        "                      sub_code: {type: [integer, 'null'], enum: [7, null, 7]}\n"
        "                      message: {type: [string, 'null'], const: Bad thing}\n"
        "                    oneOf:\n                      - properties: {sub_code: {const: 8}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths, head="openapi: 3.1.0")})
    assert rows(catalog) == [("422", 7, "GETs to a", ("Bad thing",)), ("422", 8, "GETs to a", ("Bad thing",))]


def test_examples_are_not_normative(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    get:\n      responses:\n        '400':\n          description: b\n          content:\n"
        "            application/json:\n              schema: {$ref: '#/components/schemas/Status'}\n"
        "              example: {status: {sub_code: 99, message: Example only}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths)})
    assert rows(catalog) == [("400", None, "GETs to a", ())]


def test_ranges_document_the_class_and_an_explicit_code_adds_its_own_rows(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    get:\n      responses:\n        '200': {description: ok}\n        4XX: {description: any}\n"
        "        '404':\n          description: nf\n          content:\n            application/json:\n"
        "              schema: {properties: {status: {properties: {sub_code: {enum: [5]}}}}}\n"
        "  /b:\n    get:\n      responses:\n        '404': {description: nf}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths)})
    assert rows(catalog) == [
        ("200", None, "GETs to a", ()),
        ("4XX", None, "GETs to a", ()),
        ("404", 5, "GETs to a", ()),
        ("404", None, "GETs to b", ()),
    ]
    assert len(catalog.rows) == 4  # the range is one row, not a hundred
    assert judge(catalog, "GET", "/a", 418)[0] == "documented"
    assert judge(catalog, "GET", "/b", 418)[0] == "out_of_scope"
    assert judge(catalog, "GET", "/b", 404)[0] == "documented"
    assert judge(catalog, "GET", "/a", 404)[0] == "documented"  # 4XX applies to 404 on /a too
    assert judge(catalog, "GET", "/a", 500)[0] == "undocumented_code"


def test_default_documents_no_code_and_is_warned_about(tmp_path: Path) -> None:
    paths = "  /a:\n    get:\n      responses:\n        default: {description: whatever}\n" + (
        "  /b:\n    get:\n      responses:\n        '200': {description: ok}\n"
    )
    path = write_files(tmp_path, {"spec.yaml": spec(paths)})
    imported = import_spec(path, load_document(path.read_bytes(), str(path)))
    assert imported.found.rows_per_operation == [("GET /a", 0), ("GET /b", 1)]
    assert "GET /a: documents only `default`, so no code is documented for it" in imported.found.warnings
    catalog = load_catalog(path)
    assert judge(catalog, "GET", "/a", 500)[0] == "undocumented_code"


def test_swagger_2_base_path_is_optional_in_request_paths(tmp_path: Path) -> None:
    text = (
        "swagger: '2.0'\ninfo: {title: Pets, version: '1'}\nbasePath: /v2\nproduces: [application/json]\n"
        "paths:\n  /pets/{petId}:\n    get:\n      responses:\n        '200': {description: ok}\n"
        "        '404':\n          description: nf\n          schema: {$ref: '#/definitions/NotFound'}\n"
        "definitions:\n  NotFound:\n    properties:\n      status:\n        properties:\n"
        "          sub_code: {type: integer, enum: [40]}\n"
    )
    catalog = catalog_of(tmp_path, {"swagger.yaml": text})
    assert catalog.base_paths == ("v2",)
    assert rows(catalog) == [("200", None, "GETs to pets/{petId}", ()), ("404", 40, "GETs to pets/{petId}", ())]
    for url in ("/v2/pets/rex", "/pets/rex", "https://api.example/v2/pets/12?x=1"):
        assert judge(catalog, "GET", url, 200) == ("documented", "pets/{petId}")
    assert judge(catalog, "GET", "/v2/owners/7", 200)[1] == "owners/{id}"  # generic, base path left out


def test_servers_with_api_root_give_the_base_path(tmp_path: Path) -> None:
    head = (
        "openapi: 3.0.3\nservers:\n  - url: '{apiRoot}/quality-on-demand/v1'\n    variables: {apiRoot: {default: x}}\n"
        "  - url: https://api.example.com/qod/v1/\n  - url: /relative/v1"
    )
    paths = "  /sessions/{sessionId}:\n    get:\n      responses:\n        '200': {description: ok}\n"
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths, head=head)})
    assert catalog.base_paths == ("quality-on-demand/v1", "qod/v1", "relative/v1")
    for url in ("/quality-on-demand/v1/sessions/s-1", "/qod/v1/sessions/s-1", "/sessions/s-1"):
        assert judge(catalog, "GET", url, 200) == ("documented", "sessions/{sessionId}")


def test_every_variable_matches_any_segment_and_mixed_segments_match(tmp_path: Path) -> None:
    paths = (
        "  /items/{id}:\n    get:\n      responses: {'200': {description: ok}}\n"
        "  /jobs/{jobId}:cancel:\n    post:\n      responses: {'200': {description: ok}}\n"
        "  /jobs/{jobId}:\n    post:\n      responses: {'201': {description: ok}}\n"
        "  /:\n    get:\n      responses: {'200': {description: ok}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths)})
    assert judge(catalog, "GET", "/items/not-a-number", 200) == ("documented", "items/{id}")
    assert judge(catalog, "POST", "/jobs/j-9:cancel", 200) == ("documented", "jobs/{jobId}:cancel")
    assert judge(catalog, "POST", "/jobs/j-9", 201) == ("documented", "jobs/{jobId}")
    assert judge(catalog, "GET", "/", 200) == ("documented", "/")


def test_callbacks_and_webhooks_add_no_rows(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    post:\n      responses: {'201': {description: ok}}\n      callbacks:\n"
        "        done:\n          '{$request.body#/url}':\n            post:\n"
        "              responses: {'204': {description: x}}\n"
    )
    webhooks = "webhooks:\n  ping:\n    post:\n      responses: {'202': {description: x}}"
    text = spec(paths, head=f"openapi: 3.1.0\n{webhooks}")
    catalog = catalog_of(tmp_path, {"spec.yaml": text})
    assert rows(catalog) == [("201", None, "POSTs to a", ())]


def test_a_method_only_on_another_path_is_out_of_scope(tmp_path: Path) -> None:
    paths = (
        "  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
        "    delete:\n      responses: {'204': {description: ok}}\n"
    )
    catalog = catalog_of(tmp_path, {"spec.yaml": spec(paths)})
    assert judge(catalog, "DELETE", "/a", 204)[0] == "documented"
    assert judge(catalog, "GET", "/a", 204)[0] == "out_of_scope"
    assert judge(catalog, "PUT", "/a", 418)[0] == "undocumented_code"


def test_the_catalog_text_is_what_is_parsed(tmp_path: Path) -> None:
    paths = "  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
    path = write_files(tmp_path, {"spec.yaml": spec(paths)})
    imported = import_spec(path, load_document(path.read_bytes(), str(path)))
    assert load_catalog(path) == parse_catalog(imported.text.encode(), str(path))
    assert "# GET /a 200" in imported.text and "envelope: netflix" in imported.text


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        ("openapi: 4.0.0", "'4.0.0' is not a supported version"),
        ("swagger: '1.2'", "'1.2' is not a supported version"),
        ("openapi: [3]", "is not a supported version"),
    ],
)
def test_unsupported_versions_are_one_line(tmp_path: Path, head: str, problem: str) -> None:
    paths = "  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
    with pytest.raises(CatalogError, match=problem) as caught:
        catalog_of(tmp_path, {"spec.yaml": spec(paths, head=head)})
    assert "\n" not in str(caught.value)


def test_a_spec_without_operations_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no operation to make catalog rows of"):
        catalog_of(tmp_path, {"spec.yaml": "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n"})
