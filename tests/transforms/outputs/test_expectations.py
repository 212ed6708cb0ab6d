"""--expect FILE (DOMAIN.md §10): the loader refuses every bad file with one line naming it, and the
matcher expects a group when every field an entry names matches (the message compared normalised)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from statuslens.transforms.errors import UsageError
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.outputs.expectations import MAX_BYTES, load_expectations, parse_expectations

TODAY = date(2026, 12, 2)
QPS = GroupKey.of("out_of_scope", 403, None, "Developer Over Qps", "GET", "catalog/people/{id}")
QUEUE = GroupKey.of(
    "undocumented_message", 412, 710, "disc already exists in queue", "POST", "users/{user_token}/queues/instant"
)
NO_MESSAGE = GroupKey.of("undocumented_code", 502, None, None, "GET", "users/{user_token}/queues/instant")


def parse(text: str, today: date = TODAY):  # type: ignore[no-untyped-def]
    return parse_expectations(text, "--expect 'known.yaml'", today)


def reason(text: str, key: GroupKey) -> str | None:
    expectations, _ = parse(text)
    return expectations.reason_for(key)


def test_an_entry_expects_the_groups_that_match_every_field_it_names() -> None:
    text = "expected:\n  - {status_code: 403, resource: 'catalog/people/{id}', reason: rate limit}\n"
    assert reason(text, QPS) == "rate limit"
    assert reason(text, QUEUE) is None
    wrong_resource = "expected:\n  - {status_code: 403, resource: catalog/titles, reason: rate limit}\n"
    assert reason(wrong_resource, QPS) is None


def test_all_six_fields_can_be_named() -> None:
    text = (
        "expected:\n"
        "  - verdict: undocumented_message\n    status_code: 412\n    sub_code: 710\n"
        "    message: disc already exists in queue\n    method: POST\n"
        "    resource: users/{user_token}/queues/instant\n    reason: known wording\n"
    )
    assert reason(text, QUEUE) == "known wording"
    assert reason(text.replace("POST", "PUT"), QUEUE) is None
    assert reason(text.replace("undocumented_message", "out_of_scope"), QUEUE) is None


def test_the_message_is_compared_normalised() -> None:
    text = "expected:\n  - message: '  developer   OVER qps. '\n    reason: gateway\n"
    assert reason(text, QPS) == "gateway"


def test_subcodes_compare_as_text_and_null_asks_for_none() -> None:
    assert reason("expected:\n  - {sub_code: '710', reason: r}\n", QUEUE) == "r"
    assert reason("expected:\n  - {sub_code: 710, reason: r}\n", QUEUE) == "r"
    assert reason("expected:\n  - {sub_code: null, reason: r}\n", QUEUE) is None
    assert reason("expected:\n  - {sub_code: null, reason: r}\n", QPS) == "r"


def test_a_null_message_asks_for_a_group_without_one() -> None:
    text = "expected:\n  - {message: null, status_code: 502, reason: proxy}\n"
    assert reason(text, NO_MESSAGE) == "proxy"
    assert reason(text.replace("502", "403"), QPS) is None


def test_the_method_is_compared_without_case() -> None:
    assert reason("expected:\n  - {method: post, reason: r}\n", QUEUE) == "r"


def test_the_first_matching_entry_gives_the_reason() -> None:
    text = "expected:\n  - {status_code: 412, reason: first}\n  - {sub_code: 710, reason: second}\n"
    expectations, _ = parse(text)
    assert expectations.reason_for(QUEUE) == "first"
    assert expectations.reasons([QPS, QUEUE]) == {QUEUE.id: "first"}


def test_an_entry_applies_through_its_until_day_and_warns_after_it() -> None:
    text = "expected:\n  - {status_code: 403, reason: until friday, until: 2026-12-04}\n"
    for today in (date(2026, 12, 1), date(2026, 12, 4)):
        expectations, warnings = parse(text, today)
        assert expectations.reason_for(QPS) == "until friday" and warnings == []
    expectations, warnings = parse(text, date(2026, 12, 5))
    assert expectations.reason_for(QPS) is None
    assert warnings == [
        "--expect 'known.yaml': entry 1 expired on 2026-12-04 (reason: until friday); its groups are no longer expected"
    ]


def test_a_quoted_until_date_is_read_too() -> None:
    expectations, _ = parse("expected:\n  - {status_code: 403, reason: r, until: '2026-12-31'}\n")
    assert expectations.entries[0].until == date(2026, 12, 31)


def test_an_empty_list_expects_nothing() -> None:
    expectations, warnings = parse("expected: []\n")
    assert expectations.entries == () and warnings == [] and expectations.reason_for(QPS) is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("expected: [oops", "not valid YAML"),
        ("- status_code: 403\n", "an 'expected:' list"),
        ("expected: {status_code: 403}\n", "an 'expected:' list"),
        ("expected:\n", "an 'expected:' list"),
        ("", "an 'expected:' list"),
        ("expected: []\nignored: 1\n", "unknown key 'ignored'"),
        ("expected:\n  - {status: 403, reason: r}\n", "entry 1: unknown key 'status'"),
        ("expected:\n  - {status_code: 403}\n", "entry 1: 'reason' is required"),
        ("expected:\n  - {status_code: 403, reason: '  '}\n", "entry 1: 'reason' is required"),
        ("expected:\n  - {reason: everything}\n", "entry 1: names none of"),
        (
            "expected:\n  - {status_code: 403, reason: r, until: next week}\n",
            "entry 1: until 'next week' is not a date",
        ),
        ("expected:\n  - {status_code: 403, reason: r, until: 2026-02-30}\n", "is not a date"),
        ("expected:\n  - {status_code: 403, reason: r, until: 2026-12-01T10:00:00Z}\n", "is not a date"),
        ("expected:\n  - {status_code: 4030, reason: r}\n", "entry 1: status_code 4030 is not an HTTP status"),
        ("expected:\n  - {status_code: true, reason: r}\n", "status_code True is not an HTTP status"),
        ("expected:\n  - {verdict: documented, reason: r}\n", "entry 1: verdict 'documented' is not one of"),
        ("expected:\n  - {sub_code: [1], reason: r}\n", "sub_code [1] is not a subcode"),
        ("expected:\n  - {resource: '', reason: r}\n", "resource '' is not a non-empty text"),
        ("expected:\n  - 403\n", "entry 1: expected a mapping"),
        ("expected:\n  - {status_code: 403, reason: ok}\n  - {reason: r}\n", "entry 2: names none of"),
    ],
)
def test_a_bad_file_is_one_usage_error_naming_the_file_and_problem(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith("--expect 'known.yaml': ") and problem in message
    assert "\n" not in message


def test_yaml_aliases_are_refused_before_they_expand() -> None:
    bomb = (
        "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "expected: [*d]\n"
    )
    with pytest.raises(UsageError, match="YAML aliases"):
        parse(bomb)


def test_load_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(UsageError, match=rf"^--expect '{missing}': cannot read: No such file"):
        load_expectations(missing, TODAY)


def test_load_refuses_a_file_too_large_to_be_a_list_of_known_groups(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("expected: []\n" + "#" * MAX_BYTES, encoding="utf-8")
    with pytest.raises(UsageError, match="larger than"):
        load_expectations(big, TODAY)


def test_load_reads_a_file(tmp_path: Path) -> None:
    known = tmp_path / "known.yaml"
    known.write_text("expected:\n  - {status_code: 403, reason: 'gateway, OPS-12'}\n", encoding="utf-8")
    expectations, warnings = load_expectations(known, TODAY)
    assert expectations.reason_for(QPS) == "gateway, OPS-12" and warnings == []
