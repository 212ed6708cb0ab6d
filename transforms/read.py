"""The source edge: a DoFn that turns each input path into chunks plus one InputInfo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from statuslens.transforms.sources import Chunk, InputInfo, read_input

__all__ = ["INPUTS_TAG", "ReadInputFn", "open_uncompressed"]

INPUTS_TAG = "inputs"


def open_uncompressed(path: str) -> Any:
    """Raw bytes of any Beam filesystem path (local, gs://, …); decompression is ours."""
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


class ReadInputFn(beam.DoFn):
    """`'logs/a.log.gz'` -> Chunk, Chunk, …, and InputInfo on the `inputs` output."""

    def __init__(self, log_format: str | None = None) -> None:
        self.log_format = log_format

    def process(self, path: str) -> Iterator[Any]:
        for item in read_input(path, self.log_format, opener=open_uncompressed):
            if isinstance(item, InputInfo):
                yield beam.pvalue.TaggedOutput(INPUTS_TAG, item)
            else:
                assert isinstance(item, Chunk)
                yield item
