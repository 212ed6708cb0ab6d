"""Placeholder messages are matched in linear time and exactly as the `.+` regex would match them."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from statuslens.transforms.verdicts.messages import MessagePattern


def _oracle(pattern: MessagePattern, message: str) -> bool:
    """The old matcher: the literal parts joined by `.+`, full match (fine on small inputs)."""
    assert pattern.parts is not None
    return re.fullmatch(".+".join(map(re.escape, pattern.parts)), message, re.DOTALL) is not None


_piece = st.text(alphabet="ab .", max_size=4)


@settings(max_examples=400, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=5), st.text(alphabet="ab .", max_size=14))
def test_matching_agrees_with_the_regex_it_replaced(pieces: list[str], message: str) -> None:
    text = "{p}".join(pieces) + "{p}" if len(pieces) == 1 else "{p}".join(pieces)
    pattern = MessagePattern.compile(text)
    assert pattern.parts is not None
    assert pattern.matches(message) is _oracle(pattern, message)


def _seconds(pattern: MessagePattern, message: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        assert not pattern.matches(message)
        best = min(best, time.perf_counter() - started)
    return best


def test_six_adjacent_placeholders_on_a_long_message_do_not_backtrack() -> None:
    """Was 12 s for 120 characters; now a few find() calls."""
    pattern = MessagePattern.compile("{a}{b}{c}{d}{e}{f} is invalid")
    assert not pattern.matches("x" * 120 + " is invalid!")
    assert pattern.matches("x" * 6 + " is invalid") and not pattern.matches("x" * 5 + " is invalid")


def test_two_placeholders_cost_linear_time_in_the_message() -> None:
    """Was 80 s for a 300 KB message; 10x the message must cost far less than 100x."""
    pattern = MessagePattern.compile("value {name} must be below {limit} now")
    small = _seconds(pattern, "value " + "must be below " * 2_000 + "later")
    large = _seconds(pattern, "value " + "must be below " * 20_000 + "later")
    assert large < 30 * max(small, 1e-5), (small, large)
