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
    """One documented message, literal or with placeholders."""

    text: str
    normalized: str
    regex: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, text: str) -> MessagePattern:
        normalized = normalize_message(text)
        if not _PLACEHOLDER_RE.search(text):
            return cls(text=text, normalized=normalized)
        parts = _PLACEHOLDER_RE.split(text)
        literal = [re.escape(normalize_message_fragment(p)) for p in parts]
        pattern = ".+".join(literal)
        # A trailing period was dropped from the whole message; drop it from the pattern too.
        if pattern.endswith(r"\."):
            pattern = pattern[:-2]
        return cls(text=text, normalized=normalized, regex=re.compile(pattern, re.DOTALL))

    def matches(self, normalized_message: str) -> bool:
        """Whether an already-normalised message is this documented message."""
        if self.regex is None:
            return normalized_message == self.normalized
        return self.regex.fullmatch(normalized_message) is not None


def normalize_message_fragment(fragment: str) -> str:
    """Case-fold and collapse whitespace inside a fragment, keeping its edge spaces as one space."""
    lead = " " if fragment[:1].isspace() else ""
    tail = " " if fragment[-1:].isspace() else ""
    inner = " ".join(fragment.split()).casefold()
    if not inner:
        return lead or tail
    return lead + inner + tail
