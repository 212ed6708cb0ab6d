"""WindowGateFn's per-window rule, driven directly (the full graph is tested in tests/pipelines)."""

from __future__ import annotations

import time
from typing import Any

from apache_beam.pvalue import TaggedOutput

from statuslens.transforms.streaming.beam_gate import WindowGateFn


class _State:
    """An in-memory stand-in for one ReadModifyWriteState cell."""

    def __init__(self) -> None:
        self.value: Any = None

    def read(self) -> Any:
        return self.value

    def write(self, value: Any) -> None:
        self.value = value

    def clear(self) -> None:
        self.value = None


class _Timer:
    def set(self, timestamp: Any) -> None:
        pass


def _gate(gate: WindowGateFn, window_start: int, record_id: str) -> list[Any]:
    return list(gate.process((window_start, (record_id, "message")), _State(), _State(), _Timer(), _Timer()))


def test_the_first_record_of_a_long_expired_window_is_late_on_the_local_runner() -> None:
    gate = WindowGateFn(60, 600, wall_clock_watermark=True)
    late = _gate(gate, int(time.time()) - 7200, "id1")
    assert len(late) == 1 and isinstance(late[0], TaggedOutput)
    assert (late[0].tag, late[0].value) == (WindowGateFn.LATE, "message")
    assert _gate(gate, int(time.time()), "id2") == ["message"]


def test_without_the_wall_clock_watermark_the_first_record_of_an_old_window_passes() -> None:
    """Elsewhere the runner's watermark judges it: the gate only closes a window its own timer expired."""
    assert _gate(WindowGateFn(60, 600), int(time.time()) - 7200, "id1") == ["message"]
