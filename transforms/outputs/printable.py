"""Text from logs shown to people: no control character reaches a terminal or a report as itself.

ESC (terminal escape sequences), the other C0 and C1 controls, DEL and the Unicode bidirectional
overrides (which reorder what a reader sees) are shown as `\\xNN` / `\\uNNNN`. The report escapers, the
CLI's lines and its output streams all go through `show_controls`.
"""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["ShownControls", "one_line", "show_controls"]

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_TABLE = {
    **{code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]},
    **{code: f"\\u{code:04x}" for code in _BIDI},
}
_MULTILINE = {code: text for code, text in _TABLE.items() if code not in (0x09, 0x0A, 0x0D)}


def show_controls(text: str, multiline: bool = False) -> str:
    """`text` with control characters shown escaped (tabs and line ends kept when `multiline`)."""
    if text.isprintable():  # the common case, one C-level pass (printable excludes every control)
        return text
    return text.translate(_MULTILINE if multiline else _TABLE)


def one_line(value: Any) -> str:
    """A field for one line of output: whitespace runs (line breaks too) become one space."""
    text = "" if value is None else str(value)
    return show_controls(" ".join(text.split()))


class ShownControls:
    """A text stream that shows control characters escaped (line ends and tabs kept): the CLI's stdout
    and stderr while a command runs, so no line it prints (a file name, a group from the logs, an
    error message) can drive the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(show_controls(text, multiline=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, encoding, isatty…: the stream's own
        return getattr(self._stream, name)
