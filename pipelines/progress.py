"""The progress line of batch and cron: bytes and files read of the total, records/s, elapsed, ETA.

The readers, in this process or in the multi-process runner's workers, tally what they read into
small files of a temporary folder (transforms/readers/progress.py); a thread of the command polls the
folder twice a second and redraws one line on the terminal (`\\r`, then erase to the end of the line),
cut to the terminal's width so it never wraps. Forced onto a stream that is not a terminal
(`--progress`), it writes a whole line every 5 s instead, for logs. The line goes to a copy of the
stderr the command started with: while the workers run, their own stderr goes to a log file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import orjson

from statuslens.transforms.readers.beam_read import InputRange
from statuslens.transforms.readers.compression import compression_of
from statuslens.transforms.readers.progress import input_key

__all__ = ["Progress", "ProgressLine", "format_line", "input_totals"]

_TERMINAL_EVERY = 0.5
_LOG_EVERY = 5.0


@dataclass(frozen=True)
class _Input:
    path: str
    total: int  # bytes this input reads: its range of a plain file, the whole file if compressed
    base: int  # the raw offset its reading starts from (a plain range's start, else 0)


def input_totals(inputs: Sequence[str | InputRange]) -> dict[str, _Input]:
    """Each input of a run by its key, with the bytes it will read (0 when its size is unknown: remote)."""
    out: dict[str, _Input] = {}
    for item in inputs:
        part = item if isinstance(item, InputRange) else InputRange(item)
        local = part.source or part.path
        size, plain = 0, True
        if "://" not in local:
            try:
                size = os.path.getsize(local)
                with open(local, "rb") as handle:
                    plain = compression_of(local, handle.read(8)) == "none"
            except OSError:
                pass
        if plain:
            end = size if part.end is None else min(part.end, size)
            out[input_key(part.path, part.start)] = _Input(part.path, max(0, end - part.start), part.start)
        else:
            out[input_key(part.path, part.start)] = _Input(part.path, size, 0)
    return out


@dataclass(frozen=True)
class Progress:
    """What was read so far, summed over every reading process."""

    read_bytes: int
    total_bytes: int
    files_done: int
    files: int
    records: int
    elapsed: float


def format_line(p: Progress, finished: bool = False) -> str:
    """`reading: 412.0 MiB of 1.4 GiB (29%), 3 of 12 files, 1,234,567 records, 105,432 records/s,
    0:12 elapsed, ETA 0:29`; once every file is read, the job's last steps follow it."""
    rate = p.records / p.elapsed if p.elapsed > 0 else 0.0
    share = f" ({100 * p.read_bytes // p.total_bytes}%)" if p.total_bytes else ""
    line = (
        f"reading: {_size(p.read_bytes)} of {_size(p.total_bytes)}{share}, {p.files_done} of {p.files} "
        f"file{'' if p.files == 1 else 's'}, {p.records:,} records, {rate:,.0f} records/s, "
        f"{_clock(p.elapsed)} elapsed"
    )
    if finished:
        return line.replace("reading:", "read:", 1)
    if p.files and p.files_done == p.files:
        return line + ", writing the results"
    if p.read_bytes and p.total_bytes > p.read_bytes:
        return line + f", ETA {_clock(p.elapsed * (p.total_bytes - p.read_bytes) / p.read_bytes)}"
    return line


class ProgressLine:
    """`with ProgressLine(inputs, stream) as folder:` — give `folder` to the readers; the line is drawn
    until the block ends, and left on the terminal with its final figures when the block succeeds."""

    def __init__(self, inputs: Sequence[str | InputRange], fd: int, terminal: bool) -> None:
        self._inputs = input_totals(inputs)
        self._files: dict[str, int] = {}  # a file read as several ranges counts once, when all are read
        for info in self._inputs.values():
            self._files[info.path] = self._files.get(info.path, 0) + 1
        self._fd = os.dup(fd)
        self._terminal = terminal
        self._folder = tempfile.mkdtemp(prefix="statuslens-progress-")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="statuslens-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> str:
        self._started = time.monotonic()
        self._thread.start()
        return self._folder

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        try:
            if kind is None:
                self._draw(format_line(self.progress(), finished=True), end=True)
            elif self._terminal:
                os.write(self._fd, b"\r\x1b[K")  # the error's own line follows
        except OSError:
            pass
        finally:
            os.close(self._fd)
            shutil.rmtree(self._folder, ignore_errors=True)

    def progress(self) -> Progress:
        """The sum of every reading process's file (a file caught mid-rename is read next time)."""
        records = 0
        positions: dict[str, int] = {}
        done: set[str] = set()
        for name in os.listdir(self._folder):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(self._folder, name), "rb") as handle:
                    doc = orjson.loads(handle.read())
            except (OSError, orjson.JSONDecodeError):
                continue
            records += doc["records"]
            positions.update(doc["position"])
            done.update(doc["done"])
        read = 0
        ranges_done: dict[str, int] = {}
        for key, info in self._inputs.items():
            if key in done:
                read += info.total
                ranges_done[info.path] = ranges_done.get(info.path, 0) + 1
            elif key in positions:
                read += min(info.total, max(0, positions[key] - info.base))
        files_done = sum(1 for path, count in self._files.items() if ranges_done.get(path, 0) >= count)
        total = sum(info.total for info in self._inputs.values())
        return Progress(read, total, files_done, len(self._files), records, time.monotonic() - self._started)

    def _loop(self) -> None:
        every = _TERMINAL_EVERY if self._terminal else _LOG_EVERY
        while not self._stop.wait(every):
            try:
                self._draw(format_line(self.progress()))
            except OSError:
                return

    def _draw(self, line: str, end: bool = False) -> None:
        if not self._terminal:
            os.write(self._fd, (line + "\n").encode())
            return
        width = shutil.get_terminal_size((100, 24)).columns
        with contextlib.suppress(OSError):
            width = os.get_terminal_size(self._fd).columns or width
        text = line if len(line) < width else line[: max(1, width - 2)] + "…"
        os.write(self._fd, ("\r" + text + "\x1b[K" + ("\n" if end else "")).encode())


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    value, unit = count / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
