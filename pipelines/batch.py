"""Assemble and run the batch job: list inputs -> read chunks -> AnalyzeLogs -> write outputs."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from statuslens.pipelines.parallel import choose_runner, pinned_in_process, runs_in_one_process, split_inputs
from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.errors import UsageError
from statuslens.transforms.outputs.beam_results import OUTPUT_NAMES, SHARDED_OUTPUTS, WriteResultsFn, now_iso
from statuslens.transforms.outputs.beam_shards import WriteShardsFn, remove_folder, stale_temp_folders, temp_folder
from statuslens.transforms.readers.beam_read import INPUTS_TAG, InputRange, ReadInputFn
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.redact import redact_text
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["BatchConfig", "build_pipeline", "expand_inputs", "prepare_output", "run_batch"]


@dataclass(frozen=True)
class BatchConfig:
    """A validated batch run: what to read, how to judge it, where to write."""

    inputs: tuple[str | InputRange, ...]
    output: str
    catalog: Catalog
    log_format: str | None = None
    field_map: dict[str, str] = field(default_factory=dict)
    annotated: str = "errors"
    overwrite: bool = False
    # Group ids seen before (cron's state): the groups not among them are listed as new in the outputs.
    known_groups: frozenset[str] | None = None
    baseline: bool = False  # the new groups are the baseline being recorded, not news


def expand_inputs(patterns: Sequence[str]) -> tuple[str, ...]:
    """Every file matched by the patterns, sorted and distinct; UsageError naming an empty pattern."""
    paths: set[str] = set()
    for pattern in patterns:
        try:
            result = FileSystems.match([pattern])[0]
        except Exception as exc:  # Beam raises BeamIOError with nested causes; one line is enough
            raise UsageError(f"--input {pattern!r}: cannot list files: {_first_line(exc)}") from exc
        files = [m.path for m in result.metadata_list if not _is_dir(m.path)]
        if not files:
            raise UsageError(f"--input {pattern!r} matches no file")
        paths.update(files)
    return tuple(sorted(paths))


def prepare_output(output: str, overwrite: bool) -> None:
    """Refuse a non-empty folder without --overwrite; with it, remove only our previous outputs."""
    existing = _children(output)
    if existing and not overwrite:
        raise UsageError(f"--output {output!r} is not empty; add --overwrite to replace its statuslens outputs")
    ours = [FileSystems.join(output, name) for name in OUTPUT_NAMES]
    stale = [path for path in ours if FileSystems.exists(path)]
    # summary.json first: a folder with a partial set of outputs never has a summary.
    stale.sort(key=lambda p: not p.endswith("summary.json"))
    for path in stale:
        FileSystems.delete([path])
    # A run that died before its last step leaves its temporary shard folder: ours too.
    for folder in stale_temp_folders(output):
        remove_folder(folder)
    FileSystems.mkdirs(output) if not FileSystems.exists(output) else None


def build_pipeline(pipeline: beam.Pipeline, config: BatchConfig, started_at: str) -> dict[str, Any]:
    """Add the batch graph to `pipeline`; returns its PCollections, exposed for testing."""
    files = pipeline | "ListInputs" >> beam.Create(list(config.inputs))
    read = files | "ReadInputs" >> beam.ParDo(ReadInputFn(config.log_format)).with_outputs(INPUTS_TAG, main="chunks")
    # No reshuffle of the chunks: reading and analysing fuse into one stage that streams, so memory
    # stays flat; parallelism comes from the inputs (files, and splits of large plain files).
    results = read["chunks"] | "AnalyzeLogs" >> AnalyzeLogs(
        config.catalog, config.annotated, FieldMap.with_overrides(config.field_map)
    )
    # Shards go to a temporary folder and are moved in place by the last step (transforms/outputs/beam_shards.py).
    temp = temp_folder(config.output)
    shards = [
        results[kind] | f"WriteShards[{kind}]" >> beam.ParDo(WriteShardsFn(temp, kind)) for kind in SHARDED_OUTPUTS
    ]
    summary = (
        pipeline
        | "StartResults" >> beam.Create([None])
        | "WriteResults"
        >> beam.ParDo(
            WriteResultsFn(config.output, config.catalog, started_at, temp, config.known_groups, config.baseline),
            counts=beam.pvalue.AsSingleton(results["stats"]),
            anomalies=beam.pvalue.AsList(results["anomalies"]),
            flagged=beam.pvalue.AsList(results["flagged"]),
            inputs=beam.pvalue.AsList(read[INPUTS_TAG]),
            shards=beam.pvalue.AsList(shards | "AllShards" >> beam.Flatten()),
        )
    )
    return {**results, "inputs": read[INPUTS_TAG], "summary": summary}


def run_batch(config: BatchConfig, beam_args: Sequence[str] = (), allow_workers: bool = True) -> None:
    """Run the job to completion (the caller reads summary.json afterwards).

    Without runner flags, large inputs run on the multi-process runner over split inputs; the
    workers' own logging goes to a temporary file that is shown only when the run fails.
    `allow_workers=False` keeps the default in-process (cron: a killed run leaves no workers).
    """
    if not allow_workers:
        beam_args = [*beam_args, "--direct_num_workers=1"]
    options = PipelineOptions(list(beam_args))
    inputs = list(config.inputs)
    plain_paths = [i for i in inputs if isinstance(i, str)]
    if len(plain_paths) == len(inputs) and not pinned_in_process(options, beam_args):
        workers = os.cpu_count() or 1
        inputs = split_inputs(plain_paths, workers, config.log_format)
    parallel = choose_runner(options, inputs, beam_args)
    if runs_in_one_process(options):
        inputs = list(config.inputs)
    prepare_output(config.output, config.overwrite)
    started_at = now_iso()
    job = replace(config, inputs=tuple(inputs))
    with _worker_logs(enabled=parallel), beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, job, started_at)


@contextmanager
def _worker_logs(enabled: bool) -> Iterator[None]:
    """Send what worker processes write to stderr (INFO logs) to a temp file; replay it on failure."""
    if not enabled or os.environ.get("STATUSLENS_DEBUG"):
        yield
        return
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            tail = log.read()[-4000:].decode("utf-8", "replace")
            sys.stderr.write(redact_text(tail))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _children(folder: str) -> list[str]:
    if not FileSystems.exists(folder):
        return []
    pattern = FileSystems.join(folder, "*")
    return [m.path for m in FileSystems.match([pattern])[0].metadata_list]


def _is_dir(path: str) -> bool:
    return "://" not in path and os.path.isdir(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
