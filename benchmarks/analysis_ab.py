#!/usr/bin/env python3
"""Builds side by side in ONE process: CPU seconds of `ChunkAnalyzer.analyze` over the same pre-read chunks.

    python benchmarks/analysis_ab.py FILE... --build old=/tmp/old-src --build new=/tmp/new-src:nocauses

Each ROOT is a folder holding `statuslens/` (e.g. `mkdir -p R/statuslens && git archive C | tar -x -C
R/statuslens`); `:nocauses` analyses with causes=False (batch --no-causes). Each build is imported
from its root, then its modules are renamed away in sys.modules so the next build imports fresh; it
reads the files with its own reader, warms its memos on one pass, and then every chunk is analysed by
each build in turn (the order rotated each chunk), so a shared machine's load falls on all builds
alike. Figures: the thread CPU time of the best of `--rounds` passes, per record, and its ratio to
the first build. Reading, Beam and the outputs are not measured: only the per-record analysis.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import sys
import time
from typing import Any


def load(root: str) -> dict[str, Any]:
    """The names the benchmark needs, from the statuslens under `root` (any layout since 2026-11-26)."""
    _rename_away("_previous")
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    transforms = importlib.import_module("statuslens.transforms")
    modules = sorted(info.name for info in pkgutil.walk_packages(transforms.__path__, "statuslens.transforms."))

    def find(name: str, suffixes: list[str]) -> Any:
        for suffix in suffixes:
            for module in modules:
                if module.endswith("." + suffix) and hasattr(found := importlib.import_module(module), name):
                    return getattr(found, name)
        raise ImportError(f"{name} not found under {root}")

    names = {
        "ChunkAnalyzer": find("ChunkAnalyzer", ["analyzer", "analyze"]),
        "Chunk": find("Chunk", ["chunks", "sources", "files"]),
        "read_input": find("read_input", ["files", "sources", "read"]),
        "Annotator": find("Annotator", ["annotate"]),
        "load_catalog": find("load_catalog", ["catalog"]),
        "DEFAULT_FIELD_MAP": find("DEFAULT_FIELD_MAP", ["jsonlines"]),
    }
    sys.path.remove(root)
    _rename_away(f"_build{len(_LOADED)}_")
    _LOADED.append(root)
    return names


_LOADED: list[str] = []


def _rename_away(prefix: str) -> None:
    for name in [m for m in sys.modules if m == "statuslens" or m.startswith("statuslens.")]:
        sys.modules[prefix + name] = sys.modules.pop(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--build", action="append", required=True, help="LABEL=ROOT[:nocauses]")
    parser.add_argument("--limit", type=int, default=0, help="items read per file (0: all)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    loaded: dict[str, dict[str, Any]] = {}
    builds = []
    for spec in args.build:
        label, rest = spec.split("=", 1)
        root, _, mode = rest.partition(":")
        names = loaded.get(root) or loaded.setdefault(root, load(root))
        chunks = []
        for path in args.files:
            count = 0
            for chunk in names["read_input"](path):
                if isinstance(chunk, names["Chunk"]):
                    chunks.append(chunk)
                    count += len(chunk.items)
                    if args.limit and count >= args.limit:
                        break
        has_causes = "causes" in inspect.signature(names["ChunkAnalyzer"].__init__).parameters
        kwargs = {"causes": mode != "nocauses"} if has_causes else {}
        annotator = names["Annotator"](names["load_catalog"]())
        analyzer = names["ChunkAnalyzer"](annotator, "errors", names["DEFAULT_FIELD_MAP"], **kwargs)
        for chunk in chunks:
            analyzer.analyze(chunk)
        builds.append((label, analyzer, chunks, [0.0] * args.rounds))
    n_chunks = min(len(chunks) for _, _, chunks, _ in builds)
    items = sum(len(chunk.items) for chunk in builds[0][2][:n_chunks])
    for round_ in range(args.rounds):
        for i in range(n_chunks):
            k = (i + round_) % len(builds)
            for _, analyzer, chunks, cpu in builds[k:] + builds[:k]:
                started = time.thread_time()
                analyzer.analyze(chunks[i])
                cpu[round_] += time.thread_time() - started
    first = min(builds[0][3])
    for label, _, _, cpu in builds:
        best = min(cpu)
        figures = {"build": label, "items": items, "cpu_s": [round(c, 3) for c in cpu]}
        print(json.dumps({**figures, "us_per_record": round(best / items * 1e6, 2), "ratio": round(best / first, 3)}))


if __name__ == "__main__":
    main()
