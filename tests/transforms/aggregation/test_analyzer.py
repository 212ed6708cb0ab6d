"""ChunkAnalyzer, the per-chunk pure step: every item ends as one record or one dead letter."""

from __future__ import annotations

import orjson
import pytest

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer, wants_annotated
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog

OK = b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/catalog/titles/movies/1","status":200}'
NOT_FOUND = b'{"time":"2009-12-10T21:40:11Z","method":"GET","url":"/catalog/people/2","status":404}'
TEAPOT = b'{"time":"2009-12-10T21:40:12Z","method":"GET","url":"/catalog/people/3","status":418}'


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator(load_catalog())


@pytest.mark.parametrize("mode, written", [("errors", ["a:2", "a:3"]), ("all", ["a:1", "a:2", "a:3"]), ("none", [])])
def test_annotated_modes(annotator: Annotator, mode: str, written: list[str]) -> None:
    result = ChunkAnalyzer(annotator, mode).analyze(Chunk("a", "jsonl", 1, (OK, NOT_FOUND, TEAPOT)))
    assert [orjson.loads(line)["source"] for line in result.annotated] == written
    assert [key.status_code for key, _ in result.groups] == [418]  # only the non-documented record is grouped


def test_every_item_is_one_record_or_one_dead_letter(annotator: Annotator) -> None:
    items = (OK, b"", b"   ", b"{oops", Problem("line longer than 10 bytes", b"x" * 20), TEAPOT)
    result = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 10, items))
    stats = result.stats
    assert stats.records_annotated == 2 and stats.dead_letter == 2 and stats.blank_lines == 2
    assert stats.records_in == 4
    assert stats.inputs["a"].records == 2 and stats.inputs["a"].dead_letter == 2
    assert [orjson.loads(d)["source"] for d in result.dead_letters] == ["a:13", "a:14"]


def test_an_unexpected_error_costs_one_record_not_the_job(
    annotator: Annotator, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_judge = annotator.judge

    def judge(raw: RawRecord):  # type: ignore[no-untyped-def]
        if raw.http_status == 404:
            raise KeyError("boom")
        return real_judge(raw)

    analyzer = ChunkAnalyzer(annotator)
    monkeypatch.setattr(analyzer.annotator, "judge", judge)
    result = analyzer.analyze(Chunk("a", "jsonl", 1, (OK, NOT_FOUND, TEAPOT)))
    letters = [orjson.loads(d) for d in result.dead_letters]
    assert [(d["source"], d["reason"]) for d in letters] == [("a:2", "unexpected error: KeyError: 'boom'")]
    assert result.stats.records_annotated == 2 and result.stats.records_in == 3
    assert result.unexpected_errors == 1


def test_bad_input_is_a_dead_letter_but_not_an_unexpected_error(annotator: Annotator) -> None:
    result = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 1, (b"{oops", OK)))
    assert len(result.dead_letters) == 1 and result.unexpected_errors == 0


def test_the_chunk_counts_hold_verdicts_flags_and_status_codes(annotator: Annotator) -> None:
    mismatch = (
        b'{"time":"2009-12-10T21:40:13Z","method":"GET","url":"/users/current","status":200,'
        b'"body":"<status><status_code>401</status_code><message>Access token is invalid</message></status>"}'
    )
    stats = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 1, (OK, NOT_FOUND, TEAPOT, mismatch))).stats
    assert stats.verdicts == {"documented": 3, "undocumented_code": 1}
    assert stats.status_codes == {200: 1, 404: 1, 418: 1, 401: 1}
    assert stats.flags == {"http_status_mismatch": 1}


def test_groups_and_flags_carry_the_record_its_order_and_explanation(annotator: Annotator) -> None:
    mismatch = (
        b'{"time":"2009-12-10T21:40:13Z","method":"GET","url":"/catalog/people/9","status":200,'
        b'"body":"<status><status_code>418</status_code></status>"}'
    )
    result = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 1, (TEAPOT, mismatch)))
    (key, (order, record, explanation)), _ = result.groups
    assert key == GroupKey.of_record(record) and key.resource == "catalog/people/{id}"
    assert order == (1_260_481_212_000, "a", 1) and record.source == "a:1"
    assert explanation is not None and explanation.startswith("418 is not in the table")
    [(flag, (_, flagged, none))] = result.flagged
    assert (flag, flagged.source, none) == ("http_status_mismatch", "a:2", None)


def test_wants_annotated_follows_the_contract() -> None:
    assert not wants_annotated("errors", 200, "documented", [])
    assert wants_annotated("errors", 404, "documented", [])
    assert wants_annotated("errors", 200, "out_of_scope", [])
    assert wants_annotated("errors", 200, "documented", ["body_unparseable"])
    assert wants_annotated("all", 200, "documented", []) and not wants_annotated("none", 500, "documented", [])


def test_a_chunk_naming_an_unknown_format_becomes_dead_letters(annotator: Annotator) -> None:
    result = ChunkAnalyzer(annotator).analyze(Chunk("p", "bogus", 1, (b"x", b"y")))
    reason = "unusable log format 'bogus': log format 'bogus' has no $variables"
    assert [orjson.loads(d) for d in result.dead_letters] == [
        {"source": "p:1", "reason": reason, "raw": "x"},
        {"source": "p:2", "reason": reason, "raw": "y"},
    ]
    assert result.annotated == [] and result.groups == []


def test_a_verdict_reached_without_request_facts_still_renders_them(annotator: Annotator) -> None:
    """200 applies to all requests, so judge skips the path and query; render must not."""
    url = (
        "http://api.netflix.com/users/T1pYkT0BcDeFgHiJkLmN/queues/instant"
        "?oauth_consumer_key=k4bghqddunxytt5x8p3qx9bf&oauth_token=secret123456"
    )
    raw = RawRecord(time_ms=1_260_481_210_000, method="GET", url=url, http_status=200)
    judged = annotator.judge(raw)
    assert judged.request is None and judged.verdict.verdict == "documented"
    record, explanation = annotator.render(raw, judged, "a:1")
    assert record.resource == "users/{user_token}/queues/instant"
    assert record.consumer == "k4bghqddunxytt5x8p3qx9bf"
    assert "secret123456" not in record.url and "oauth_token=REDACTED" in record.url
    assert explanation is None  # documented: nothing to explain
    scoped = annotator.judge(RawRecord(time_ms=0, method="GET", url=url, http_status=403))
    assert scoped.request is not None and scoped.request.resource == record.resource


def test_the_chunk_counts_every_record_over_time_by_verdict_and_code(annotator: Annotator) -> None:
    """One counter a record, documented ones included: (second, verdict, code); dead letters are not in it."""
    result = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 1, (OK, NOT_FOUND, TEAPOT, b"{oops")))
    second = 1_260_481_210
    assert result.stats.timeline.width_ms == 1000
    assert dict(result.stats.timeline) == {
        (second, "documented", 200): 1,
        (second + 1, "documented", 404): 1,
        (second + 2, "undocumented_code", 418): 1,
    }
