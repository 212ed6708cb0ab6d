"""The source edge: a DoFn that turns each input into chunks plus one InputInfo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from statuslens.transforms.model.chunks import Chunk, InputInfo
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.pinned import open_pinned
from statuslens.transforms.readers.progress import ReadProgress, input_key

__all__ = ["INPUTS_TAG", "InputRange", "ReadInputFn", "open_uncompressed"]

INPUTS_TAG = "inputs"


@dataclass(frozen=True)
class InputRange:
    """Part of an input: decompressed bytes [start, end) whose first line is number `first_line`."""

    path: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    log_format: str | None = None  # the whole file's format, for a range that starts mid-file
    # The file to open when `path` is a name rather than a file (`--input -`: standard input, saved to
    # a temporary file, is read as `stdin`).
    source: str | None = None


def open_uncompressed(path: str) -> Any:
    """Raw bytes of any Beam filesystem path (local, gs://, …); decompression is ours.

    A file pinned by the planner (cron) is read from its pinned descriptor: rotation cannot swap it."""
    pinned = open_pinned(path)
    if pinned is not None:
        return pinned
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


class ReadInputFn(beam.DoFn):
    """`'logs/a.log.gz'` (or an InputRange) -> Chunk, Chunk, …, and InputInfo on `inputs`.

    With a `progress_folder` (the command shows a progress line), what is read is tallied there
    (transforms/readers/progress.py): one offset and a count per chunk, nothing per line."""

    def __init__(self, log_format: str | None = None, progress_folder: str | None = None) -> None:
        self.log_format = log_format
        self.progress_folder = progress_folder
        self._progress: ReadProgress | None = None

    def setup(self) -> None:
        if self.progress_folder is not None:
            self._progress = ReadProgress.shared(self.progress_folder)

    def process(self, element: str | InputRange) -> Iterator[Any]:
        part = element if isinstance(element, InputRange) else InputRange(element)
        log_format = part.log_format or self.log_format
        source = part.source
        opener: Any = open_uncompressed if source is None else (lambda _: open_uncompressed(source))
        progress, key = self._progress, input_key(part.path, part.start)
        if progress is not None:
            opened = opener
            opener = lambda path: progress.opened(key, opened(path))  # noqa: E731 - a one-line wrapper
        for item in read_input(
            part.path, log_format, opener=opener, start=part.start, end=part.end, first_line=part.first_line
        ):
            if isinstance(item, InputInfo):
                yield beam.pvalue.TaggedOutput(INPUTS_TAG, item)
            else:
                assert isinstance(item, Chunk)
                if progress is not None:
                    progress.read(key, item.lines)
                yield item
        if progress is not None:
            progress.finished(key)
