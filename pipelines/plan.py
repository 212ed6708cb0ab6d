"""How a job runs — which runner, how many worker processes, which inputs — decided once, up front.

`plan_execution` turns the user's Beam flags and the inputs into an `ExecutionPlan`; batch and stream
build their PipelineOptions from the plan's flags and nothing else touches the runner options.
The rules (the user's runner flags always win):

- no `--runner`: batch runs on the FnApiRunner, stream on the BundleBasedDirectRunner (a bare
  DirectRunner first tries to download Prism, which hangs offline);
- a local batch run with no `--direct_*` flag uses every core (`multi_processing`) only when the
  inputs are estimated at 32 MiB or more and there are at least two of them after splitting large
  plain files into line-aligned ranges; otherwise it stays in this process on whole files (the
  multi-process runner costs about a second to start);
- `--direct_num_workers 1` or a `--direct_running_mode` other than `multi_processing` keeps it in
  this process: inputs are never split for a run that would only read the ranges one after another;
- another runner, or an explicit `multi_processing`, gets split plain files (its workers share them);
- `allow_workers=False` (cron: a killed run must leave no worker processes) adds
  `--direct_num_workers=1`, which pins a local run in this process.

Planning reads only the inputs' sizes and first bytes (and, for a file it splits, its newlines); it
changes no options object.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.runner import _RUNNER_MAP

from statuslens.pipelines import parallel
from statuslens.transforms.errors import UsageError
from statuslens.transforms.readers.beam_read import InputRange

__all__ = [
    "DEFAULT_BATCH_RUNNER",
    "DEFAULT_STREAM_RUNNER",
    "PARALLEL_THRESHOLD_BYTES",
    "ExecutionPlan",
    "check_runner",
    "plan_execution",
]

DEFAULT_BATCH_RUNNER = "FnApiRunner"
DEFAULT_STREAM_RUNNER = "BundleBasedDirectRunner"
# Estimated decompressed bytes above which the multi-process runner pays for its start-up.
PARALLEL_THRESHOLD_BYTES = 32 << 20
_LOCAL_BATCH_RUNNERS = frozenset({"FnApiRunner", "DirectRunner"})
_LOCAL_STREAM_RUNNERS = frozenset({"BundleBasedDirectRunner", "DirectRunner"})
_DIRECT_FLAGS = ("--direct_running_mode", "--direct_num_workers")


@dataclass(frozen=True)
class ExecutionPlan:
    """What a run executes on: `beam_args` are the user's flags plus the ones the plan chose."""

    runner: str
    workers: int | None  # processes of the local runner (1: this one); None: the runner decides
    inputs: tuple[str | InputRange, ...]
    beam_args: tuple[str, ...]
    automatic: bool = False  # statuslens chose the multi-process runner (no flag of the user's asked)

    def pipeline_options(self) -> PipelineOptions:
        return PipelineOptions(list(self.beam_args))


def check_runner(beam_args: Sequence[str]) -> None:
    """UsageError for a --runner Beam cannot make, before any work (Beam would fail only once the run
    starts, after --overwrite emptied the output folder). Names are Beam's (`FlinkRunner`, `flink`, any
    case) or a dotted `module.Class` path, which is imported to check it."""
    name = PipelineOptions(list(beam_args)).view_as(StandardOptions).runner
    if not name or not isinstance(name, str):
        return
    lower = name.lower()
    if lower in _RUNNER_MAP or lower + "runner" in _RUNNER_MAP:
        return
    if "." in name:
        module, _, cls = name.rpartition(".")
        try:
            if hasattr(importlib.import_module(module), cls):
                return
        except ImportError:
            pass
    known = sorted({path.rsplit(".", 1)[1] for path in _RUNNER_MAP.values()} - {"PythonRPCDirectRunner"})
    raise UsageError(f"--runner {name!r} is not a Beam runner; use one of {', '.join(known)} or a module.Class path")


def plan_execution(
    beam_args: Sequence[str],
    inputs: Sequence[str | InputRange],
    log_format: str | None,
    cpu_count: int,
    *,
    allow_workers: bool = True,
    streaming: bool = False,
) -> ExecutionPlan:
    """The runner, worker count and inputs of a run (see the module docstring for the rules)."""
    args = [*beam_args] if allow_workers else [*beam_args, "--direct_num_workers=1"]
    options = PipelineOptions(args)
    chosen = options.view_as(StandardOptions).runner
    runner = chosen or (DEFAULT_STREAM_RUNNER if streaming else DEFAULT_BATCH_RUNNER)
    if not chosen:
        args.append(f"--runner={runner}")
    whole = tuple(inputs)
    if streaming:
        return ExecutionPlan(runner, 1 if runner in _LOCAL_STREAM_RUNNERS else None, whole, tuple(args))
    plain = [i for i in whole if isinstance(i, str)]
    splittable = len(plain) == len(whole)  # ranges (cron) are read as planned, never split again
    if runner not in _LOCAL_BATCH_RUNNERS:
        split = parallel.split_inputs(plain, cpu_count, log_format) if splittable else whole
        return ExecutionPlan(runner, None, tuple(split), tuple(args))
    if any(flag.startswith(_DIRECT_FLAGS) for flag in args):
        direct = options.view_as(DirectOptions)
        if direct.direct_running_mode != "multi_processing":
            return ExecutionPlan(runner, 1, whole, tuple(args))
        split = parallel.split_inputs(plain, cpu_count, log_format) if splittable else whole
        return ExecutionPlan(runner, direct.direct_num_workers, tuple(split), tuple(args))
    in_process = ExecutionPlan(runner, 1, whole, tuple(args))
    # Estimated on the whole files: only a file of at least SPLIT_MIN_BYTES (= the threshold) is split,
    # so whether a split would happen never changes which side of the threshold the inputs are on.
    if cpu_count < 2 or parallel.estimated_bytes(whole) < PARALLEL_THRESHOLD_BYTES:
        return in_process
    split = parallel.split_inputs(plain, cpu_count, log_format) if splittable else whole
    if len(split) < 2:
        return in_process
    spread = ("--direct_running_mode=multi_processing", f"--direct_num_workers={cpu_count}")
    return ExecutionPlan(runner, cpu_count, tuple(split), (*args, *spread), automatic=True)
