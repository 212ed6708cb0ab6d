"""The report model: sections in page order, built once from a run's results, log text kept raw."""

from __future__ import annotations

from dataclasses import replace

from statuslens.transforms.model.causes import ConsumerShare
from statuslens.transforms.outputs.report_model import (
    MAX_ANOMALIES,
    Anomalies,
    CountTable,
    DamagedInputs,
    FlaggedRecords,
    FlagSamples,
    GroupList,
    Header,
    ProposedRows,
    Totals,
    build_report,
    cause_notes,
    group_line,
    group_notes,
    message_text,
    new_groups_section,
    short_url,
)
from tests.transforms.outputs.report_samples import (
    BURST,
    PROPOSED,
    RATE,
    RECORD,
    RETRIED,
    empty_report,
    explained,
    flag_stats,
    full_report,
    group,
    record,
    summary,
)


def test_sections_follow_the_page_order() -> None:
    assert [type(s) for s in full_report().sections] == [
        Header,
        Totals,
        DamagedInputs,
        Anomalies,
        FlaggedRecords,
        ProposedRows,
    ]
    assert [type(s) for s in empty_report().sections] == [Header, Totals, Anomalies, FlaggedRecords, ProposedRows]
    assert full_report().appendix == ()


def test_header_and_totals_come_from_the_summary() -> None:
    header, totals = empty_report().sections[:2]
    assert header == Header(
        "gracenote-v1", "0123456789abcdef" * 4, "2026-12-02T00:00:00.000Z", "2026-12-02T00:00:01.500Z"
    )
    assert totals == Totals(
        CountTable(None, (("records in", 10), ("records annotated", 9), ("dead letters", 1), ("blank lines", 0))),
        CountTable(
            "verdict",
            (
                ("documented", 6),
                ("undocumented_code", 0),
                ("undocumented_subcode", 3),
                ("undocumented_message", 0),
                ("out_of_scope", 0),
            ),
        ),
        CountTable("flag", (("body_unparseable", 1), ("http_status_mismatch", 0))),
    )


def test_only_damaged_inputs_are_listed() -> None:
    report = build_report(summary(damaged="truncated gzip stream"), [], [], [])
    assert report.sections[2] == DamagedInputs((("logs/cut.log.gz", "truncated gzip stream"),))


def test_anomalies_keep_the_given_order_up_to_the_cap() -> None:
    groups = [group(record(resource=f"r{n:03d}")) for n in range(MAX_ANOMALIES + 5)]
    anomalies = build_report(summary(), groups, [], []).sections[2]
    assert anomalies == Anomalies(tuple(groups[:MAX_ANOMALIES]), 5)
    exactly = build_report(summary(), groups[:MAX_ANOMALIES], [], []).sections[2]
    assert exactly == Anomalies(tuple(groups[:MAX_ANOMALIES]), 0)


def test_flagged_records_are_shown_by_flag_name_with_their_stats() -> None:
    mismatch = record(flags=["http_status_mismatch"], source="b:1")
    unparseable = [record(flags=["body_unparseable"], source=f"a:{n}") for n in range(7)]
    flagged = [("http_status_mismatch", flag_stats(mismatch)), ("body_unparseable", flag_stats(*unparseable))]
    section = build_report(summary(), [], flagged, []).sections[3]
    assert section == FlaggedRecords(
        (
            FlagSamples("body_unparseable", 7, tuple(unparseable[:5])),
            FlagSamples("http_status_mismatch", 1, (mismatch,)),
        )
    )


def test_proposed_rows_and_appendix_are_kept_as_given() -> None:
    extra = GroupList("New in this run", (group(),))
    report = build_report(summary(), [group()], [], [PROPOSED], [extra])
    assert report.sections[-1] == ProposedRows((PROPOSED,))
    assert report.appendix == (extra,)


def test_text_from_logs_stays_raw() -> None:
    hostile = record(message="a|b `c`\n<script>", url="/x|<y>\n")
    anomalies = build_report(summary(), [group(hostile)], [], []).sections[2]
    assert isinstance(anomalies, Anomalies)
    assert anomalies.groups[0].message == "a|b `c`\n<script>"
    assert anomalies.groups[0].samples[0].url == "/x|<y>\n"


def test_new_groups_are_those_not_known_in_the_order_given() -> None:
    first, second, third = (group(record(resource=r)) for r in ("a", "b", "c"))
    section = new_groups_section([first, second, third], {second.id}, baseline=False)
    assert section == GroupList("New in this run", (first, third))
    assert new_groups_section([first], set(), baseline=True) == GroupList("Baseline: groups recorded", (first,))
    assert new_groups_section([first], {first.id}, baseline=False).groups == ()


def test_group_line_is_one_plain_line() -> None:
    assert group_line(group(RECORD, RECORD)) == (
        '412/710 "Title already in queue" on POST users/{user_token}/queues/instant (undocumented_subcode, 2)'
    )
    teapot = group(record(status_code=418, sub_code=None, message=None, method="GET", verdict="undocumented_code"))
    assert group_line(teapot) == '418 "" on GET users/{user_token}/queues/instant (undocumented_code, 1)'


def test_short_url_cuts_past_200_characters() -> None:
    assert short_url("/" + "a" * 199) == "/" + "a" * 199
    assert short_url("/" + "a" * 200) == "/" + "a" * 199 + "…"
    assert short_url(None) == ""


def test_group_notes_are_the_causes_in_order_then_who_sent_the_group() -> None:
    top = (ConsumerShare("abc", 2, 0.667), ConsumerShare("def", 1, 0.333))
    notes = group_notes(explained(RATE, RETRIED, BURST, top=top))
    assert notes == (
        "3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)",
        "2 of 3 were retried successfully within a median 1.0 s: intermittent",
        "1 episode: 2009-12-10 21:40\N{EN DASH}21:43",
        "1 of 2 consumers sent 67% (consumer abc): likely a client bug rather than an API bug",
    )
    assert cause_notes(explained(RATE, RETRIED, BURST, top=top)) == notes[:3]


def test_a_group_without_causes_or_top_consumers_has_no_notes() -> None:
    assert group_notes(group()) == () and cause_notes(group()) == ()


def test_top_consumers_alone_make_one_note_and_no_cause_note() -> None:
    assert cause_notes(explained(top=(ConsumerShare("abc", 3, 1.0),))) == ()
    assert group_notes(explained(top=(ConsumerShare("abc", 3, 1.0),))) == (
        "1 of 2 consumers sent 100% (consumer abc): likely a client bug rather than an API bug",
    )


def test_message_text_adds_the_note_in_parentheses() -> None:
    assert message_text(PROPOSED) == "Title already in queue"
    assert message_text(replace(PROPOSED, note="intermittent: retried successfully")) == (
        "Title already in queue (intermittent: retried successfully)"
    )
    assert message_text(replace(PROPOSED, message="", note="intermittent")) == "(intermittent)"
