"""The collector's thresholds: set by the command and by the workers' DoFns (transforms/collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from statuslens.transforms.aggregation.beam_analyze import AnalyzeChunksFn
from statuslens.transforms.aggregation.beam_causes import AnswerGroupsFn
from statuslens.transforms.aggregation.beam_groups import GroupFn
from statuslens.transforms.collector import YOUNG_OBJECTS, tune_collector
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP
from statuslens.transforms.verdicts.catalog import load_catalog


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_tuning_raises_only_the_young_generation_and_keeps_the_collector_on(default_thresholds: None) -> None:
    tune_collector()
    tune_collector()
    assert gc.get_threshold() == (YOUNG_OBJECTS, 10, 10) and gc.isenabled()


@pytest.mark.parametrize(
    "make",
    [lambda: AnalyzeChunksFn(load_catalog(), "errors", DEFAULT_FIELD_MAP), AnswerGroupsFn, GroupFn],
    ids=["analyze", "answer-lookups", "flagged-groups"],
)
def test_each_worker_step_that_builds_groups_tunes_its_process(default_thresholds: Any, make: Any) -> None:
    make().setup()
    assert gc.get_threshold()[0] == YOUNG_OBJECTS
