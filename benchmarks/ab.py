#!/usr/bin/env python3
"""Compare two statuslens builds on the same files: runs alternate (A B, B A, …), medians compared.

Wall time swings on a shared machine; alternating cancels slow drifts, and the CPU time of the whole
process tree (workers included, from getrusage) is the steadier figure.

    python benchmarks/ab.py --a OLD/bin/statuslens --b NEW/bin/statuslens --input big.log [--input …] --rounds 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import tempfile
import time


def run_once(statuslens: str, inputs: list[str], out: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one `statuslens batch`."""
    argv = [statuslens, "batch", "--output", out, "--overwrite"]
    for path in inputs:
        argv += ["--input", path]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="the baseline build's statuslens executable")
    parser.add_argument("--b", required=True, help="the build under test")
    parser.add_argument("--input", action="append", required=True, help="a log file (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    with tempfile.TemporaryDirectory() as work:
        for round_ in range(args.rounds):
            for name in ("a", "b") if round_ % 2 == 0 else ("b", "a"):
                figures[name].append(run_once(getattr(args, name), args.input, f"{work}/{name}"))
    for name in ("a", "b"):
        walls = ", ".join(f"{w:.2f}" for w, _ in figures[name])
        cpus = ", ".join(f"{c:.2f}" for _, c in figures[name])
        print(f"{name}: wall s {walls}; CPU s {cpus}")
    wall = statistics.median(w for w, _ in figures["b"]) / statistics.median(w for w, _ in figures["a"])
    cpu = statistics.median(c for _, c in figures["b"]) / statistics.median(c for _, c in figures["a"])
    print(f"b/a medians: wall {wall:.2f}x, CPU {cpu:.2f}x")


if __name__ == "__main__":
    main()
