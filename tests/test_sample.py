"""The bundled sample (`statuslens.sample`) covers the whole contract, and its generator is deterministic.

`statuslens batch` runs in-process on the three sample files; the counts it reports are checked
against DOMAIN.md §5/§6 and against an independent count of the files made here with plain Python.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from statuslens.pipelines.cli import main

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "benchmarks" / "generate_corpus.py"
SAMPLE = Path(str(files("statuslens.sample")))
JSONL = SAMPLE / "api-access.jsonl.gz"
COMBINED = SAMPLE / "api-access.log"
HAR = SAMPLE / "capture.har"
VERDICTS = ("documented", "undocumented_code", "undocumented_subcode", "undocumented_message", "out_of_scope")
FLAGS = ("http_status_mismatch", "body_unparseable")


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sample-run") / "out"
    status = main(["batch", "--input", str(JSONL), "--input", str(COMBINED), "--input", str(HAR), "--output", str(out)])
    assert status == 0
    result: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return result


def _non_blank_lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip())


def _independent_count() -> int:
    """Non-blank lines of the two line files plus HAR entries, without statuslens."""
    lines = _non_blank_lines(gzip.decompress(JSONL.read_bytes())) + _non_blank_lines(COMBINED.read_bytes())
    har = json.loads(HAR.read_bytes().decode("utf-8-sig"))
    return lines + len(har["log"]["entries"])


def test_sample_files_are_small_and_shipped() -> None:
    for path in (JSONL, COMBINED, HAR, SAMPLE / "README.md"):
        assert path.is_file(), path
    assert sum(p.stat().st_size for p in (JSONL, COMBINED, HAR)) < 200_000


def test_every_verdict_and_flag_occurs(summary: dict[str, Any]) -> None:
    assert set(summary["verdicts"]) == set(VERDICTS)
    for verdict in VERDICTS:
        assert summary["verdicts"][verdict] > 0, verdict
    for flag in FLAGS:
        assert summary["flags"][flag] > 0, flag


def test_three_inputs_one_per_format(summary: dict[str, Any]) -> None:
    formats = {Path(info["path"]).name: info["format"] for info in summary["inputs"]}
    assert formats == {"api-access.jsonl.gz": "jsonl", "api-access.log": "combined_body", "capture.har": "har"}
    compressions = {Path(info["path"]).name: info["compression"] for info in summary["inputs"]}
    assert compressions["api-access.jsonl.gz"] == "gzip"
    assert all(info["damaged"] is None for info in summary["inputs"])


def test_counts_add_up(summary: dict[str, Any]) -> None:
    assert summary["dead_letter"] >= 1
    assert summary["blank_lines"] >= 1
    assert summary["records_in"] == summary["records_annotated"] + summary["dead_letter"]
    assert summary["records_in"] == _independent_count()
    assert sum(summary["verdicts"].values()) == summary["records_annotated"]
    assert sum(info["records"] + info["dead_letter"] for info in summary["inputs"]) == summary["records_in"]


def _generate(out: Path, *args: str) -> bytes:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *args], check=True)
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "combined_body", "har"])
def test_generator_is_deterministic(tmp_path: Path, fmt: str) -> None:
    args = ("--records", "120", "--format", fmt, "--seed", "7", "--dirty", "--gzip")
    first = _generate(tmp_path / "a.gz", *args)
    second = _generate(tmp_path / "b.gz", *args)
    assert first == second
    other_seed = _generate(tmp_path / "c.gz", "--records", "120", "--format", fmt, "--seed", "8", "--dirty", "--gzip")
    assert other_seed != first


def test_generator_writes_exactly_the_records_asked_for(tmp_path: Path) -> None:
    data = _generate(tmp_path / "clean.jsonl", "--records", "75", "--format", "jsonl", "--seed", "3")
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 75
    assert all(json.loads(line)["status"] for line in lines)
    har = json.loads(_generate(tmp_path / "clean.har", "--records", "75", "--format", "har", "--seed", "3"))
    assert len(har["log"]["entries"]) == 75


def test_sample_is_what_the_readme_commands_write(tmp_path: Path) -> None:
    """The bundled files are reproducible from the commands in sample/README.md."""
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    commands = [
        line.split()[2:] for line in readme.splitlines() if line.startswith("python benchmarks/generate_corpus.py ")
    ]
    assert len(commands) == 3
    for args in commands:
        at = args.index("--out")
        shipped = REPO / args[at + 1]
        fresh = _generate(tmp_path / shipped.name, *args[:at], *args[at + 2 :])
        if shipped.suffix == ".gz":  # compare content: compressed bytes may differ between zlib builds
            assert gzip.decompress(fresh) == gzip.decompress(shipped.read_bytes()), shipped.name
        else:
            assert fresh == shipped.read_bytes(), shipped.name
