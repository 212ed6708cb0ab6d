"""Fewer runs of CPython's cyclic garbage collector in the processes that run the graph.

The collector starts a young collection every 700 net allocations by default, and every tenth of
those also walks the generation above. A run allocates objects by the million (records, samples,
anomaly groups, decoded shuffle elements), most of them short-lived and none of them in cycles, so
those walks find nothing to free. Measured on 100,000 one-record anomaly groups (in-process
`batch`, same machine, same run): 28.3 CPU seconds with the default thresholds, 21.3 with a young
generation of 10,000 objects, 22.3 with the collector off. Memory is unchanged (cycles are still
collected, a little later). Called where work starts: the command (the runner's process) and the
setup of the DoFns and CombineFns that do the work (each worker process).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_OBJECTS", "tune_collector"]

YOUNG_OBJECTS = 10_000  # allocations between young collections (CPython's default: 700)


def tune_collector() -> None:
    """Set the thresholds (idempotent; the older generations keep CPython's ratios of 10)."""
    gc.set_threshold(YOUNG_OBJECTS, 10, 10)
