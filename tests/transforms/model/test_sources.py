"""SourceRef: `path:N`, `path:entryN` and `path` written and read back alike."""

from __future__ import annotations

import pytest

from statuslens.transforms.model.sources import SourceRef, source_prefix


@pytest.mark.parametrize(
    "ref, text",
    [
        (SourceRef("logs/access.log", 12), "logs/access.log:12"),
        (SourceRef("capture.har", 3, entry=True), "capture.har:entry3"),
        (SourceRef("logs/api.log.gz"), "logs/api.log.gz"),
        (SourceRef("C:/logs/a:b.log", 1), "C:/logs/a:b.log:1"),
    ],
)
def test_str_and_parse_round_trip(ref: SourceRef, text: str) -> None:
    assert str(ref) == text
    assert SourceRef.parse(text, entry=ref.entry) == ref


def test_text_without_a_number_is_a_whole_input() -> None:
    assert SourceRef.parse("logs/a.log:") == SourceRef("logs/a.log:")
    assert SourceRef.parse("capture.har:3", entry=True) == SourceRef("capture.har:3")
    assert SourceRef.parse("") == SourceRef("")


def test_the_prefix_joined_with_a_number_is_the_reference() -> None:
    assert source_prefix("a.log", entry=False) + "7" == str(SourceRef("a.log", 7))
    assert source_prefix("c.har", entry=True) + "7" == str(SourceRef("c.har", 7, entry=True))
