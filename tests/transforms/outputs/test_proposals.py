"""Proposed rows: one per (code, subcode, normalized message) of the groups, most frequent first."""

from __future__ import annotations

from statuslens.transforms.model.groups import AnomalyGroup, GroupKey
from statuslens.transforms.outputs.proposals import ProposedRow, propose_rows


def group(
    code: int, sub: int | str | None, message: str | None, method: str, resource: str, count: int, verdict: str
) -> AnomalyGroup:
    key = GroupKey.of(verdict, code, sub, message, method, resource)
    return AnomalyGroup(key, message, count, None, None, 0, (), None)


def test_groups_that_differ_only_in_request_are_one_row() -> None:
    rows = propose_rows(
        [
            group(412, 710, "Title already in queue", "POST", "users/{user_token}/queues/instant", 3, "out_of_scope"),
            group(
                412,
                710,
                "title  already in queue.",
                "POST",
                "users/{user_token}/queues/disc",
                2,
                "undocumented_message",
            ),
            group(405, None, None, "GET", "oauth/login", 9, "undocumented_code"),
        ]
    )
    assert rows == [
        ProposedRow(405, None, "oauth/login", "", 9, ("undocumented_code",)),
        ProposedRow(
            412,
            710,
            "POSTs to users/{user_token}/queues/disc or users/{user_token}/queues/instant",
            "Title already in queue",  # as the first group wrote it
            5,
            ("out_of_scope", "undocumented_message"),
        ),
    ]


def test_many_resources_are_all_resources() -> None:
    groups = [group(403, None, "Developer Over Qps", "GET", f"r{n}", 1, "out_of_scope") for n in range(4)]
    assert [row.applies_to for row in propose_rows(groups)] == ["All resources"]
