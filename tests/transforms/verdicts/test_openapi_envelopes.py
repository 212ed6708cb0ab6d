"""The importer picks the envelope the error schemas declare, in the §9 order, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuslens.transforms.verdicts.documents import load_document
from statuslens.transforms.verdicts.openapi import ImportedSpec, import_spec
from tests.transforms.verdicts.openapi_helpers import rows, write_files

SCHEMAS = {
    "problem": "{properties: {type: {enum: ['https://e.x/out-of-credit']}, title: {enum: [Out of credit]}, "
    "status: {type: integer}}}",
    "google": "{properties: {error: {properties: {code: {type: integer}, status: {enum: [NOT_FOUND]}, "
    "message: {type: string}}}}}",
    "graph": "{properties: {error: {properties: {code: {enum: [190]}, error_subcode: {type: integer}, "
    "message: {type: string}}}}}",
    "scm": "{properties: {status: {type: integer}, code: {enum: [INVALID_ARGUMENT]}, message: {type: string}}}",
    "plain": "{properties: {detail: {type: string}}}",
}


def spec_with(*schemas: str, media: str = "application/json", key: str = "404") -> str:
    responses = "".join(
        f"        '{int(key) + i}':\n          description: e\n          content:\n"
        f"            {media}:\n              schema: {SCHEMAS[name]}\n"
        for i, name in enumerate(schemas)
    )
    return (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        f"        '200': {{description: ok}}\n{responses}"
    )


def imported(tmp_path: Path, text: str, envelope: str | None = None) -> ImportedSpec:
    path = write_files(tmp_path, {"spec.yaml": text})
    return import_spec(path, load_document(path.read_bytes(), str(path)), envelope)


@pytest.mark.parametrize(
    ("schema", "preset", "why", "subcode"),
    [
        ("problem", "problem+json", "has type and title", "https://e.x/out-of-credit"),
        ("google", "google", "has error.code, error.status and error.message", "NOT_FOUND"),
        ("graph", "graph", "has error.error_subcode", 190),
        ("scm", "status-code-message", "has code and message beside status", "INVALID_ARGUMENT"),
        ("plain", "netflix", "no error schema declares another preset's fields", None),
    ],
)
def test_each_preset_is_found_and_its_subcode_enum_read(
    tmp_path: Path, schema: str, preset: str, why: str, subcode: object
) -> None:
    found = imported(tmp_path, spec_with(schema)).found
    assert found.envelope == preset
    assert why in found.envelope_reason
    assert ("GET /a" in found.envelope_reason) == (preset != "netflix")  # the response that shows it
    assert [row.subcode for row in found.rows if row.code == 404] == [subcode]


def test_problem_json_media_type_alone_is_enough(tmp_path: Path) -> None:
    found = imported(tmp_path, spec_with("plain", media="application/problem+json")).found
    assert (found.envelope, found.envelope_reason) == (
        "problem+json",
        "the 404 response of GET /a is application/problem+json",
    )


def test_the_order_decides_between_presets(tmp_path: Path) -> None:
    assert imported(tmp_path / "1", spec_with("scm", "google", "problem")).found.envelope == "problem+json"
    assert imported(tmp_path / "2", spec_with("scm", "graph", "google")).found.envelope == "google"
    assert imported(tmp_path / "3", spec_with("scm", "graph")).found.envelope == "graph"


def test_only_error_responses_declare_the_envelope(tmp_path: Path) -> None:
    found = imported(tmp_path, spec_with("google", key="201")).found  # a 201 representation with error.*
    assert found.envelope == "netflix"


def test_default_names_the_envelope(tmp_path: Path) -> None:
    text = spec_with("plain").replace("'404'", "default")
    found = imported(tmp_path, text.replace(SCHEMAS["plain"], SCHEMAS["google"])).found
    assert found.envelope == "google" and "default response" in found.envelope_reason
    assert [row.code for row in found.rows] == [200]  # default documents no code


def test_envelope_override_and_the_rows_follow_it(tmp_path: Path) -> None:
    result = imported(tmp_path, spec_with("google"), envelope="status-code-message")
    assert result.found.envelope == "status-code-message" and result.found.envelope_reason == "chosen with --envelope"
    assert "envelope: status-code-message" in result.text
    # /code is not in the google schema's top level: no subcode row any more.
    assert [row.subcode for row in result.found.rows] == [None, None]


def test_message_enums_become_messages(tmp_path: Path) -> None:
    from statuslens.transforms.verdicts.catalog import load_catalog

    path = write_files(tmp_path, {"spec.yaml": spec_with("problem")})
    assert rows(load_catalog(path))[1] == ("404", "https://e.x/out-of-credit", "GETs to a", ("Out of credit",))
