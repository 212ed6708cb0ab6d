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
