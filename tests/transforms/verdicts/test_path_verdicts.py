"""The annotator's shortcut for codes whose scopes read only the method and resource gives the
verdict the full request gives (classify with every request fact), for the Netflix table and a spec."""

from __future__ import annotations

import itertools

import pytest

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog, load_catalog
from statuslens.transforms.verdicts.classify import NEEDS_ALL, NEEDS_NOTHING, NEEDS_PATH, classify, scope_inputs
from tests.transforms.verdicts.openapi_helpers import netflix_body
from tests.transforms.verdicts.test_openapi_real_specs import CAMARA, DOCKER

NETFLIX_URLS = [
    "/users/T1pYkT0x/queues/instant?feed_token=f",
    "/users/T1pYkT0x/queues/instant",
    "/catalog/titles?term=x",
    "/catalog/people/12",
    "/oauth/login",
    "/users/T1pYkT0x/feeds?feed_token=abc",
    "/nowhere/else",
]


def test_scope_inputs_of_the_netflix_table() -> None:
    catalog = load_catalog()
    assert scope_inputs(catalog, 200, None) == NEEDS_NOTHING
    assert scope_inputs(catalog, 403, None) == NEEDS_ALL  # documented for feeds only: reads the query
    assert scope_inputs(catalog, 412, 710) == NEEDS_PATH  # users/{user_token}/queues/instant


def test_scope_inputs_of_a_spec_are_the_path() -> None:
    catalog = load_catalog(CAMARA)
    assert scope_inputs(catalog, 200, None) == NEEDS_PATH
    assert scope_inputs(catalog, 404, "NOT_FOUND") == NEEDS_PATH
    assert scope_inputs(catalog, 418, None) == NEEDS_NOTHING  # rule 1 decides


@pytest.mark.parametrize("spec", [None, CAMARA, DOCKER])
def test_judge_agrees_with_classify_on_the_full_request(spec: object) -> None:
    catalog: Catalog = load_catalog(spec)  # type: ignore[arg-type]
    annotator = Annotator(catalog)
    urls = [
        *NETFLIX_URLS,
        "/quality-on-demand/vwip/sessions/s1",
        "/sessions/s1/extend",
        "/v1.56/containers/abc/json",
        "/containers/abc/json?all=1",
    ]
    codes = [*sorted({row.code for row in catalog.rows})[:12], 418]
    bodies = [
        None,
        netflix_body(400, 120),
        netflix_body(412, 710, "Title already in queue"),
        "<h1>Developer Over Qps</h1>",
    ]
    checked = 0
    for method, url, code, body in itertools.product(("GET", "POST", "DELETE"), urls, codes, bodies):
        raw = RawRecord(0, method, url, code, body)
        for _ in range(2):  # the second time through the memos
            judged = annotator.judge(raw)
            request, _ = annotator.request_facts(raw)
            full = classify(catalog, judged.code, judged.body.sub_code, judged.body.message, request)
            assert judged.verdict == full, (method, url, code, body)
            checked += 1
    assert checked > 500
