#!/usr/bin/env python3
"""Benchmark `statuslens batch` against the reference script and GoAccess, in one run.

Generates a deterministic mixed corpus (half JSON lines .gz, half nginx `combined_body` .gz, from
benchmarks/generate_corpus.py), then on the same files measures records/s and the peak RSS of the
whole process tree (workers included) for:
- `statuslens batch` with default settings, and with `--no-causes` (DOMAIN.md §8 skipped): the two
  alternate `--repeat` times and their medians are compared (records/s and process-tree CPU time);
- benchmarks/reference.py, the single-process script a user would write (stdlib json, xml.etree);
- GoAccess on the plain `combined_body` file (when `goaccess` is installed), against statuslens on
  that same file: the two alternate `--repeat` times (default 3) and their medians are compared;
- the floor: statuslens's own reader alone reading and decompressing the same files (one process,
  no parsing), so the distance to the limit shows;
- `statuslens batch` on a 10-line file (start-up time);
- with --growth K, statuslens again on K times the records (causes on), for the RSS growth ratio.
Figures are printed as ratios measured in this same run: the machine is shared and noisy.

    python benchmarks/bench.py                  # 1,000,000 records
    python benchmarks/bench.py --records 1000000 --growth 4
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    name: str
    seconds: float
    peak_rss_mb: float
    records: int
    cpu_seconds: float = 0.0  # the whole process tree's (workers included), from getrusage

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(name: str, command: list[str], records: int) -> Measure:
    """Run `command`, sampling the RSS of its process tree every 50 ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{name} failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")
    return Measure(name, seconds, peak / 2**20, records, cpu)


def median_run(runs: list[Measure]) -> Measure:
    """The run of median duration (peak RSS: the highest of all runs)."""
    ordered = sorted(runs, key=lambda m: m.seconds)
    middle = ordered[len(ordered) // 2]
    cpu = statistics.median(m.cpu_seconds for m in runs)
    return Measure(middle.name, middle.seconds, max(m.peak_rss_mb for m in runs), middle.records, cpu)


def generate(workdir: Path, records: int) -> tuple[Path, Path]:
    half = records // 2
    jsonl = workdir / f"api-{records}.jsonl.gz"
    combined = workdir / f"api-{records}.log.gz"
    for out, fmt, seed, count in ((jsonl, "jsonl", 11, half), (combined, "combined_body", 12, records - half)):
        if not out.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "generate_corpus.py"),
                    "--records",
                    str(count),
                    "--format",
                    fmt,
                    "--seed",
                    str(seed),
                    "--gzip",
                    "--out",
                    str(out),
                ],
                check=True,
            )
    return jsonl, combined


def statuslens(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    command = [shutil.which("statuslens") or "statuslens", "batch", "--output", str(out), "--overwrite", *extra]
    for path in inputs:
        command += ["--input", str(path)]
    return command


# statuslens's reader alone (transforms/readers/files.py): every line read and cut into chunks, no parsing.
FLOOR = """import sys
from statuslens.transforms.readers.files import read_input
items = 0
for path in sys.argv[1:]:
    for chunk in read_input(path):
        items += len(getattr(chunk, "items", ()))
print(items)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the mixed corpus")
    parser.add_argument(
        "--growth",
        type=int,
        default=0,
        metavar="K",
        help="also run statuslens on K x the records and report the RSS growth",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated files here (default: temp)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="alternated runs of statuslens and GoAccess on the plain file, and of statuslens with and "
        "without causes (medians compared)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="statuslens-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = args.records
    print(f"corpus: {n} records (JSON lines .gz + combined_body .gz) in {workdir}", flush=True)
    jsonl, combined = generate(workdir, n)
    plain = workdir / combined.name.removesuffix(".gz")
    if not plain.exists():
        with gzip.open(combined, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    results: dict[str, Measure] = {}
    # With and without causes (--no-causes), alternated on the same files; the medians are compared.
    on_runs: list[Measure] = []
    off_runs: list[Measure] = []
    for round_ in range(args.repeat):
        for causes in (True, False) if round_ % 2 == 0 else (False, True):
            if causes:
                on_runs.append(measure("statuslens batch", statuslens([jsonl, combined], workdir / "out"), n))
            else:
                command = statuslens([jsonl, combined], workdir / "out-off", "--no-causes")
                off_runs.append(measure("statuslens batch (causes off)", command, n))
    results["statuslens"] = median_run(on_runs)
    results["statuslens_off"] = median_run(off_runs)
    results["floor"] = measure(
        "floor: read + decompress only (1 process)", [sys.executable, "-c", FLOOR, str(jsonl), str(combined)], n
    )
    results["reference"] = measure(
        "reference script",
        [
            sys.executable,
            str(HERE / "reference.py"),
            "--catalog",
            str(REPO / "configs" / "catalogs" / "netflix-api.yaml"),
            "--out",
            str(workdir / "reference.jsonl"),
            str(jsonl),
            str(combined),
        ],
        n,
    )
    lines = n - n // 2
    # statuslens and GoAccess on the plain file, alternated `--repeat` times; the medians are compared
    # (one run of each swings by 20% on a shared 2-core machine).
    goaccess = shutil.which("goaccess")
    plain_runs: list[Measure] = []
    goaccess_runs: list[Measure] = []
    for _ in range(args.repeat):
        plain_runs.append(
            measure("statuslens batch (plain combined_body)", statuslens([plain], workdir / "out-plain"), lines)
        )
        if goaccess:
            goaccess_runs.append(
                measure(
                    "goaccess",
                    [
                        goaccess,
                        str(plain),
                        "--log-format=COMBINED",
                        "--no-global-config",
                        "-o",
                        str(workdir / "goaccess.json"),
                    ],
                    lines,
                )
            )
    results["statuslens_plain"] = median_run(plain_runs)
    if goaccess_runs:
        results["goaccess"] = median_run(goaccess_runs)

    ten = workdir / "ten.log"
    with open(plain, "rb") as handle:
        ten.write_bytes(b"".join(handle.readline() for _ in range(10)))
    starts = [
        measure("statuslens batch (10 lines)", statuslens([ten], workdir / "out-ten"), 10).seconds for _ in range(3)
    ]

    if args.growth > 1:
        big = n * args.growth
        big_jsonl, big_combined = generate(workdir, big)
        results["statuslens_big"] = measure(
            f"statuslens batch ({big} records)", statuslens([big_jsonl, big_combined], workdir / "out-big"), big
        )

    print(f"\n{'run':<44}{'records':>10}{'seconds':>10}{'records/s':>12}{'peak RSS MB':>13}")
    for m in results.values():
        print(f"{m.name:<44}{m.records:>10}{m.seconds:>10.2f}{m.rate:>12.0f}{m.peak_rss_mb:>13.0f}")
    runs_of = (("statuslens", on_runs), ("statuslens (causes off)", off_runs))
    for label, runs in (*runs_of, ("statuslens (plain)", plain_runs), ("goaccess", goaccess_runs)):
        if len(runs) > 1:
            print(f"  {label} seconds, all runs: {', '.join(f'{m.seconds:.2f}' for m in runs)} (median used)")
    s, ref = results["statuslens"], results["reference"]
    print(f"\nstatuslens / reference records/s: {s.rate / ref.rate:.2f}x  (target >= 6x)")
    if "goaccess" in results:
        g, p = results["goaccess"], results["statuslens_plain"]
        print(
            f"statuslens / goaccess lines/s on the plain combined_body file: {p.rate / g.rate:.2f}x  (target >= 2.0x)"
        )
    else:
        print("goaccess: not installed (apt-get install goaccess), comparison skipped")
    floor = results["floor"]
    print(
        f"floor: statuslens takes {s.seconds / floor.seconds:.1f}x the wall time of reading and decompressing "
        "the same files alone (the floor is one process; statuslens runs two workers)"
    )
    off = results["statuslens_off"]
    print(
        f"causes on / off records/s: {s.rate / off.rate:.2f}  (target >= 0.85); by process-tree CPU seconds "
        f"(on {s.cpu_seconds:.1f}, off {off.cpu_seconds:.1f}): {off.cpu_seconds / s.cpu_seconds:.2f}"
    )
    print(f"statuslens peak RSS (process tree): {s.peak_rss_mb:.0f} MB  (target < 1024 MB)")
    if "statuslens_big" in results:
        b = results["statuslens_big"]
        print(
            f"RSS growth {n} -> {b.records} records (causes on): {b.peak_rss_mb / s.peak_rss_mb:.2f}x  "
            "(target <= 1.2x); "
            f"records/s {b.rate:.0f}"
        )
    print(
        f"10-line file, wall seconds (3 runs): median {statistics.median(starts):.3f} "
        f"(min {min(starts):.3f}, max {max(starts):.3f})  (target <= 1.0 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
