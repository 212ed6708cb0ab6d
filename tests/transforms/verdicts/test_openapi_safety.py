"""Hostile and broken specs end in one clear line: no network, nothing of a non-spec file shown."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.documents import load_document
from statuslens.transforms.verdicts.openapi import import_spec
from tests.transforms.verdicts.openapi_helpers import write_files

SECRET = "hunter2-very-secret-line"


def one_response(target: str) -> str:
    return (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        f"        '200': {{description: ok}}\n        '404': {{$ref: '{target}'}}\n"
    )


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the importer opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def fails(tmp_path: Path, files: dict[str, str]) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write_files(tmp_path, files))
    message = str(caught.value)
    assert "\n" not in message and len(message) < 600
    return message


def test_an_http_ref_is_refused_without_a_request(tmp_path: Path) -> None:
    message = fails(tmp_path, {"spec.yaml": one_response("http://example.com/errors.yaml#/NotFound")})
    assert "'http://example.com/errors.yaml#/NotFound'" in message
    assert "URLs are not followed" in message


def test_a_file_url_is_refused_too(tmp_path: Path) -> None:
    assert "URLs are not followed" in fails(tmp_path, {"spec.yaml": one_response("file:///etc/passwd")})


def test_a_ref_to_etc_passwd_reads_nothing_and_shows_nothing(tmp_path: Path) -> None:
    message = fails(tmp_path, {"spec.yaml": one_response("/etc/passwd#/x")})
    assert "not .yaml, .yml or .json" in message
    assert "root:" not in message


def test_a_yaml_named_file_that_is_not_yaml_is_not_quoted(tmp_path: Path) -> None:
    files = {"spec.yaml": one_response("notes.yaml#/x"), "notes.yaml": f"{SECRET}: [unclosed\n\t{SECRET}\n"}
    message = fails(tmp_path, files)
    assert "notes.yaml: not valid YAML or JSON at line" in message
    assert SECRET not in message and "unclosed" not in message


def test_a_ref_to_plain_text_with_a_json_name_is_not_quoted(tmp_path: Path) -> None:
    message = fails(tmp_path, {"spec.yaml": one_response("key.json#/x"), "key.json": f"{{{SECRET}"})
    assert SECRET not in message


def test_a_string_document_behind_a_ref_never_reaches_the_catalog(tmp_path: Path) -> None:
    path = write_files(tmp_path, {"spec.yaml": one_response("secret.yaml"), "secret.yaml": SECRET + "\n"})
    imported = import_spec(path, load_document(path.read_bytes(), str(path)))
    assert SECRET not in imported.text
    assert SECRET not in " ".join(imported.found.warnings)


def test_a_ref_cycle_is_one_line(tmp_path: Path) -> None:
    files = {
        "spec.yaml": one_response("a.yaml#/R"),
        "a.yaml": "R: {$ref: 'b.yaml#/R'}\n",
        "b.yaml": "R: {$ref: 'a.yaml#/R'}\n",
    }
    assert "the refs form a cycle" in fails(tmp_path, files)


def test_a_self_ref_is_a_cycle(tmp_path: Path) -> None:
    assert "cycle" in fails(tmp_path, {"spec.yaml": one_response("#/paths/~1a/get/responses/404")})


def test_a_schema_cycle_through_allof_is_one_line(tmp_path: Path) -> None:
    text = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '400':\n          description: b\n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}\n"
        "components:\n  schemas:\n    A: {allOf: [{$ref: '#/components/schemas/B'}]}\n"
        "    B: {allOf: [{$ref: '#/components/schemas/A'}]}\n"
    )
    assert "form a cycle" in fails(tmp_path, {"spec.yaml": text})


def test_a_recursive_schema_is_fine(tmp_path: Path) -> None:
    text = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '400':\n          description: b\n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}\n"
        "components:\n  schemas:\n    Node:\n      properties:\n        status: {$ref: '#/components/schemas/Node'}\n"
        "        sub_code: {enum: [3]}\n"
    )
    catalog = load_catalog(write_files(tmp_path, {"spec.yaml": text}))
    assert [row.subcode for row in catalog.rows] == [3]  # /status/sub_code through the recursion


def test_missing_file_and_missing_target_name_the_ref(tmp_path: Path) -> None:
    assert "file gone.yaml not found" in fails(tmp_path / "1", {"spec.yaml": one_response("gone.yaml#/x")})
    message = fails(tmp_path / "2", {"spec.yaml": one_response("c.yaml#/nope"), "c.yaml": "yes: {}\n"})
    assert "'/nope' is not in c.yaml" in message
    assert "in spec.yaml at '/paths/~1a/get/responses/404'" in message


def test_a_directory_or_fifo_behind_a_ref_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    assert "not a regular file" in fails(tmp_path, {"spec.yaml": one_response("dir.yaml#/x")})
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "spec.yaml").write_text(one_response("pipe.yaml#/x"))
    with pytest.raises(CatalogError, match="not a regular file"):
        load_catalog(tmp_path / "spec.yaml")


def test_unresolved_refs_outside_the_responses_are_warnings(tmp_path: Path) -> None:
    text = one_response("#/components/responses/NF") + (
        "components:\n  responses:\n    NF: {description: nf}\n"
        "  securitySchemes:\n    auth: {$ref: 'http://example.com/auth.yaml'}\n"
        "  schemas:\n    Body: {$ref: 'absent.yaml#/Body'}\n"
    )
    path = write_files(tmp_path, {"spec.yaml": text})
    imported = import_spec(path, load_document(path.read_bytes(), str(path)))
    warnings = imported.found.warnings
    assert any("'http://example.com/auth.yaml'" in w and "URLs are not followed" in w for w in warnings)
    assert any("'absent.yaml#/Body'" in w and "not found" in w for w in warnings)
    assert len(load_catalog(path).rows) == 2


def test_an_alias_bomb_spec_is_refused(tmp_path: Path) -> None:
    from tests.transforms.verdicts.test_documents import alias_bomb

    text = one_response("#/x") + alias_bomb()
    assert "aliases expand" in fails(tmp_path, {"spec.yaml": text})


def test_an_alias_bomb_behind_a_ref_is_refused(tmp_path: Path) -> None:
    from tests.transforms.verdicts.test_documents import alias_bomb

    message = fails(tmp_path, {"spec.yaml": one_response("bomb.yaml#/a9"), "bomb.yaml": alias_bomb()})
    assert "aliases expand" in message


def test_a_100_mb_spec_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(CatalogError, match="the limit is"):
        load_catalog(big)


def test_a_100_mb_file_behind_a_ref_is_refused(tmp_path: Path) -> None:
    path = write_files(tmp_path, {"spec.yaml": one_response("big.yaml#/x")})
    with (tmp_path / "big.yaml").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(CatalogError, match="the limit is"):
        load_catalog(path)
