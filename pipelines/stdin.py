"""`--input -`: standard input, saved to a temporary file so the readers (and workers) can open it.

The copy is read like any file (format and compression detected) under the name `stdin`, which is
what the summary's input and every dead letter's `source` say; it is removed when the command exits.
It lives on this machine: a runner whose workers are elsewhere cannot read it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from statuslens.transforms.errors import UsageError
from statuslens.transforms.readers.beam_read import InputRange

__all__ = ["STDIN", "STDIN_NAME", "stdin_input"]

STDIN = "-"
STDIN_NAME = "stdin"


def stdin_input() -> InputRange:
    """Standard input copied to a temporary file, as the input named `stdin`; UsageError on a terminal."""
    stream = sys.stdin
    if stream is None or stream.isatty():
        raise UsageError("--input -: standard input is a terminal; pipe a log into it (… | statuslens batch --input -)")
    folder = tempfile.mkdtemp(prefix="statuslens-stdin-")
    atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, STDIN_NAME)
    with open(path, "wb") as copy:
        shutil.copyfileobj(stream.buffer, copy, 1 << 20)
    return InputRange(STDIN_NAME, source=path)
