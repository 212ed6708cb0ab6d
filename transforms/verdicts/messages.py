"""Status message normalisation and the documented-message patterns it is compared with.

DOMAIN.md §5: messages compare in the form `normalize_message` gives (model/groups.py, where the
group key uses it too). A documented message may hold placeholders (`[PARAMETER_NAME]`, `{name}`)
that match any non-empty text; without one it is literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from statuslens.transforms.model.groups import normalize_message

__all__ = ["MessagePattern", "normalize_message_fragment"]

_PLACEHOLDER_RE = re.compile(r"\[[A-Za-z_][A-Za-z0-9_ ]*\]|\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class MessagePattern:
    """One documented message, literal or with placeholders.

    `parts` are the literal pieces between placeholders (normalised), matched left to right with
    `str.find`: linear in the message. (A regex `a.+b.+c` backtracked: six adjacent placeholders took
    12 s on a 120-character message, two took 80 s on a 300 KB one.)"""

    text: str
    normalized: str
    parts: tuple[str, ...] | None = None

    @classmethod
    def compile(cls, text: str) -> MessagePattern:
        normalized = normalize_message(text)
        if not _PLACEHOLDER_RE.search(text):
            return cls(text=text, normalized=normalized)
        parts = [normalize_message_fragment(p) for p in _PLACEHOLDER_RE.split(text)]
        # A trailing period was dropped from the whole message; drop it from the pattern too.
        parts[-1] = parts[-1].removesuffix(".")
        return cls(text=text, normalized=normalized, parts=tuple(parts))

    def matches(self, normalized_message: str) -> bool:
        """Whether an already-normalised message is this documented message."""
        if self.parts is None:
            return normalized_message == self.normalized
        return _fits(self.parts, normalized_message)


def _fits(parts: tuple[str, ...], message: str) -> bool:
    """Whether `message` is parts[0] + X + parts[1] + X + … + parts[-1], each X non-empty.

    The first and last parts are anchored; each middle one is found leftmost after at least one
    character (leftmost is never worse for what follows), and must end one character before the last
    part begins."""
    first, last = parts[0], parts[-1]
    if not message.startswith(first) or not message.endswith(last):
        return False
    position = len(first)
    limit = len(message) - len(last)  # where the last part begins
    for middle in parts[1:-1]:
        found = message.find(middle, position + 1, limit - 1)
        if found < 0:
            return False
        position = found + len(middle)
    return position < limit  # the last placeholder holds at least one character


def normalize_message_fragment(fragment: str) -> str:
    """Case-fold and collapse whitespace inside a fragment, keeping its edge spaces as one space."""
    lead = " " if fragment[:1].isspace() else ""
    tail = " " if fragment[-1:].isspace() else ""
    inner = " ".join(fragment.split()).casefold()
    if not inner:
        return lead or tail
    return lead + inner + tail
