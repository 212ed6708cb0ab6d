"""JSON text with its string escapes decoded, and the way back from a decoded position to the text.

The redactor scans the decoded view (`oauth\\u005ftoken=\\u004c…` reads `oauth_token=L…`) and takes
each value found as written in the text, so the escaped form can be replaced where it stands.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

__all__ = ["json_view"]

_JSON_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|([\"\\/bfnrt]))")
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def json_view(text: str) -> tuple[str, Callable[[int], int]]:
    """(`text` with its JSON escapes decoded, a function from a view position to a text position).

    An escape is one character of the view; a position at or inside a literal run maps one to one.
    """
    pieces: list[str] = []
    view_at: list[int] = []  # where each piece starts in the view…
    text_at: list[int] = []  # …and in `text`
    size = last = 0
    for match in _JSON_ESCAPE_RE.finditer(text):
        code, simple = match.groups()
        plain = chr(int(code, 16)) if code else _JSON_SIMPLE.get(simple, simple)
        for start, part in ((last, text[last : match.start()]), (match.start(), plain)):
            view_at.append(size)
            text_at.append(start)
            pieces.append(part)
            size += len(part)
        last = match.end()
    view_at.append(size)
    text_at.append(last)
    pieces.append(text[last:])

    def to_text(pos: int) -> int:
        index = bisect.bisect_right(view_at, pos) - 1
        return text_at[index] + pos - view_at[index]

    return "".join(pieces), to_text
