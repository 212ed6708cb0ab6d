"""The same graph on Beam's portable path (what Flink, Spark and Dataflow run): a local job service
and an external worker pool, started here, give byte-identical results to the default runner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from statuslens.pipelines.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
INPUTS = [SAMPLE / "api-access.jsonl.gz", SAMPLE / "api-access.log", SAMPLE / "capture.har"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service on port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def portable_services() -> Iterator[tuple[int, int]]:
    """A Beam job service and an external SDK worker pool on loopback ports."""
    job_port, pool_port = _free_port(), _free_port()
    job = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main", "--port", str(job_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The pool starts each worker as plain `python`: this interpreter's folder must come first on PATH.
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    pool = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", f"--service_port={pool_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_for(job_port, job)
        _wait_for(pool_port, pool)
        yield job_port, pool_port
    finally:
        for process in (job, pool):
            process.terminate()
        for process in (job, pool):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _batch(out: Path, *beam_flags: str, subprocess_timeout: float | None = None) -> dict[str, bytes]:
    argv = ["batch", "--output", str(out)]
    for path in INPUTS:
        argv += ["--input", str(path)]
    if subprocess_timeout is None:
        assert main([*argv, *beam_flags]) == 0
    else:  # a portable job whose workers cannot start waits forever: bound it
        done = subprocess.run(
            [sys.executable, "-m", "statuslens.pipelines.cli", *argv, *beam_flags],
            capture_output=True,
            text=True,
            timeout=subprocess_timeout,
        )
        assert done.returncode == 0, done.stderr
    summary = orjson.loads((out / "summary.json").read_bytes())
    del summary["started_at"], summary["finished_at"]
    annotated = sorted(line for f in (out / "annotated").iterdir() for line in f.read_bytes().splitlines())
    dead = sorted(line for f in (out / "dead_letter").iterdir() for line in f.read_bytes().splitlines())
    return {
        "summary": orjson.dumps(summary),
        "anomalies": (out / "anomalies.jsonl").read_bytes(),
        "annotated": b"\n".join(annotated),
        "dead_letter": b"\n".join(dead),
    }


@pytest.mark.slow
def test_portable_runner_matches_the_default_runner(portable_services: tuple[int, int], tmp_path: Path) -> None:
    job_port, pool_port = portable_services
    default = _batch(tmp_path / "default")
    portable = _batch(
        tmp_path / "portable",
        "--runner",
        "PortableRunner",
        f"--job_endpoint=localhost:{job_port}",
        "--environment_type=EXTERNAL",
        f"--environment_config=localhost:{pool_port}",
        subprocess_timeout=300,
    )
    assert portable == default
    assert orjson.loads(default["summary"])["records_in"] > 300
