"""A 100-operation generated OpenAPI spec against the Netflix catalog, on the same generated log.

Writes `spec100.yaml` and `traffic.jsonl` (mostly documented 2xx, some errors with netflix-envelope
bodies) into --work, then runs `statuslens batch` with each catalog, alternated, and prints the
records/s medians and their ratio (DOMAIN.md §9 asks a spec's rows to join the same matching path).

    python benchmarks/openapi_bench.py --statuslens VENV/bin/statuslens --records 200000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import time
from pathlib import Path

OPERATIONS = 100


def spec_text() -> str:
    lines = [
        "openapi: 3.0.3",
        "info: {title: Generated, version: '1'}",
        "servers: [{url: 'https://api.example.com/v1'}]",
        "paths:",
    ]
    for i in range(OPERATIONS // 2):
        for path, method, ok in ((f"/things{i}", "post", 201), (f"/things{i}/{{thingId}}", "get", 200)):
            lines += [
                f"  {path}:",
                f"    {method}:",
                "      responses:",
                f"        '{ok}': {{description: ok}}",
                "        '400': {$ref: '#/components/responses/Bad'}",
                "        '404': {$ref: '#/components/responses/NotFound'}",
            ]
    lines += [
        "components:",
        "  responses:",
        "    Bad:",
        "      description: bad",
        "      content: {application/json: {schema: {properties: {status: {properties: "
        "{sub_code: {enum: [1, 2, 3]}, message: {type: string}}}}}}}",
        "    NotFound:",
        "      description: nf",
        "      content: {application/json: {schema: {properties: {status: {properties: {sub_code: {const: 9}}}}}}}",
    ]
    return "\n".join(lines) + "\n"


def traffic(path: Path, records: int) -> None:
    rng = random.Random(14)
    with path.open("w") as out:
        for n in range(records):
            i = rng.randrange(OPERATIONS // 2)
            if rng.random() < 0.5:
                method, url, ok = "GET", f"/v1/things{i}/t-{rng.randrange(50)}?q=1", 200
            else:
                method, url, ok = "POST", f"/v1/things{i}", 201
            record = {"time": 1_700_000_000 + n // 50, "method": method, "url": url, "status": ok}
            roll = rng.random()
            if roll < 0.05:
                record["status"] = 400
                record["body"] = json.dumps({"status": {"status_code": 400, "sub_code": rng.choice([1, 2, 4])}})
            elif roll < 0.08:
                record["status"] = 404
                record["body"] = json.dumps({"status": {"status_code": 404, "sub_code": 9}})
            out.write(json.dumps(record) + "\n")


def run(statuslens: str, log: Path, out: Path, catalog: Path | None) -> float:
    argv = [statuslens, "batch", "--input", str(log), "--output", str(out), "--overwrite"]
    argv += ["--catalog", str(catalog)] if catalog is not None else []
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statuslens", required=True)
    parser.add_argument("--work", default="/tmp/statuslens-openapi-bench")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    spec, log = work / "spec100.yaml", work / "traffic.jsonl"
    spec.write_text(spec_text())
    traffic(log, args.records)
    times: dict[str, list[float]] = {"netflix": [], "spec100": []}
    for round_ in range(args.rounds):
        order = [("netflix", None), ("spec100", spec)]
        for name, catalog in order if round_ % 2 == 0 else reversed(order):
            times[name].append(run(args.statuslens, log, work / f"out-{name}", catalog))
    rates = {name: args.records / statistics.median(values) for name, values in times.items()}
    for name, rate in rates.items():
        runs = ", ".join(f"{t:.1f}s" for t in times[name])
        print(f"{name}: {rate:,.0f} records/s (median of {args.rounds}; runs {runs})")
    print(f"spec100 / netflix: {rates['spec100'] / rates['netflix']:.3f}")


if __name__ == "__main__":
    main()
