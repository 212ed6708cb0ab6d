"""The report model: sections in page order, built once from a run's results, log text kept raw."""

from __future__ import annotations

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
    group_line,
    new_groups_section,
    short_url,
)
from tests.transforms.outputs.report_samples import (
    PROPOSED,
    RECORD,
    empty_report,
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
