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


def open_uncompressed(path: str) -> Any:
    """Raw bytes of any Beam filesystem path (local, gs://, …); decompression is ours.

    A file pinned by the planner (cron) is read from its pinned descriptor: rotation cannot swap it."""
    pinned = open_pinned(path)
    if pinned is not None:
        return pinned
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


class ReadInputFn(beam.DoFn):
    """`'logs/a.log.gz'` (or an InputRange) -> Chunk, Chunk, …, and InputInfo on `inputs`."""

    def __init__(self, log_format: str | None = None) -> None:
        self.log_format = log_format

    def process(self, element: str | InputRange) -> Iterator[Any]:
        part = element if isinstance(element, InputRange) else InputRange(element)
        log_format = part.log_format or self.log_format
        for item in read_input(
            part.path, log_format, opener=open_uncompressed, start=part.start, end=part.end, first_line=part.first_line
        ):
            if isinstance(item, InputInfo):
                yield beam.pvalue.TaggedOutput(INPUTS_TAG, item)
            else:
                assert isinstance(item, Chunk)
                yield item
