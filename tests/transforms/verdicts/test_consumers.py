"""Who sent a record (DOMAIN.md §8 "Consumer"), found cheaply for every record."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.errors import CatalogError
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog, default_catalog_path, load_catalog
from statuslens.transforms.verdicts.consumers import ConsumerFinder, ConsumerSource
from statuslens.transforms.verdicts.resources import split_url


def raw(url: str, authorization: str | None = None, consumer: str | None = None) -> RawRecord:
    return RawRecord(0, "GET", url, 200, authorization=authorization, consumer=consumer)


FIND = ConsumerFinder().find


def test_the_first_non_empty_oauth_consumer_key_decoded() -> None:
    assert FIND(raw("/a?oauth_consumer_key=&oauth_consumer_key=k%2B1+x&oauth_consumer_key=k2")) == "k+1 x"
    assert FIND(raw("http://h/a?x=1&oauth_consumer_key=k1#frag")) == "k1"


def test_absent_empty_or_only_a_longer_name_is_none() -> None:
    assert FIND(raw("/a?oauth_consumer_key=")) is None
    assert FIND(raw("/a?x_oauth_consumer_key=k1&oauth_consumer_keys=k2")) is None
    assert FIND(raw("/a#?oauth_consumer_key=k1")) is None  # in the fragment, not the query
    assert FIND(raw("/a?oauth_signature=abc%3D")) is None


def test_a_percent_encoded_name_counts_as_the_name() -> None:
    assert FIND(raw("/a?oauth%5Fconsumer%5fkey=k1")) == "k1"


def test_the_oauth_header_answers_when_the_query_has_none() -> None:
    header = 'OAuth realm="x", oauth_consumer_key="k%201", oauth_nonce="n"'
    assert FIND(raw("/a", authorization=header)) == "k 1"
    assert FIND(raw("/a?oauth_consumer_key=q", authorization=header)) == "q"


def test_another_query_parameter_and_no_header_fallback() -> None:
    find = ConsumerFinder(ConsumerSource("query", "api_key")).find
    assert find(raw("/a?api_key=app7&oauth_consumer_key=k1")) == "app7"
    assert find(raw("/a?oauth_consumer_key=k1", authorization='OAuth oauth_consumer_key="k2"')) is None


def test_header_and_field_sources_take_what_the_reader_found() -> None:
    find = ConsumerFinder(ConsumerSource("header", "X-Client")).find
    assert find(raw("/a?oauth_consumer_key=k1", consumer="web")) == "web"
    assert find(raw("/a?oauth_consumer_key=k1", consumer="")) is None


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="consumer source must be one of"):
        ConsumerSource("cookie", "id")


def test_the_catalog_names_the_consumer_source(tmp_path: Path) -> None:
    default = load_catalog()
    assert default.consumer == ConsumerSource("query", "oauth_consumer_key")
    text = default_catalog_path().read_text()
    for setting, expected in (
        ("{header: X-Client-Id}", ConsumerSource("header", "X-Client-Id")),
        ("{field: client.id}", ConsumerSource("field", "client.id")),
    ):
        path = tmp_path / "c.yaml"
        path.write_text(text.replace("\nresources:", f"\nconsumer: {setting}\nresources:", 1))
        assert load_catalog(str(path)).consumer == expected
    path.write_text(text.replace("\nresources:", "\nconsumer: {query: a, header: b}\nresources:", 1))
    with pytest.raises(CatalogError, match="consumer: needs exactly one of query, header, field"):
        load_catalog(str(path))


def _catalog_with(tmp_path: Path, setting: str) -> Catalog:
    path = tmp_path / "c.yaml"
    path.write_text(default_catalog_path().read_text().replace("\nresources:", f"\nconsumer: {setting}\nresources:", 1))
    return load_catalog(str(path))


def test_a_json_lines_field_names_the_consumer_of_annotated_records(tmp_path: Path) -> None:
    analyzer = ChunkAnalyzer(Annotator(_catalog_with(tmp_path, "{field: client.id}")), "all")
    line = b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/oauth/login?oauth_consumer_key=k1",'
    result = analyzer.analyze(Chunk("a.jsonl", "jsonl", 1, (line + b'"status":405,"client":{"id":"app7"}}',)))
    assert orjson.loads(result.annotated[0])["consumer"] == "app7"
    assert result.causes.calls_of("app7") == 1 and result.causes.calls_of("k1") == 0


def test_a_har_request_header_names_the_consumer(tmp_path: Path) -> None:
    analyzer = ChunkAnalyzer(Annotator(_catalog_with(tmp_path, "{header: X-Client-Id}")), "all")
    entry = {
        "startedDateTime": "2009-12-10T21:40:10Z",
        "request": {
            "method": "GET",
            "url": "http://api.netflix.com/catalog/titles",
            "headers": [{"name": "x-client-id", "value": "web"}],
        },
        "response": {"status": 200, "headers": []},
    }
    result = analyzer.analyze(Chunk("a.har", "har", 1, (entry,)))
    assert orjson.loads(result.annotated[0])["consumer"] == "web"


def test_the_quick_search_agrees_with_a_scan_of_every_pair_on_awkward_urls() -> None:
    urls = [
        "http://h?oauth_consumer_key=k1",
        "http://h#x?oauth_consumer_key=k1",
        "http://h/p?a=1&oauth_consumer_key=&oauth%5Fconsumer_key=k2&oauth_consumer_key=k3",
        "http://h/p?oauth%5Fconsumer%5Fkey=k0&oauth_consumer_key=k1",
        "/p?x=a%20b&xoauth_consumer_key=k9&oauth_consumer_key=k1&oauth_consumer_key=k2#oauth_consumer_key=k8",
        "/p?oauth_consumer_key",
        "/p?q=http://h/?oauth_consumer_key=k7&oauth_consumer_key=k1",
        "//h/p?oauth_consumer_key=k1",
        "a?b://c/d?oauth_consumer_key=k1",
    ]
    finder = ConsumerFinder()
    for url in urls:
        query = split_url(url)[1]
        assert finder.in_query(url) == finder._scan(query), url
    assert [finder.in_query(u) for u in urls[:4]] == ["k1", "k1", "k2", "k0"]  # split_url: host, then "?"
