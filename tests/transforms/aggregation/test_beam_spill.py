"""Cause facts through files (beam_spill.py): the causes of facts shuffled as values, one file per
bucket and flush, read back and merged per bucket."""

from __future__ import annotations

from array import array
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from statuslens.transforms.aggregation import beam_spill
from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.aggregation.beam_spill import FactsSpill, read_bucket
from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.model.causes import ConsumerShare, RateLimitCause, TransientCause
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.conftest import TEST_RUNNER
from tests.transforms.aggregation.test_beam_causes import _chunks

GROUP = GroupKey.of("undocumented_code", 504, None, None, "GET", "catalog/titles")
T0 = 1_260_481_210_000


@pytest.mark.parametrize("spill_bytes", [beam_spill.SPILL_BYTES, 1], ids=["at-bundle-end", "every-chunk"])
def test_facts_through_files_give_the_same_causes_as_facts_shuffled_as_values(
    tmp_path: Path, spill_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(beam_spill, "SPILL_BYTES", spill_bytes)
    folder = tmp_path / "temp"
    with TestPipeline(runner=TEST_RUNNER) as pipeline:
        results = pipeline | beam.Create(_chunks()) | AnalyzeLogs(load_catalog(), "none", spill=str(folder))
        found = results["anomalies"] | beam.Map(lambda g: (g.key.status_code, g.causes, g.top_consumers))
        # The values path's causes on these chunks (test_beam_causes.py asserts the same there).
        assert_that(
            found,
            equal_to(
                [
                    (403, (RateLimitCause(4, 1, 1.0, 5),), (ConsumerShare("k1", 1, 1.0),)),
                    (405, (TransientCause(1, 1.0, 1.5),), (ConsumerShare("k2", 1, 1.0),)),
                ]
            ),
        )
    names = sorted(p.name for p in folder.iterdir())
    assert all(name.endswith(".pickle") for name in names)
    files = [name for name in names if name.startswith("causes-")]
    # k1 and k2 are in different buckets or the same: one file per bucket and flush either way.
    assert len(files) >= (3 if spill_bytes == 1 else 1)
    # The groups' parts went through files too (beam_part_files.py): the records' and the answers'.
    parts = [name for name in names if name.startswith("parts-")]
    assert len(parts) >= 2 and len(parts) + len(files) == len(names)


def _facts(consumers: list[str]) -> CauseFacts:
    facts = CauseFacts()
    facts.add_calls(consumers, array("q", [T0 + i for i in range(len(consumers))]), ["GET /a"] * len(consumers))
    for i, consumer in enumerate(consumers):
        facts.add_group_record(GROUP, T0 + i, consumer, "/catalog/titles")
    return facts


def test_a_spill_writes_one_file_per_bucket_only_past_its_bound_and_reads_back_what_it_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill = FactsSpill(str(tmp_path))
    consumers = [f"k{i}" for i in range(50)]
    assert list(spill.add(_facts(consumers))) == []  # far below SPILL_BYTES: held
    assert list(spill.add(_facts(consumers[:10]))) == []
    named = list(spill.flush())
    assert len({bucket for bucket, _ in named}) == len(named) == len(list(_facts(consumers).buckets()))
    assert list(spill.flush()) == []  # flushed: nothing held any more
    total = 0
    for bucket, path in named:
        at, facts = read_bucket((bucket, [path]))
        _, group_consumers, _ = facts.groups.of(GROUP)
        assert at == bucket and group_consumers and all(who % 16 == bucket for who in group_consumers)
        total += facts.group_records()
        assert sum(facts.calls_of(c) for c in consumers) == len(group_consumers) == len(facts.groups)
    assert total == 60
    monkeypatch.setattr(beam_spill, "SPILL_BYTES", 1)
    assert len(list(spill.add(_facts(consumers)))) == len(named)  # past the bound: written at once
