"""The bounded YAML/JSON loader that catalogs and specs share (verdicts/documents.py)."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.documents import MAX_DOCUMENT_BYTES, load_document, read_capped


def alias_bomb(levels: int = 9) -> str:
    """The billion-laughs shape: each level a list of nine aliases of the level before (9**9 leaves)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_plain_document_loads() -> None:
    assert load_document(b"a: [1, 2]\nb: {c: d}\n", "x.yaml") == {"a": [1, 2], "b": {"c": "d"}}


def test_json_loads_through_the_fast_path() -> None:
    assert load_document(b'{"a": [1, 2.5, null]}', "x.json") == {"a": [1, 2.5, None]}


def test_a_few_honest_aliases_are_fine() -> None:
    doc = load_document(b"base: &b {x: 1}\none: *b\ntwo: *b\n", "x.yaml")
    assert doc["one"] == doc["two"] == {"x": 1}


def test_an_alias_bomb_is_refused_quickly_with_a_short_line() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(CatalogError) as caught:
        load_document(alias_bomb().encode(), "bomb.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "aliases expand to more than" in str(caught.value)
    assert len(str(caught.value)) < 200
    assert elapsed < 5 and peak < 50 * 1024 * 1024


def test_an_alias_bomb_catalog_is_one_short_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("schema: statuslens.catalog/v1\nname: x\n" + alias_bomb() + "resources: *a9\nstatuses: []\n")
    with pytest.raises(CatalogError, match="aliases expand") as caught:
        load_catalog(path)
    assert len(str(caught.value)) < 300


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(CatalogError, match="refers to the node that contains it"):
        load_document(b"a: &a [1, *a]\n", "loop.yaml")


def test_deep_nesting_is_one_line() -> None:
    with pytest.raises(CatalogError, match=r"nested too deeply|not valid"):
        load_document(b"[" * 200_000, "deep.yaml")


def test_a_yaml_error_says_where_and_without_detail_says_nothing_of_the_text() -> None:
    raw = b"ok: 1\nsecret-token-abc: [unclosed\n"
    with pytest.raises(CatalogError) as caught:
        load_document(raw, "x.yaml", detail=False)
    message = str(caught.value)
    assert message.startswith("x.yaml: not valid YAML or JSON at line")
    assert "secret" not in message and "unclosed" not in message


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    started = time.perf_counter()
    with pytest.raises(CatalogError, match=f"the limit is {MAX_DOCUMENT_BYTES}"):
        read_capped(big, "catalog")
    assert time.perf_counter() - started < 1


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CatalogError, match="not a regular file"):
        read_capped(fifo, "catalog")


def test_yaml_over_its_limit_is_refused_and_the_same_data_as_json_loads() -> None:
    from statuslens.transforms.verdicts.documents import MAX_YAML_BYTES

    items = [f"item number {i}" for i in range(MAX_YAML_BYTES // 16)]
    as_yaml = ("a:\n" + "".join(f"- {item}\n" for item in items)).encode()
    assert len(as_yaml) > MAX_YAML_BYTES
    with pytest.raises(CatalogError, match=f"a YAML document of {len(as_yaml)} bytes; the limit is {MAX_YAML_BYTES}"):
        load_document(as_yaml, "big.yaml")
    as_json = ('{"a": [' + ",".join(f'"{item}"' for item in items) + "]}").encode()
    assert len(as_json) > MAX_YAML_BYTES and load_document(as_json, "big.json") == {"a": items}


def _big_catalog(tmp_path: Path, suffix: str) -> Path:
    """The default catalog with rows enough to pass MAX_CATALOG_BYTES, as YAML or JSON."""
    import json

    import yaml

    from statuslens.transforms.verdicts.catalog import default_catalog_path

    doc = yaml.safe_load(default_catalog_path().read_text())
    doc["statuses"] = doc["statuses"] + [
        {"code": 400, "subcode": 1000 + i, "applies_to": "All resources", "messages": [f"Generated {i} " * 4]}
        for i in range(15_000)
    ]
    path = tmp_path / f"big{suffix}"
    path.write_text(json.dumps(doc) if suffix == ".json" else yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_catalog_over_its_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuslens.transforms.verdicts import catalog

    path = _big_catalog(tmp_path, suffix)
    size = path.stat().st_size
    assert size > catalog.MAX_CATALOG_BYTES

    def parsed(*_: object, **__: object) -> None:
        raise AssertionError("the catalog was parsed")

    monkeypatch.setattr(catalog, "load_document", parsed)
    with pytest.raises(CatalogError, match=f"a catalog of {size} bytes; the limit is {catalog.MAX_CATALOG_BYTES}"):
        load_catalog(path)


def test_a_spec_that_imports_to_a_catalog_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from statuslens.transforms.verdicts import catalog

    spec = Path(__file__).parents[2] / "data/openapi/camara/code/API_definitions/quality-on-demand.yaml"
    assert load_catalog(spec).resources  # within the limit it imports
    monkeypatch.setattr(catalog, "MAX_CATALOG_BYTES", 1000)
    with pytest.raises(
        CatalogError, match=r"quality-on-demand.yaml \(imported\): a catalog of \d+ bytes; the limit is 1000"
    ):
        load_catalog(spec)
