"""normalize_message and MessagePattern (DOMAIN.md §1 placeholders, §5 comparison form)."""

from __future__ import annotations

import pytest

from statuslens.transforms.model.groups import normalize_message
from statuslens.transforms.verdicts.messages import MessagePattern


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" Title  already in\tQueue. ", "title already in queue"),
        ("Title already in queue", "title already in queue"),
        # Only ONE trailing period goes; inner periods stay (the seed's 412 message has two sentences).
        ("Precondition failed. Resource has been modified.", "precondition failed. resource has been modified"),
        ("Wait..", "wait."),
        ("Done .", "done"),
        ("Developer\nOver   Qps", "developer over qps"),
        ("Straße", "strasse"),  # case-folding, not just lower()
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_message(raw: str, normalized: str) -> None:
    assert normalize_message(raw) == normalized


def test_literal_pattern_has_no_regex_and_matches_only_itself() -> None:
    # The seed's API 1.0 wording: no placeholder, so it is literal (DOMAIN.md §1).
    pattern = MessagePattern.compile("parameter name is invalid")
    assert pattern.parts is None
    assert pattern.matches(normalize_message("Parameter name is invalid."))
    assert not pattern.matches(normalize_message("max_results is invalid"))
    assert not pattern.matches(normalize_message("parameter name is invalid too"))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("max_results is invalid", True),
        ("MAX_RESULTS IS INVALID.", True),
        ("max results is invalid", True),
        ("term is   invalid", True),
        ("is invalid", False),  # the placeholder needs non-empty text
        (" is invalid", False),
        ("max_results is invalid!", False),
        ("max_results is not valid", False),
    ],
)
def test_bracket_placeholder_matches_any_non_empty_text(message: str, expected: bool) -> None:
    pattern = MessagePattern.compile("[PARAMETER_NAME] is invalid")
    assert pattern.parts is not None
    assert pattern.matches(normalize_message(message)) is expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Value max_results must be below 500", True),
        ("value max_results must be below 500.", True),
        ("value  must be below 500", False),
        ("value max_results must be above 500", False),
    ],
)
def test_brace_placeholders_and_trailing_period(message: str, expected: bool) -> None:
    pattern = MessagePattern.compile("Value {name} must be below {limit}.")
    assert pattern.matches(normalize_message(message)) is expected


def test_literal_parts_of_a_placeholder_pattern_are_escaped() -> None:
    pattern = MessagePattern.compile("Title {id} (disc) is saved; cannot move it.")
    assert pattern.matches(normalize_message("Title 70021896 (disc) is saved; cannot move it"))
    assert not pattern.matches(normalize_message("Title 70021896 Xdisc) is saved; cannot move it"))


def test_pattern_keeps_the_documented_text() -> None:
    pattern = MessagePattern.compile("[PARAMETER_NAME] is invalid")
    assert pattern.text == "[PARAMETER_NAME] is invalid"
    assert pattern.normalized == "[parameter_name] is invalid"
