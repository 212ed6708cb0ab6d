"""What a piece of work leaves allocated: memos must stay within their limits on hostile input."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager


class Held:
    """The bytes still allocated when the `with` block ended, counted from its start."""

    bytes: int = 0


@contextmanager
def held() -> Iterator[Held]:
    """`with held() as kept: work()` then `kept.bytes`: what the objects made before the block kept."""
    result = Held()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        yield result
        result.bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
