"""dead_letter: the one dead-letter shape (DOMAIN.md §6), its raw part cut to RAW_LIMIT and redacted."""

from __future__ import annotations

import orjson

from statuslens.transforms.model.dead_letters import RAW_LIMIT, dead_letter

HEAD = '{"body":"SECRETTOKEN123 '


def test_dead_letters_are_redacted_before_they_are_cut() -> None:
    """The token is named (`oauth_token=`) only past the first KiB: it is still redacted in the part kept."""
    raw = HEAD.encode() + b"x" * 1100 + b'","url":"/a?oauth_token=SECRETTOKEN123"}'
    assert orjson.loads(dead_letter("s:1", "bad line", raw)) == {
        "source": "s:1",
        "reason": "bad line",
        "raw": '{"body":"REDACTED ' + "x" * (RAW_LIMIT - len(HEAD)),
    }
