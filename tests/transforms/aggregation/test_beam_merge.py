"""MergeFn: values that merge into themselves, combined by Beam in any grouping."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from statuslens.transforms.aggregation.beam_merge import MergeFn
from statuslens.transforms.model.counts import Counts


def _counts(n: int) -> Counts:
    return Counts(records_in=n, records_annotated=n, verdicts={"documented": n}, status_codes={200: n})


def test_the_merge_of_many_values_equals_their_merge_in_one_pass() -> None:
    parts = [_counts(n) for n in range(1, 40)]
    expected = Counts.merged(_counts(n) for n in range(1, 40))
    with TestPipeline() as p:
        merged = p | beam.Create(parts) | beam.CombineGlobally(MergeFn(Counts))
        assert_that(merged, equal_to([expected]))


def test_no_values_merge_to_an_empty_value() -> None:
    fn = MergeFn(Counts)
    assert fn.merge_accumulators([]) == Counts()
    assert fn.extract_output(fn.create_accumulator()) == Counts()
