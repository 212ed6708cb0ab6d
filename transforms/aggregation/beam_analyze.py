"""`AnalyzeLogs`: the composite transform batch and cron share (the stream aggregates per window
firing instead, transforms/streaming/, with the same `ChunkAnalyzer`).

Input: a PCollection of `Chunk`s. Outputs (a dict of PCollections, no I/O here):
`annotated` and `dead_letter` (JSON lines as bytes), `anomalies` (`AnomalyGroup`s), `flagged`
((flag, `GroupStats`)), and `stats` (one merged `Counts` per window).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms.window import GlobalWindows

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.aggregation.beam_causes import AnswerGroupsFn, from_files, with_causes, without_causes
from statuslens.transforms.aggregation.beam_groups import GroupFn
from statuslens.transforms.aggregation.beam_merge import MergeFn
from statuslens.transforms.aggregation.beam_part_files import write_parts
from statuslens.transforms.aggregation.beam_spill import FactsSpill, read_bucket
from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.group_parts import HeldGroups
from statuslens.transforms.aggregation.time_filter import TimeFilter
from statuslens.transforms.collector import tune_collector
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP, FieldMap
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["AnalyzeChunksFn", "AnalyzeLogs"]

ANNOTATED = "annotated"
DEAD_LETTER = "dead_letter"
GROUPS = "groups"
FLAGGED = "flagged"
STATS = "stats"
CAUSES = "causes"


class AnalyzeChunksFn(beam.DoFn):
    """Chunk('logs/a.log', 'combined', 1, (b'1.2.3.4 - - [10/Dec/2009:…] "GET /… HTTP/1.1" 405 …',))
    -> annotated lines, dead letters, group and flag inputs, and one partial count.

    Counters: `statuslens/dead_letters` (every dead letter) and `statuslens/unexpected_errors` (those a
    bug made rather than the input: a non-zero value is worth a bug report)."""

    def __init__(
        self,
        catalog: Catalog,
        annotated_mode: str,
        fields: FieldMap,
        time_filter: TimeFilter | None = None,
        causes: bool = True,
        spill: str | None = None,
    ) -> None:
        self.catalog = catalog
        self.causes = causes
        self.spill = spill  # a folder: the cause facts go through files there (beam_spill.py)
        self._spill: FactsSpill | None = None
        self._groups = HeldGroups()  # the bundle's anomaly groups, by key
        self.annotated_mode = annotated_mode
        self.fields = fields
        self.time_filter = time_filter  # --since/--until (DOMAIN.md §10)
        self._analyzer: ChunkAnalyzer | None = None
        self.dead_letters = Metrics.counter("statuslens", "dead_letters")
        self.unexpected_errors = Metrics.counter("statuslens", "unexpected_errors")

    def setup(self) -> None:
        tune_collector()
        self._analyzer = ChunkAnalyzer(
            Annotator(self.catalog), self.annotated_mode, self.fields, self.time_filter, causes=self.causes
        )
        if self.spill is not None:
            FactsSpill(self.spill).make_folder()

    def start_bundle(self) -> None:
        self._spill = FactsSpill(self.spill) if self.spill is not None else None
        self._groups = HeldGroups()

    def finish_bundle(self) -> Iterator[Any]:
        for item in self._hand_on_groups():
            yield pvalue.TaggedOutput(GROUPS, GlobalWindows.windowed_value(item))
        if self._spill is not None:
            for named in self._spill.finish():
                yield pvalue.TaggedOutput(CAUSES, named)

    def process(self, chunk: Chunk) -> Iterator[Any]:
        assert self._analyzer is not None
        result = self._analyzer.analyze(chunk)
        for line in result.annotated:
            yield line
        if result.dead_letters:
            self.dead_letters.inc(len(result.dead_letters))
        if result.unexpected_errors:
            self.unexpected_errors.inc(result.unexpected_errors)
        for line in result.dead_letters:
            yield pvalue.TaggedOutput(DEAD_LETTER, line)
        # Held by key until the bundle ends (group_parts.py). Shuffled with plain-tuple keys: Beam's
        # deterministic key coder writes those natively, where a NamedTuple key falls back to writing
        # its type beside every key (and warns on each worker).
        held = self._groups
        for key, sample in result.groups:
            held.add(tuple(key), sample)
        if held.full:
            for item in self._hand_on_groups():
                yield pvalue.TaggedOutput(GROUPS, item)
        for flag_pair in result.flagged:
            yield pvalue.TaggedOutput(FLAGGED, flag_pair)
        if result.causes:
            if self._spill is not None:  # (consumer bucket, file) when the bundle's facts are written out
                for named in self._spill.add(result.causes):
                    yield pvalue.TaggedOutput(CAUSES, named)
            else:  # (consumer bucket, facts): see beam_causes.py
                for bucket in result.causes.buckets():
                    yield pvalue.TaggedOutput(CAUSES, bucket)
        yield pvalue.TaggedOutput(STATS, result.stats)

    def _hand_on_groups(self) -> Iterator[Any]:
        """The held groups' (key, packed parts), or with a spill folder the (partition, path) of the
        files they were written to (beam_part_files.py)."""
        parts = self._groups.take()
        return parts if self.spill is None else write_parts(self.spill, parts)


class AnalyzeLogs(beam.PTransform):  # type: ignore[type-arg]
    """Parse, annotate, classify and aggregate chunks of log items."""

    def __init__(
        self,
        catalog: Catalog,
        annotated_mode: str = "errors",
        fields: FieldMap = DEFAULT_FIELD_MAP,
        global_window: bool = True,
        time_filter: TimeFilter | None = None,
        causes: bool = True,
        spill: str | None = None,
    ) -> None:
        super().__init__()
        self.spill = spill  # a temporary folder for the cause facts (beam_spill.py); None: shuffled as values
        self.causes = causes  # False: no §8 facts collected, the groups' causes unknown (batch --no-causes)
        self.time_filter = time_filter
        self.catalog = catalog
        self.annotated_mode = annotated_mode
        self.fields = fields
        self.global_window = global_window

    def expand(self, chunks: PCollection[Chunk]) -> dict[str, PCollection[Any]]:
        parts = chunks | "AnnotateRecords" >> beam.ParDo(
            AnalyzeChunksFn(self.catalog, self.annotated_mode, self.fields, self.time_filter, self.causes, self.spill)
        ).with_outputs(DEAD_LETTER, GROUPS, FLAGGED, STATS, CAUSES, main=ANNOTATED)
        if self.causes:
            if self.spill is None:
                buckets = parts[CAUSES] | "CombineCauseFacts" >> beam.CombinePerKey(MergeFn(CauseFacts))
            else:
                buckets = (
                    parts[CAUSES] | "GroupCauseFiles" >> beam.GroupByKey() | "ReadCauseFiles" >> beam.Map(read_bucket)
                )
            answers = buckets | "AnswerLookups" >> beam.ParDo(AnswerGroupsFn(self.spill))
            # A group's records and answers meet by key (group_parts.py), or by partition of the key
            # when they went through files (beam_part_files.py).
            grouped = (
                (parts[GROUPS], answers) | "GroupValues" >> beam.Flatten() | "GroupAnomalyParts" >> beam.GroupByKey()
            )
            render = with_causes(self.catalog.calls_per_second)
        else:
            grouped = parts[GROUPS] | "GroupAnomalyParts" >> beam.GroupByKey()
            render = without_causes
        anomalies = grouped | "RenderAnomalyGroups" >> beam.FlatMapTuple(
            render if self.spill is None else from_files(render)
        )
        flagged = parts[FLAGGED] | "CombineFlaggedRecords" >> beam.CombinePerKey(GroupFn(samples=5))
        stats = parts[STATS] | "SumCounts" >> self._globally(MergeFn(Counts))
        return {
            ANNOTATED: parts[ANNOTATED],
            DEAD_LETTER: parts[DEAD_LETTER],
            "anomalies": anomalies,
            FLAGGED: flagged,
            STATS: stats,
        }

    def _globally(self, fn: beam.CombineFn) -> beam.PTransform:  # type: ignore[type-arg]
        combine = beam.CombineGlobally(fn)
        return combine if self.global_window else combine.without_defaults()
