"""Assemble and run the batch job: list inputs -> read chunks -> AnalyzeLogs -> write outputs."""

from __future__ import annotations

import itertools
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.filesystems import FileSystems

from statuslens.pipelines.plan import plan_execution
from statuslens.pipelines.progress import ProgressLine
from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.aggregation.time_filter import TimeFilter
from statuslens.transforms.errors import UsageError
from statuslens.transforms.outputs.beam_group_outputs import (
    HoldRowEvidenceFn,
    PickReportFn,
    SortedRunsFn,
    TopRowsFn,
    row_evidence,
)
from statuslens.transforms.outputs.beam_results import OUTPUT_NAMES, SHARDED_OUTPUTS, WriteResultsFn, now_iso
from statuslens.transforms.outputs.beam_shards import WriteShardsFn, remove_folder, stale_temp_folders, temp_folder
from statuslens.transforms.outputs.expectations import Expectations
from statuslens.transforms.readers.beam_read import INPUTS_TAG, InputRange, ReadInputFn
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.redact import redact_text
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["BatchConfig", "BatchResult", "GroupFile", "build_pipeline", "expand_inputs", "prepare_output", "run_batch"]


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
    # DOMAIN.md §10: --since/--until (records outside are counted, not annotated) and --expect's entries.
    time_filter: TimeFilter | None = None
    expectations: Expectations | None = None
    # Used by the command once the run is done (pipelines/ci.py): --fail-on's verdicts, --metrics-file.
    fail_on: frozenset[str] | None = None
    metrics_file: Path | None = None
    causes: bool = True  # False: batch --no-causes (no §8 analysis; the groups' causes are null)
    # The progress line on stderr (pipelines/progress.py): the command decides (a terminal, --progress).
    progress: bool = False


def expand_inputs(patterns: Sequence[str]) -> tuple[str, ...]:
    """Every file matched by the patterns, sorted and distinct; UsageError naming an empty pattern.
    Local paths come out absolute (a worker in another folder reads the same files)."""
    paths: set[str] = set()
    for pattern in patterns:
        try:
            result = FileSystems.match([pattern if "://" in pattern else os.path.abspath(pattern)])[0]
        except Exception as exc:  # Beam raises BeamIOError with nested causes; one line is enough
            raise UsageError(f"--input {pattern!r}: cannot list files: {_first_line(exc)}") from exc
        files = [m.path for m in result.metadata_list if not _is_dir(m.path)]
        if not files:
            raise UsageError(f"--input {pattern!r} matches no file")
        for path in files:
            _refuse_special(pattern, path)
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


def build_pipeline(
    pipeline: beam.Pipeline, config: BatchConfig, started_at: str, progress_folder: str | None = None
) -> dict[str, Any]:
    """Add the batch graph to `pipeline`; returns its PCollections, exposed for testing. The readers
    tally what they read in `progress_folder` when one is given (the progress line)."""
    files = pipeline | "ListInputs" >> beam.Create(list(config.inputs))
    reader = ReadInputFn(config.log_format, progress_folder)
    read = files | "ReadInputs" >> beam.ParDo(reader).with_outputs(INPUTS_TAG, main="chunks")
    # No reshuffle of the chunks: reading and analysing fuse into one stage that streams, so memory
    # stays flat; parallelism comes from the inputs (files, and splits of large plain files).
    # Shards go to a temporary folder and are moved in place by the last step (transforms/outputs/beam_shards.py);
    # the cause facts pass through it too (transforms/aggregation/beam_spill.py).
    temp = temp_folder(config.output)
    results = read["chunks"] | "AnalyzeLogs" >> AnalyzeLogs(
        config.catalog,
        config.annotated,
        FieldMap.with_overrides(config.field_map),
        time_filter=config.time_filter,
        causes=config.causes,
        spill=temp,
    )
    shards = [
        results[kind] | f"WriteShards[{kind}]" >> beam.ParDo(WriteShardsFn(temp, kind)) for kind in SHARDED_OUTPUTS
    ]
    # The groups reach the last step as sorted runs of their lines, what the reports show of them and
    # the first proposed rows: never as one side input of every group (transforms/outputs/beam_group_outputs.py).
    anomalies = results["anomalies"]
    known, expectations = config.known_groups, config.expectations
    runs = anomalies | "SortAnomalyGroups" >> beam.ParDo(SortedRunsFn(temp, expectations, known))
    pick = anomalies | "PickReportGroups" >> beam.CombineGlobally(PickReportFn(expectations, known))
    rows = (
        anomalies
        | "HoldRowEvidence" >> beam.ParDo(HoldRowEvidenceFn(expectations))
        | "GroupRowEvidence" >> beam.GroupByKey()
        | "MergeRowEvidence" >> beam.MapTuple(row_evidence)
        | "TopProposedRows" >> beam.CombineGlobally(TopRowsFn())
    )
    summary = (
        pipeline
        | "StartResults" >> beam.Create([None])
        | "WriteResults"
        >> beam.ParDo(
            WriteResultsFn(
                config.output,
                config.catalog,
                started_at,
                temp,
                known,
                config.baseline,
                time_filtered=config.time_filter is not None,
                expectations=expectations,
            ),
            counts=beam.pvalue.AsSingleton(results["stats"]),
            pick=beam.pvalue.AsSingleton(pick),
            rows=beam.pvalue.AsSingleton(rows),
            runs=beam.pvalue.AsList(runs),
            flagged=beam.pvalue.AsList(results["flagged"]),
            inputs=beam.pvalue.AsList(read[INPUTS_TAG]),
            shards=beam.pvalue.AsList(shards | "AllShards" >> beam.Flatten()),
        )
    )
    return {**results, "inputs": read[INPUTS_TAG], "summary": summary}


class GroupFile:
    """The anomaly groups of a finished run's `anomalies.jsonl`, read again at each pass, one group at
    a time: the command's lines, metrics and cron's state see every group without holding them all."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with FileSystems.open(self.path) as handle:
            for line in handle:
                if line.strip():
                    yield orjson.loads(line)

    def __len__(self) -> int:
        with FileSystems.open(self.path) as handle:
            return sum(1 for line in handle if line.strip())


@dataclass(frozen=True)
class BatchResult:
    """What a finished run wrote: its summary and its anomaly groups (JSON dicts, in file order)."""

    summary: dict[str, Any]
    groups: GroupFile


def run_batch(config: BatchConfig, beam_args: Sequence[str] = (), allow_workers: bool = True) -> BatchResult:
    """Run the job to completion and return what it wrote.

    The runner, the worker count and the inputs are pipelines/plan.py's decision; when it chose the
    multi-process runner, the workers' own logging goes to a temporary file that is shown only when
    the run fails. `allow_workers=False` keeps a local run in-process (cron: a killed run leaves no
    workers). The results are read back from the output folder: on a remote runner, workers wrote them.
    """
    prepare_output(config.output, config.overwrite)  # a usage error here comes before any planning work
    plan = plan_execution(beam_args, config.inputs, config.log_format, os.cpu_count() or 1, allow_workers=allow_workers)
    started_at = now_iso()
    job = replace(config, inputs=plan.inputs)
    with (
        _progress(config.progress, plan.inputs) as folder,
        _worker_logs(enabled=plan.automatic),
        beam.Pipeline(options=plan.pipeline_options()) as pipeline,
    ):
        build_pipeline(pipeline, job, started_at, folder)
    return _read_result(config.output)


@contextmanager
def _progress(enabled: bool, inputs: Sequence[str | InputRange]) -> Iterator[str | None]:
    """The progress line on this command's stderr (before the workers' logs take it over), or nothing."""
    if not enabled:
        yield None
        return
    try:
        fd = sys.stderr.fileno()
    except (OSError, ValueError):  # a stream with no descriptor (embedders, tests): the process's own
        fd = 2
    with ProgressLine(inputs, fd, terminal=os.isatty(fd)) as folder:
        yield folder


def _read_result(output: str) -> BatchResult:
    """The summary and anomaly groups of a finished run's folder (any Beam filesystem)."""
    with FileSystems.open(FileSystems.join(output, "summary.json")) as handle:
        summary = orjson.loads(handle.read())
    return BatchResult(summary, GroupFile(FileSystems.join(output, "anomalies.jsonl")))


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
    """Some of what `folder` holds (enough to tell it is not empty); UsageError when it is a file."""
    if "://" not in folder:  # local: one directory entry is enough (Beam's match of `/*` stats the whole disk)
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise UsageError(f"--output {redact_text(folder)!r} is a file, not a folder")
        try:
            with os.scandir(folder) as entries:  # hidden entries do not count, as for the glob `*`
                return [e.path for e in itertools.islice((e for e in entries if not e.name.startswith(".")), 1)]
        except (FileNotFoundError, NotADirectoryError):
            return []  # made by the run (which fails, in one line, where a parent is a file)
        except OSError as exc:
            raise UsageError(f"--output {folder!r}: cannot list it ({exc.strerror or exc})") from None
    if not FileSystems.exists(folder):
        return []
    pattern = FileSystems.join(folder, "*")
    return [m.path for m in FileSystems.match([pattern])[0].metadata_list]


def _refuse_special(pattern: str, path: str) -> None:
    """UsageError for a FIFO, socket or device: opening a FIFO waits for a writer forever (under cron,
    holding the lock) and a device such as /dev/zero never ends. Only regular files are logs."""
    if "://" in path:
        return
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # gone or unreadable: the reader makes it one damaged input
    if not stat.S_ISREG(mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise UsageError(f"--input {pattern!r}: {path} is {kind}; statuslens reads regular files only")


def _is_dir(path: str) -> bool:
    return "://" not in path and os.path.isdir(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
