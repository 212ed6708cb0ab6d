"""The execution plan: runner, worker count and inputs from the flags and the inputs, no Beam run."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from statuslens.pipelines import parallel, plan
from statuslens.pipelines.plan import plan_execution
from statuslens.transforms.readers.beam_read import InputRange

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample" / "api-access.log"
MP = "--direct_running_mode=multi_processing"


@pytest.fixture()
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of 1 KiB count as large, so the cases stay small."""
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 1024)
    monkeypatch.setattr(plan, "PARALLEL_THRESHOLD_BYTES", 1024)


@pytest.fixture()
def big_log(tmp_path: Path) -> str:
    log = tmp_path / "big.log"
    log.write_bytes(SAMPLE_LOG.read_bytes())  # 66 KiB of combined_body lines
    return str(log)


@pytest.fixture()
def small_log(tmp_path: Path) -> str:
    log = tmp_path / "small.log"
    log.write_bytes(SAMPLE_LOG.read_bytes()[:500])
    return str(log)


def test_small_inputs_run_in_this_process_on_the_default_runner(small_log: str) -> None:
    got = plan_execution([], [small_log], None, cpu_count=8)
    assert (got.runner, got.workers, got.inputs, got.automatic) == ("FnApiRunner", 1, (small_log,), False)
    assert got.beam_args == ("--runner=FnApiRunner",)


@pytest.mark.usefixtures("small_thresholds")
def test_large_plain_input_is_split_over_every_core(big_log: str) -> None:
    got = plan_execution([], [big_log], None, cpu_count=4)
    assert got.automatic and got.workers == 4 and got.runner == "FnApiRunner"
    assert got.beam_args == ("--runner=FnApiRunner", MP, "--direct_num_workers=4")
    assert all(isinstance(part, InputRange) for part in got.inputs)
    assert len(got.inputs) >= 8 and all(a.end == b.start for a, b in itertools.pairwise(got.inputs))
    assert got.inputs[0].start == 0 and got.inputs[-1].end == Path(big_log).stat().st_size


@pytest.mark.usefixtures("small_thresholds")
def test_one_core_keeps_large_inputs_whole_in_process(big_log: str) -> None:
    got = plan_execution([], [big_log], None, cpu_count=1)
    assert (got.workers, got.inputs, got.automatic) == (1, (big_log,), False)


@pytest.mark.usefixtures("small_thresholds")
def test_archives_spread_over_workers_whole_but_one_archive_stays_in_process(tmp_path: Path) -> None:
    archives = []
    for name in ("a.log.gz", "b.log.gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(SAMPLE_LOG.read_bytes()))
        archives.append(str(path))
    two = plan_execution([], archives, None, cpu_count=2)
    assert two.automatic and two.workers == 2 and two.inputs == tuple(archives)
    one = plan_execution([], archives[:1], None, cpu_count=2)
    assert (one.workers, one.inputs, one.automatic) == (1, (archives[0],), False)


@pytest.mark.usefixtures("small_thresholds")
def test_remote_inputs_are_not_estimated() -> None:
    remote = ["gs://bucket/a.log", "gs://bucket/b.log"]
    got = plan_execution([], remote, None, cpu_count=4)
    assert (got.workers, got.inputs, got.automatic) == (1, tuple(remote), False)


@pytest.mark.usefixtures("small_thresholds")
@pytest.mark.parametrize(
    ("flags", "split", "workers"),
    [
        (["--direct_num_workers=1"], False, 1),
        (["--direct_num_workers", "2"], False, 1),  # in_memory, Beam's default mode: one process
        (["--direct_running_mode=in_memory"], False, 1),
        (["--direct_running_mode=multi_threading"], False, 1),
        ([MP, "--direct_num_workers=1"], True, 1),
        ([MP, "--direct_num_workers=3"], True, 3),
        (["--runner=PortableRunner", "--direct_num_workers=1"], True, None),
    ],
)
def test_the_users_flags_win_and_inputs_are_split_only_for_several_processes(
    flags: list[str], split: bool, workers: int | None, big_log: str
) -> None:
    got = plan_execution(flags, [big_log], None, cpu_count=4)
    assert got.workers == workers and not got.automatic
    assert got.beam_args[: len(flags)] == tuple(flags)
    assert all(isinstance(part, InputRange) for part in got.inputs) is split
    assert (got.inputs == (big_log,)) is not split


@pytest.mark.usefixtures("small_thresholds")
def test_an_explicit_runner_is_kept(big_log: str) -> None:
    got = plan_execution(["--runner=DirectRunner"], [big_log], None, cpu_count=2)
    assert got.runner == "DirectRunner" and got.automatic and got.workers == 2
    assert not any(flag == "--runner=FnApiRunner" for flag in got.beam_args)


@pytest.mark.usefixtures("small_thresholds")
def test_no_split_is_made_for_a_run_in_one_process(big_log: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = parallel.split_inputs
    monkeypatch.setattr(parallel, "split_inputs", lambda *a: calls.append(a) or real(*a))
    for flags in (["--direct_num_workers", "2"], ["--direct_running_mode=in_memory"], ["--direct_num_workers=1"]):
        assert plan_execution(flags, [big_log], None, cpu_count=4).inputs == (big_log,)
    assert plan_execution([], [big_log], None, cpu_count=4, allow_workers=False).inputs == (big_log,)
    assert calls == []
    plan_execution([], [big_log], None, cpu_count=4)
    assert len(calls) == 1


@pytest.mark.usefixtures("small_thresholds")
def test_cron_pins_one_process_and_never_splits_its_ranges(big_log: str) -> None:
    ranges = [InputRange(big_log, 0, 5000, 1), InputRange(big_log, 5000, None, 40)]
    got = plan_execution([], ranges, None, cpu_count=4, allow_workers=False)
    assert (got.workers, got.inputs, got.automatic) == (1, tuple(ranges), False)
    assert got.beam_args == ("--direct_num_workers=1", "--runner=FnApiRunner")
    spread = plan_execution([MP], ranges, None, cpu_count=4, allow_workers=False)
    assert spread.inputs == tuple(ranges) and spread.workers == 1


def test_stream_defaults_to_the_bundle_based_direct_runner_and_keeps_the_users() -> None:
    default = plan_execution([], (), None, 1, streaming=True)
    assert (default.runner, default.workers, default.inputs) == ("BundleBasedDirectRunner", 1, ())
    assert default.beam_args == ("--runner=BundleBasedDirectRunner",)
    flink = plan_execution(["--runner=FlinkRunner"], (), None, 1, streaming=True)
    assert (flink.runner, flink.workers, flink.beam_args) == ("FlinkRunner", None, ("--runner=FlinkRunner",))


def test_pipeline_options_carry_the_plan(big_log: str) -> None:
    from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

    got = plan_execution(["--direct_num_workers=1"], [big_log], None, cpu_count=4)
    options = got.pipeline_options()
    assert options.view_as(StandardOptions).runner == "FnApiRunner"
    assert options.view_as(DirectOptions).direct_num_workers == 1
