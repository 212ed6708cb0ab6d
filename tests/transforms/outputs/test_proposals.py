"""Proposed rows: one per (code, subcode, normalized message) of the groups, most frequent first; the
gateway and the causes (DOMAIN.md §8) widen a row to All resources and add its note."""

from __future__ import annotations

from dataclasses import replace

from statuslens.transforms.model.causes import BurstCause, Episode, RateLimitCause, TransientCause
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey
from statuslens.transforms.outputs.proposals import ProposedRow, propose_rows
from tests.transforms.outputs.report_samples import RECORD


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


RATE = RateLimitCause(limit=4, records=9, share=1.0, peak_calls_per_second=13)
RETRIED = TransientCause(records=3, share=1.0, median_retry_seconds=1.0)
GATEWAY_RECORD = replace(RECORD, body_format="gateway", gateway_code=None, http_status=403, status_code=403)


def test_a_rate_limited_group_applies_to_all_resources_and_names_the_limit() -> None:
    limited = group(403, None, "Developer Over Qps", "GET", "catalog/people/{id}", 9, "out_of_scope")
    rows = propose_rows([replace(limited, causes=(RATE,))])
    assert rows == [
        ProposedRow(
            403,
            None,
            "All resources",
            "Developer Over Qps",
            9,
            ("out_of_scope",),
            note="more than 4 calls per second per consumer",
        )
    ]


def test_one_rate_limited_group_makes_its_whole_row_all_resources() -> None:
    plain = group(403, None, "Developer Over Qps", "POST", "users/{user_token}/at_home", 1, "out_of_scope")
    limited = group(403, None, "Developer Over Qps", "POST", "catalog/titles", 9, "out_of_scope")
    [row] = propose_rows([replace(limited, causes=(RATE,)), plain])
    assert (row.applies_to, row.count, row.note) == ("All resources", 10, "more than 4 calls per second per consumer")


def test_a_gateway_group_applies_to_all_resources_without_a_cause() -> None:
    by_body = group(403, None, "Developer Over Rate", "GET", "catalog/titles", 3, "out_of_scope")
    by_code = group(504, None, "Gateway Timeout", "POST", "catalog/titles", 2, "undocumented_code")
    rows = propose_rows(
        [
            replace(by_body, samples=(GATEWAY_RECORD,)),
            replace(by_code, samples=(replace(RECORD, body_format="html", gateway_code="ERR_504_GATEWAY_TIMEOUT"),)),
        ]
    )
    assert [(r.applies_to, r.note) for r in rows] == [("All resources", ""), ("All resources", "")]


def test_a_transient_group_says_it_is_intermittent() -> None:
    login = group(405, None, "Method not allowed", "GET", "oauth/login", 3, "undocumented_code")
    [row] = propose_rows([replace(login, causes=(RETRIED,))])
    assert row == ProposedRow(
        405, None, "oauth/login", "Method not allowed", 3, ("undocumented_code",), "intermittent: retried successfully"
    )


def test_rate_limited_and_transient_notes_are_both_kept() -> None:
    both = group(403, None, "Developer Over Qps", "GET", "catalog/titles", 9, "out_of_scope")
    [row] = propose_rows([replace(both, causes=(RATE, RETRIED))])
    assert row.note == "more than 4 calls per second per consumer; intermittent: retried successfully"


def test_a_burst_alone_changes_nothing_in_the_row() -> None:
    episodes = (Episode("2009-12-10T14:00:00.000Z", "2009-12-10T14:03:00.000Z", 5),)
    burst = group(502, None, None, "GET", "users/{user_token}/queues/instant", 5, "undocumented_code")
    plain = propose_rows([burst])
    assert propose_rows([replace(burst, causes=(BurstCause(episodes),))]) == plain
    assert plain == [ProposedRow(502, None, "users/{user_token}/queues/instant", "", 5, ("undocumented_code",))]
