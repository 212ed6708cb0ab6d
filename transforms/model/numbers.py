"""What counts as a number in a log: ASCII digits only.

`str.isdigit()` and `int()` take any Unicode digit (`"٤٠١"` is 401 to both), so a status written in
Arabic-Indic or full-width digits would be read as a real status. Logs and the envelope use ASCII."""

from __future__ import annotations

__all__ = ["is_ascii_number"]


def is_ascii_number(text: str) -> bool:
    """True for a non-empty run of 0-9."""
    return text.isascii() and text.isdigit()
