"""Three real public specs of different styles (tests/data/openapi/SOURCES.md) imported as catalogs."""

from __future__ import annotations

import time
from pathlib import Path

from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.catalog_check import check_catalog
from tests.transforms.verdicts.openapi_helpers import judge, rows

DATA = Path(__file__).resolve().parents[2] / "data" / "openapi"
CAMARA = DATA / "camara" / "code" / "API_definitions" / "quality-on-demand.yaml"
DOCKER = DATA / "docker" / "swagger.yaml"
MAPS = DATA / "google-maps" / "google-maps-platform-openapi3.json"


def test_camara_quality_on_demand() -> None:
    check = check_catalog(CAMARA)
    catalog = check.catalog
    assert (check.kind, catalog.name, catalog.envelope.name) == (
        "OpenAPI 3.0.3",
        "Quality-On-Demand",
        "status-code-message",
    )
    assert catalog.base_paths == ("quality-on-demand/vwip",)
    assert [r.template for r in catalog.resources] == [
        "sessions",
        "sessions/{sessionId}",
        "sessions/{sessionId}/extend",
        "retrieve-sessions",
    ]
    assert check.rows_per_scope == [
        ("POST /sessions", 20),
        ("GET /sessions/{sessionId}", 7),
        ("DELETE /sessions/{sessionId}", 7),
        ("POST /sessions/{sessionId}/extend", 10),
        ("POST /retrieve-sessions", 13),
    ]
    assert check.warnings == []  # every error response names its code enum, every ref resolves
    table = rows(catalog)
    # Generic404 lives in ../common/CAMARA_common.yaml: allOf [ErrorInfo, {code: {enum: [...]}}].
    assert ("404", "IDENTIFIER_NOT_FOUND", "POSTs to sessions", ()) in table
    assert ("429", "QUOTA_EXCEEDED", "GETs to sessions/{sessionId}", ()) in table
    assert ("204", None, "DELETEs to sessions/{sessionId}", ()) in table
    url = "https://api.example.com/quality-on-demand/vwip/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert judge(catalog, "GET", url, 200) == ("documented", "sessions/{sessionId}")
    assert judge(catalog, "GET", "/sessions/3fa85f64/extend", 200) == ("out_of_scope", "sessions/{sessionId}/extend")


def test_docker_engine_swagger_2() -> None:
    check = check_catalog(DOCKER)
    catalog = check.catalog
    assert (check.kind, catalog.envelope.name, catalog.base_paths) == ("Swagger 2.0", "netflix", ("v1.56",))
    assert len(catalog.resources) == 98 and len(check.rows_per_scope) == 108 and len(catalog.rows) == 365
    assert [(c, s) for c, s, a, _ in rows(catalog) if a == "GETs to containers/{id}/json"] == [
        ("200", None),
        ("404", None),
        ("500", None),
    ]
    # Error bodies carry only `message`: no schema names a subcode, and check says so per response.
    assert "GET /containers/{id}/json 404: no enum or const for the subcode at /status/sub_code or /status/subcode" in (
        check.warnings
    )
    assert judge(catalog, "GET", "/v1.56/containers/4fa6e0f0c678/json", 404) == ("documented", "containers/{id}/json")
    assert judge(catalog, "DELETE", "/containers/4fa6e0f0c678/json", 404)[0] == "out_of_scope"


def test_google_maps_platform_json() -> None:
    started = time.perf_counter()
    check = check_catalog(MAPS)
    assert time.perf_counter() - started < 10  # 2.7 MB of JSON
    catalog = check.catalog
    assert (check.kind, catalog.envelope.name, catalog.base_paths) == ("OpenAPI 3.0.3", "google", ())
    assert "POST /geolocation/v1/geolocate has error.code, error.status and error.message" in check.envelope_reason
    assert len(catalog.resources) == 17 and len(catalog.rows) == 20
    assert judge(catalog, "POST", "https://www.googleapis.com/geolocation/v1/geolocate?key=K", 404)[0] == "documented"
    assert judge(catalog, "GET", "/maps/api/geocode/json?address=x", 404)[0] == "out_of_scope"


def test_the_three_load_through_catalog_too() -> None:
    for spec in (CAMARA, DOCKER, MAPS):
        assert load_catalog(spec) == check_catalog(spec).catalog
