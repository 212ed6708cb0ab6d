"""--since/--until (DOMAIN.md §10): the half-open range [since, until) at millisecond precision, and the
per-chunk analyzer counting what falls outside as `filtered_out` (never judged, never a dead letter)."""

from __future__ import annotations

import orjson
import pytest

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.aggregation.time_filter import TimeFilter, parse_bound
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog

T0 = 1_260_481_210_000  # 2009-12-10T21:40:10.000Z


def line(time: str, status: int = 404, path: str = "/catalog/people/2") -> bytes:
    return orjson.dumps({"time": time, "method": "GET", "url": path, "status": status})


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator(load_catalog())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2009-12-10T21:40:10Z", T0),
        ("2009-12-10T21:40:10.123Z", T0 + 123),
        ("2009-12-10T22:40:10+01:00", T0),
        ("2009-12-10T21:40:10", T0),  # no offset: UTC
        ("2009-12-10", T0 - (21 * 3600 + 40 * 60 + 10) * 1000),  # a date: midnight UTC
        ("2009-12-10T21:40:10.123999Z", T0 + 123),  # microseconds are cut to the millisecond
        ("  2009-12-10T21:40:10Z ", T0),
    ],
)
def test_parse_bound_reads_iso_8601_as_epoch_milliseconds(text: str, expected: int) -> None:
    assert parse_bound(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "10/Dec/2009:21:40:10 +0000", "", "2009-13-01"])
def test_parse_bound_refuses_what_is_not_iso_8601(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        parse_bound(text)


def test_the_range_is_half_open_at_millisecond_precision() -> None:
    window = TimeFilter(T0, T0 + 1000)
    assert not window.contains(T0 - 1)  # one millisecond before since: out
    assert window.contains(T0)  # since itself: in
    assert window.contains(T0 + 999)  # the last millisecond before until: in
    assert not window.contains(T0 + 1000)  # until itself: out


def test_an_open_side_is_unbounded() -> None:
    assert TimeFilter(since_ms=T0).contains(10**15) and not TimeFilter(since_ms=T0).contains(T0 - 1)
    assert TimeFilter(until_ms=T0).contains(-(10**12)) and not TimeFilter(until_ms=T0).contains(T0)
    assert TimeFilter(since_ms=T0).bounds() == (T0, float("inf"))


@pytest.mark.parametrize("since, until", [(T0, T0), (T0 + 1, T0)])
def test_an_empty_range_is_refused(since: int, until: int) -> None:
    with pytest.raises(ValueError, match="range is empty"):
        TimeFilter(since, until)


def test_records_outside_the_range_are_counted_not_annotated(annotator: Annotator) -> None:
    items = (
        line("2009-12-10T21:40:09.999Z"),  # before since
        line("2009-12-10T21:40:10.000Z"),  # at since: kept
        line("2009-12-10T21:40:10.999Z", status=418),  # last millisecond: kept
        line("2009-12-10T21:40:11.000Z", status=418),  # at until: out
    )
    analyzer = ChunkAnalyzer(annotator, "all", time_filter=TimeFilter(T0, T0 + 1000))
    result = analyzer.analyze(Chunk("a", "jsonl", 1, items))
    assert [orjson.loads(r)["source"] for r in result.annotated] == ["a:2", "a:3"]
    stats = result.stats
    assert (stats.records_in, stats.records_annotated, stats.dead_letter, stats.filtered_out) == (4, 2, 0, 2)
    assert stats.verdicts == {"documented": 1, "undocumented_code": 1}
    assert stats.status_codes == {404: 1, 418: 1}
    assert [key.status_code for key, _ in result.groups] == [418]  # the 418 at until is in no group
    assert (stats.inputs["a"].records, stats.inputs["a"].dead_letter, stats.inputs["a"].filtered_out) == (2, 0, 2)


def test_dead_letters_are_never_filtered(annotator: Annotator) -> None:
    """A line that does not parse and a reader's problem stay dead letters, whatever time they may carry."""
    broken = b'{"time":"2001-01-01T00:00:00Z","method":"GET"}'  # outside the range, but no url or status
    items = (broken, b"{oops", Problem("line longer than 10 bytes", b"x" * 20), line("2001-01-01T00:00:00Z"), b"")
    result = ChunkAnalyzer(annotator, time_filter=TimeFilter(since_ms=T0)).analyze(Chunk("a", "jsonl", 1, items))
    stats = result.stats
    assert (stats.dead_letter, stats.filtered_out, stats.records_annotated, stats.blank_lines) == (3, 1, 0, 1)
    assert stats.records_in == stats.records_annotated + stats.dead_letter + stats.filtered_out == 4
    assert [orjson.loads(d)["source"] for d in result.dead_letters] == ["a:1", "a:2", "a:3"]


def test_without_a_filter_nothing_is_filtered(annotator: Annotator) -> None:
    stats = ChunkAnalyzer(annotator).analyze(Chunk("a", "jsonl", 1, (line("1971-01-01T00:00:00Z"),))).stats
    assert (stats.records_annotated, stats.filtered_out, stats.inputs["a"].filtered_out) == (1, 0, 0)


def test_filtered_out_adds_up_over_merges() -> None:
    a = Counts(records_in=5, records_annotated=2, dead_letter=1, filtered_out=2)
    b = Counts(records_in=3, records_annotated=3)
    merged = Counts.merged([a, b])
    assert merged.filtered_out == 2 and merged.records_in == 8
    assert merged.records_in == merged.records_annotated + merged.dead_letter + merged.filtered_out
