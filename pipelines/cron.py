"""`statuslens cron`: an incremental batch run that processes only what is new, exactly once.

Order of a run (each step safe to die in):
1. take the lock (flock on STATE/lock: a killed run's lock dies with it), else exit 75;
2. tidy up after a crash: a `runs/.partial-NAME` folder is finished if NAME is in the committed
   state (it died after committing), deleted otherwise (its work will be redone);
3. plan the new bytes of every input (pipelines/manifest.py), run the batch graph on them into
   `runs/.partial-NAME`;
4. commit the state (manifest + cumulative groups + run list) atomically — the commit point;
5. rename `runs/.partial-NAME` to `runs/NAME`, prune old runs, write metrics.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from statuslens.pipelines.atomic import atomic_write, fsync_dir, write_after_commit
from statuslens.pipelines.batch import BatchConfig, expand_inputs, run_batch
from statuslens.pipelines.manifest import Manifest, PlannedRead, plan_reads
from statuslens.pipelines.metrics import render_metrics
from statuslens.transforms.errors import RunLocked, UsageError
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.outputs.expectations import Expectations
from statuslens.transforms.outputs.summary import counts_from_summary, summary_counts
from statuslens.transforms.readers.beam_read import InputRange
from statuslens.transforms.readers.pinned import pin_all, unpin_all
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["EXIT_LOCKED", "EXIT_NEW_ANOMALIES", "CronConfig", "CronResult", "run_cron"]

EXIT_NEW_ANOMALIES = 3
EXIT_LOCKED = 75
STATE_FILE = "state.json"
PARTIAL_PREFIX = ".partial-"
DELETING_PREFIX = ".deleting-"
_MAX_REMEMBERED_RUNS = 1000


@dataclass(frozen=True)
class CronConfig:
    inputs: tuple[str, ...]
    state_dir: Path
    output_dir: Path
    catalog: Catalog
    log_format: str | None = None
    field_map: dict[str, str] = field(default_factory=dict)
    annotated: str = "errors"
    settle_seconds: float = 300.0
    keep_runs: int = 30
    fail_on_new: bool = False
    baseline: bool = False
    metrics_file: Path | None = None
    expectations: Expectations | None = None  # --expect: known groups are marked and never alert
    progress: bool = False  # the progress line on stderr (pipelines/progress.py)


@dataclass
class CronResult:
    run_dir: Path
    summary: dict[str, Any]
    new_groups: list[dict[str, Any]]
    exit_code: int


def run_cron(config: CronConfig, beam_args: list[str]) -> CronResult:
    """One incremental run; raises RunLocked when another run holds the lock.

    Usage errors (a remote --input, a state file that is not ours) are found first: before the lock
    is taken, a folder made or a pipeline built. The state is read again under the lock."""
    _check_local_inputs(config.inputs)
    _load_state(config.state_dir / STATE_FILE)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    runs_dir = config.output_dir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    with open(config.state_dir / "lock", "a+b") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"another statuslens cron run holds {config.state_dir / 'lock'}") from None
        return _locked_run(config, runs_dir, beam_args)


def _locked_run(config: CronConfig, runs_dir: Path, beam_args: list[str]) -> CronResult:
    started = time.time()
    state = _load_state(config.state_dir / STATE_FILE)
    _recover(runs_dir, set(state["runs"]))
    manifest = Manifest.from_json(state["manifest"])
    paths = list(expand_inputs(config.inputs))
    pins: dict[str, int] = {}
    try:
        reads, notes = plan_reads(paths, manifest, now=time.time(), settle_seconds=config.settle_seconds, pins=pins)
    finally:
        pin_all(pins)  # the run reads the files planned, whatever logrotate renames meanwhile
    try:
        return _run_planned(config, runs_dir, beam_args, state, manifest, reads, notes, started)
    finally:
        unpin_all()


def _run_planned(
    config: CronConfig,
    runs_dir: Path,
    beam_args: list[str],
    state: dict[str, Any],
    manifest: Manifest,
    reads: list[PlannedRead],
    notes: list[str],
    started: float,
) -> CronResult:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    name = _run_name(runs_dir, set(state["runs"]))
    partial = runs_dir / f"{PARTIAL_PREFIX}{name}"
    if partial.exists():
        shutil.rmtree(partial)
    result = run_batch(
        BatchConfig(
            inputs=tuple(_as_range(r) for r in reads),
            output=str(partial),
            catalog=config.catalog,
            log_format=config.log_format,
            field_map=config.field_map,
            annotated=config.annotated,
            known_groups=frozenset(state["groups"]),
            baseline=config.baseline,
            expectations=config.expectations,
            progress=config.progress,
        ),
        beam_args,
        allow_workers=False,
    )
    summary, groups = result.summary, result.groups

    new_groups = _merge_groups(state["groups"], groups)
    for read in reads:
        manifest.record(read)
    # Cumulative counts: the committed ones plus this run's, in the summary's own fields.
    totals = summary_counts(counts_from_summary(state["totals"]).merge(counts_from_summary(summary)))
    state["totals"] = totals
    state["manifest"] = manifest.to_json()
    state["runs"] = [*state["runs"], name][-_MAX_REMEMBERED_RUNS:]
    state["last_success"] = time.time()
    # The commit point: from here on this run's work is done, whatever happens next.
    atomic_write(config.state_dir / STATE_FILE, orjson.dumps(state, option=orjson.OPT_INDENT_2))
    final = runs_dir / name
    try:
        os.replace(partial, final)
        fsync_dir(runs_dir)
        _prune(runs_dir, config.keep_runs)
    except OSError as exc:  # committed: the next run finishes the folder (see _recover)
        print(
            f"warning: the run is committed but its folder was not finished ({exc}); the next run will", file=sys.stderr
        )

    if config.metrics_file is not None:
        metrics = render_metrics(summary, len(new_groups), time.time() - started, state["last_success"], totals)
        write_after_commit("--metrics-file", config.metrics_file, metrics.encode())
    alert = any("expected" not in g for g in new_groups) and config.fail_on_new and not config.baseline
    return CronResult(final, summary, new_groups, EXIT_NEW_ANOMALIES if alert else 0)


def _merge_groups(known: dict[str, dict[str, Any]], groups: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold this run's groups into the cumulative ones; returns the groups never seen before, as their
    state entries (plus `expected` when an --expect entry names them): what their lines print, and
    no second copy of a group's samples (a run may bring 100,000 new groups)."""
    new = []
    for group in groups:
        key = GroupKey.from_json(group).id
        entry = known.get(key)
        if entry is None:
            # The key fields (the message as first seen), then what adds up over runs.
            entry = known[key] = {name: group[name] for name in (*GroupKey._fields, "first_seen", "last_seen", "count")}
            new.append(entry if "expected" not in group else {**entry, "expected": group["expected"]})
            continue
        entry["count"] += group["count"]
        entry["first_seen"] = min(entry["first_seen"], group["first_seen"])
        entry["last_seen"] = max(entry["last_seen"], group["last_seen"])
    return new


def _check_local_inputs(patterns: tuple[str, ...]) -> None:
    """UsageError for an --input on another filesystem: offsets and rotation are followed on this machine."""
    remote = [p for p in patterns if "://" in p]
    if remote:
        raise UsageError(
            f"--input {remote[0]!r}: cron reads local files only (it follows offsets and "
            "rotation on this machine); use batch for other filesystems"
        )


# The state file's parts and the JSON type each must have.
_STATE_SHAPE = {"manifest": dict, "groups": dict, "runs": list, "totals": dict}
_JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _load_state(path: Path) -> dict[str, Any]:
    """The committed state (a fresh one when there is none); UsageError for a file that is not ours."""
    if not path.exists():
        return {"version": 1, "manifest": {}, "groups": {}, "runs": [], "totals": {}, "last_success": None}
    try:
        state = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"--state: {path} is not a statuslens state file ({exc})") from exc
    except OSError as exc:
        raise UsageError(f"--state: cannot read {path}: {exc.strerror or exc}") from exc
    problem = _shape_problem(state)
    if problem:
        raise UsageError(f"--state: {path} is not a statuslens state file ({problem})")
    checked: dict[str, Any] = state
    return checked


def _shape_problem(state: Any) -> str | None:
    """What makes a parsed state file unusable, or None."""
    if not isinstance(state, dict):
        return f"expected a JSON object, not {_JSON_KINDS.get(type(state), 'a value')}"
    for key, kind in _STATE_SHAPE.items():
        if not isinstance(state.get(key), kind):
            return f"{key!r} is missing or not a JSON {'object' if kind is dict else 'array'}"
    if not all(isinstance(name, str) for name in state["runs"]):
        return "'runs' holds something other than run names"
    if not all(isinstance(group, dict) for group in state["groups"].values()):
        return "'groups' holds something other than groups"
    try:
        Manifest.from_json(state["manifest"])
    except (TypeError, AttributeError) as exc:
        return f"'manifest' has an entry that is not a file state ({exc})"
    return None


def _recover(runs_dir: Path, committed: set[str]) -> None:
    for doomed in runs_dir.glob(f"{DELETING_PREFIX}*"):
        shutil.rmtree(doomed, ignore_errors=True)
    for partial in runs_dir.glob(f"{PARTIAL_PREFIX}*"):
        name = partial.name[len(PARTIAL_PREFIX) :]
        if name in committed and not (runs_dir / name).exists():
            os.replace(partial, runs_dir / name)
        else:
            shutil.rmtree(partial, ignore_errors=True)
    fsync_dir(runs_dir)


def _run_name(runs_dir: Path, committed: set[str]) -> str:
    base = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    name, n = base, 1
    while name in committed or (runs_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _prune(runs_dir: Path, keep: int) -> None:
    finished = sorted(p for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in finished[: max(0, len(finished) - keep)]:
        # Renamed first: a run killed mid-delete never leaves a complete-looking, half-empty folder.
        doomed = runs_dir / f"{DELETING_PREFIX}{old.name}"
        os.replace(old, doomed)
        shutil.rmtree(doomed, ignore_errors=True)


def _as_range(read: PlannedRead) -> InputRange:
    return InputRange(read.path, read.start, read.end, read.first_line)
