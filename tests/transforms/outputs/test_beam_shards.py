"""Batch shards: bundles write temporary files, the last step moves them in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that

from statuslens.pipelines.batch import prepare_output
from statuslens.transforms.outputs.beam_shards import TEMP_PREFIX, WriteShardsFn, finalize_shards, temp_folder
from tests.conftest import TEST_RUNNER

LINES = [f'{{"n":{i}}}'.encode() for i in range(25)]


def _written(folder: Path) -> list[bytes]:
    return sorted(line for part in folder.iterdir() for line in part.read_bytes().splitlines())


def _one_file_per_bundle_in(temp: str) -> Callable[[list[tuple[str, str]]], None]:
    def check(emitted: list[tuple[str, str]]) -> None:
        paths = [path for _, path in emitted]
        assert emitted and {kind for kind, _ in emitted} == {"annotated"}
        assert len(set(paths)) == len(paths) and all(Path(path).parent == Path(temp) for path in paths)
        assert sorted(paths) == sorted(str(path) for path in Path(temp).iterdir())  # every file is named

    return check


def test_bundles_write_shards_that_finalize_moves_in_place(tmp_path: Path) -> None:
    temp = temp_folder(str(tmp_path))
    with TestPipeline(runner=TEST_RUNNER) as pipeline:
        shards = pipeline | beam.Create(LINES) | beam.ParDo(WriteShardsFn(temp, "annotated"))
        assert_that(shards, _one_file_per_bundle_in(temp))
    paths = [("annotated", str(path)) for path in Path(temp).iterdir()]
    finalize_shards(str(tmp_path), temp, paths, ("annotated", "dead_letter"))
    assert _written(tmp_path / "annotated") == sorted(LINES)
    total = len(paths)
    assert sorted(p.name for p in (tmp_path / "annotated").iterdir()) == [
        f"part-{i:05d}-of-{total:05d}.jsonl" for i in range(total)
    ]
    # A kind with no line still gets its folder and one empty part, as WriteToText left it.
    assert [(p.name, p.stat().st_size) for p in (tmp_path / "dead_letter").iterdir()] == [
        ("part-00000-of-00001.jsonl", 0)
    ]
    assert not Path(temp).exists()


def test_finalize_run_again_after_it_moved_the_shards_is_a_no_op(tmp_path: Path) -> None:
    """A retried last step finds its shards already moved: it must neither fail nor lose them."""
    temp = Path(temp_folder(str(tmp_path)))
    temp.mkdir()
    shards = []
    for i in range(3):
        shard = temp / f"annotated-{i}.jsonl"
        shard.write_bytes(b"".join(line + b"\n" for line in LINES[i::3]))
        shards.append(("annotated", str(shard)))
    finalize_shards(str(tmp_path), str(temp), shards, ("annotated",))
    finalize_shards(str(tmp_path), str(temp), shards, ("annotated",))
    assert _written(tmp_path / "annotated") == sorted(LINES)


def test_a_crashed_runs_temporary_folders_go_with_the_next_run(tmp_path: Path) -> None:
    empty = tmp_path / f"{TEMP_PREFIX}aaa"
    empty.mkdir()
    full = tmp_path / f"{TEMP_PREFIX}bbb"
    full.mkdir()
    (full / "annotated-x.jsonl").write_bytes(b'{"n":1}\n')
    prepare_output(str(tmp_path), overwrite=False)
    assert list(tmp_path.iterdir()) == []
