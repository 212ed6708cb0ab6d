"""`proposed-overlay.yaml` on the real CAMARA spec: its targets, and the round trip overlay -> applied
spec -> re-import -> the same generated traffic is documented, with exactly the values seen added.

The traffic and its verdicts come from the openapi oracle test's generator (test_openapi_oracle.py);
bodies are not parsed here, so the test holds whatever body envelopes the pipeline reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from statuslens.transforms.model.groups import AnomalyGroup, GroupKey
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.outputs.overlay import build_overlay, render_overlay
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog, load_catalog
from statuslens.transforms.verdicts.classify import classify
from statuslens.transforms.verdicts.openapi.overlay_targets import OverlayPlan
from tests.transforms.outputs.overlay_apply import apply_overlay, oas_patch_apply, overlay_schema_errors
from tests.transforms.verdicts.test_openapi_oracle import Spec, traffic
from tests.transforms.verdicts.test_openapi_real_specs import CAMARA

Traffic = list[tuple[str, str, str, int, Any]]
QOD_400 = "$['components']['responses']['CreateSessionBadRequest400']['content']['application/json']['schema']"


def plan_of(catalog: Catalog) -> OverlayPlan:
    assert isinstance(catalog.proposal_source, OverlayPlan)
    return catalog.proposal_source


def groups_of(catalog: Catalog, records: Traffic) -> list[AnomalyGroup]:
    """The non-documented groups of the traffic, as the pipeline would key them."""
    annotator = Annotator(catalog)
    counts: dict[GroupKey, int] = {}
    for method, _, url, code, sub in records:
        request, _ = annotator.request_facts(RawRecord(0, method, url, code))
        verdict = classify(catalog, code, sub, None, request).verdict
        if verdict != "documented":
            key = GroupKey(verdict, code, sub, "", method, request.resource)
            counts[key] = counts.get(key, 0) + 1
    return [AnomalyGroup(k, None, n, None, None, 0, (), None) for k, n in sorted(counts.items(), key=str)]


def rows_of(catalog: Catalog) -> set[tuple[str, str, Any]]:
    return {(r.applies_to, r.code_label, r.subcode) for r in catalog.rows}


def test_the_plan_knows_where_each_operation_keeps_its_responses_and_enums() -> None:
    plan = plan_of(load_catalog(CAMARA))
    post = plan.operation("POST", "sessions")
    assert post is not None
    assert post.responses_path == "$['paths']['/sessions']['post']['responses']"
    # 400 is a component of this file: its `code` enum is the allOf branch beside ErrorInfo.
    assert post.responses["400"].subcode_enums == (QOD_400 + "['allOf'][1]['properties']['code']['enum']",)
    # 401 is CAMARA_common.yaml's Generic401: not in the document an overlay edits.
    assert post.responses["401"].subcode_enums == ()
    generic = "../common/CAMARA_common.yaml#/components/responses/Generic401/content/application~1json/schema"
    assert post.responses["401"].schemas == (("application/json", {"$ref": generic}),)
    # PermissionDenied403 is shared by every operation that lists 403.
    shared = plan.shared[post.responses["403"].subcode_enums[0]]
    assert "POST /sessions" in shared and "GET /sessions/{sessionId}" in shared and len(shared) > 2


def test_applying_the_overlay_documents_the_traffic_and_adds_exactly_what_was_seen(tmp_path: Path) -> None:
    copy = tmp_path / "camara"
    shutil.copytree(CAMARA.parents[1], copy)
    spec = copy / "API_definitions" / CAMARA.name
    catalog = load_catalog(spec)
    records = traffic(Spec(CAMARA).rows(), 3000)
    groups = groups_of(catalog, records)
    assert {g.key.verdict for g in groups} == {"undocumented_code", "undocumented_subcode", "out_of_scope"}

    overlay = build_overlay(groups, plan_of(catalog), catalog.envelope)
    assert overlay is not None
    text = render_overlay(overlay)
    assert yaml.safe_load(text) == overlay and overlay["extends"] == CAMARA.name
    kinds = {("remove" if a.get("remove") else type(a["update"]).__name__) for a in overlay["actions"]}
    assert kinds == {"dict", "str", "remove"}  # new responses, enum values appended, wrapped responses
    unplaced = {(u["method"], u["resource"]) for u in overlay.get("x-statuslens-unplaced", [])}
    assert unplaced and all(catalog.resources for _ in unplaced)  # e.g. PATCH /sessions: no such operation
    patched = copy / "API_definitions" / "patched.yaml"
    assert overlay_schema_errors(overlay) == []
    applied = apply_overlay(yaml.safe_load(spec.read_text()), overlay)
    assert oas_patch_apply(yaml.safe_load(spec.read_text()), overlay) == applied  # a real Overlay tool agrees
    patched.write_text(yaml.safe_dump(applied, sort_keys=False))

    after = load_catalog(patched)
    left = groups_of(after, records)
    assert {(g.key.method, g.key.resource) for g in left} == unplaced  # all the others are documented now
    placed = [g.key for g in groups if (g.key.method, g.key.resource) not in unplaced]
    seen = {(f"{k.method}s to {k.resource}", str(k.status_code), k.sub_code) for k in placed}
    added = rows_of(after) - rows_of(catalog)
    # A row is lost only where a response had no subcode enum and a subcode was seen: its enum now
    # lists the values seen, which classifies every record as before (§5 rule 3: with no row lacking
    # a subcode, a record without one is judged against all the code's rows).
    lost = rows_of(catalog) - rows_of(after)
    assert {(a, c) for a, c, s in lost} <= {(a, c) for a, c, s in seen} and all(s is None for _, _, s in lost)
    before, now = Annotator(catalog), Annotator(after)
    for method, _, url, code, sub in records:  # nothing documented before is undocumented now
        request, _ = before.request_facts(RawRecord(0, method, url, code))
        if classify(catalog, code, sub, None, request).verdict == "documented":
            request, _ = now.request_facts(RawRecord(0, method, url, code))
            assert classify(after, code, sub, None, request).verdict == "documented"
    # Exactly the (code, subcode) pairs seen were added, each on the operation where it was seen...
    assert {(code, sub) for _, code, sub in added} == {(code, sub) for _, code, sub in seen}
    for applies_to, code, sub in seen:
        assert (applies_to, code, sub) in rows_of(after)
    # ...and elsewhere only through an enum the operations share (a component), as the descriptions say.
    plan = plan_of(catalog)
    assert added - seen  # the traffic does reach shared enums (CAMARA's PermissionDenied403, NotFound404)
    for row in added - seen:
        applies_to, code, sub = row
        method, resource = applies_to.split("s to ", 1)
        op = plan.operation(method, resource)
        assert op is not None and code in op.responses
        paths = op.responses[code].subcode_enums
        assert any(
            f"{m}s to {r}" in {s[0] for s in seen if s[1:] == (code, sub)}
            for path in paths
            for label in plan.shared.get(path, ())
            for m, r in [(label.split(" ", 1)[0], label.split(" ", 1)[1].strip("/"))]
        ), row
        assert any(a["target"] in paths and a["update"] == sub and "shared by" in a["description"]
                   for a in overlay["actions"] if not a.get("remove"))  # fmt: skip


def test_no_anomaly_no_overlay() -> None:
    catalog = load_catalog(CAMARA)
    assert build_overlay([], plan_of(catalog), catalog.envelope) is None
