"""A streaming sink: JSON lines appended to local files, one write per file per bundle.

Beam's file sinks finalise per window and pane through temporary files; a long-running local job
wants each firing visible at once. Every bundle appends its lines with one O_APPEND write per
file, so concurrent bundles never interleave within a line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import PaneInfoTiming

from statuslens.transforms.model.times import format_time

__all__ = ["AppendJsonLinesFn", "window_fields"]

_TIMING = {PaneInfoTiming.EARLY: "early", PaneInfoTiming.ON_TIME: "on_time", PaneInfoTiming.LATE: "late"}


def window_fields(window: Any, pane: Any) -> dict[str, Any]:
    """`window_start`, `window_end` (ISO 8601 UTC) and the pane: which firing of the window this is."""
    if isinstance(window, GlobalWindow):
        return {}
    return {
        "window_start": format_time(window.start.micros // 1000),
        "window_end": format_time(window.end.micros // 1000),
        "pane": {"index": pane.index, "timing": _TIMING.get(pane.timing, "unknown"), "last": pane.is_last},
    }


class AppendJsonLinesFn(beam.DoFn):
    """dict (or JSON bytes) -> a line in `folder/<name>.jsonl`; `per_window` names the file after the
    element's window start (`2026-11-26T17-30-00Z.jsonl`; a line in the global window that carries its
    own `window_start` after that) and, with `window_fields`, adds the window fields to the line."""

    def __init__(self, folder: str, name: str, per_window: bool = False, window_fields: bool = True) -> None:
        self.folder = folder
        self.name = name
        self.per_window = per_window
        self.window_fields = window_fields
        self._pending: dict[str, list[bytes]] = {}

    def setup(self) -> None:
        os.makedirs(self.folder, exist_ok=True)

    def start_bundle(self) -> None:
        self._pending = {}

    def process(
        self, element: Any, window: Any = beam.DoFn.WindowParam, pane: Any = beam.DoFn.PaneInfoParam
    ) -> Iterator[Any]:
        record = orjson.loads(element) if isinstance(element, bytes) else dict(element)
        name = self.name
        if self.per_window:
            fields = window_fields(window, pane)
            if fields and self.window_fields:
                record = {**record, **fields}
            start = fields.get("window_start") or record.get("window_start")
            if start:
                name = start[:19].replace(":", "-") + "Z"
        self._pending.setdefault(name, []).append(orjson.dumps(record) + b"\n")
        return iter(())

    def finish_bundle(self) -> None:
        for name, lines in self._pending.items():
            fd = os.open(os.path.join(self.folder, f"{name}.jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, b"".join(lines))
            finally:
                os.close(fd)
        self._pending = {}
