"""report.md: the report model as Markdown, byte for byte, with log text escaped for Markdown."""

from __future__ import annotations

from dataclasses import replace

from statuslens.transforms.model.causes import ConsumerShare
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.render_markdown import escape, render_markdown
from statuslens.transforms.outputs.report_model import build_report, new_groups_section
from tests.transforms.outputs.report_samples import (
    BURST,
    RATE,
    RECORD,
    RETRIED,
    empty_report,
    explained,
    full_report,
    group,
    record,
    summary,
)

FULL = [
    "# statuslens report",
    "",
    "Catalog: `gracenote-v1` (sha256 0123456789ab…), run 2026-12-02T00:00:00.000Z → 2026-12-02T00:00:01.500Z.",
    "",
    "## Totals",
    "",
    "| | count |",
    "|---|---:|",
    "| records in | 10 |",
    "| records annotated | 9 |",
    "| dead letters | 1 |",
    "| blank lines | 0 |",
    "",
    "| verdict | count |",
    "|---|---:|",
    "| documented | 6 |",
    "| undocumented_code | 0 |",
    "| undocumented_subcode | 3 |",
    "| undocumented_message | 0 |",
    "| out_of_scope | 0 |",
    "",
    "| flag | count |",
    "|---|---:|",
    "| body_unparseable | 1 |",
    "| http_status_mismatch | 0 |",
    "",
    "Damaged inputs:",
    "",
    "- `logs/cut.log.gz`: truncated gzip stream",
    "",
    "## Anomalies, by count",
    "",
    '1. **412/710 "Title already in queue"** on `POST users/{user_token}/queues/instant` — undocumented_subcode, '
    "3 records, 2 consumers, 2009-12-10T21:40:10.000Z → 2009-12-10T21:40:12.000Z",
    "   - 412 is documented with subcodes 1, 2.",
    "   - example: `/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED` (logs/api.jsonl:7)",
    "2. **418** on `GET catalog/people` — undocumented_code, 1 record, 0 consumers, "
    "2009-12-10T21:40:10.000Z → 2009-12-10T21:40:10.000Z",
    "   - 418 is not in the table.",
    "   - example: `/catalog/people/1` (logs/api.jsonl:3)",
    "",
    "## Flagged records",
    "",
    "### body_unparseable (1)",
    "",
    "- `POST /users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED` HTTP 412, body code 412, body invalid "
    "(logs/api.jsonl:4)",
    "",
    "",
    "## Proposed table rows",
    "",
    "Paste into the documented table:",
    "",
    "| Code | Subcode | Applies to… | Status Message |",
    "|---|---|---|---|",
    "| 412 | 710 | POSTs to users/{user_token}/queues/instant | Title already in queue |",
    "| 418 |  | catalog/people |  |",
    "",
    "Evidence: 412/710 seen 3 times (undocumented_subcode); 418 seen 1 time (undocumented_code).",
]


def test_every_section_renders_in_order_byte_for_byte() -> None:
    assert render_markdown(full_report()) == "\n".join(FULL) + "\n"


def test_empty_sections_say_so_in_a_sentence() -> None:
    text = render_markdown(empty_report())
    assert "## Anomalies, by count\n\nNo anomalies: every record matched the documented table.\n" in text
    assert "## Flagged records\n\nNo record was flagged.\n" in text
    assert text.endswith("## Proposed table rows\n\nNothing to add: the table covers every response seen.\n")
    assert "Damaged inputs" not in text


def test_log_text_cannot_break_a_table_a_code_span_or_a_line() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("run `rm`") == "run 'rm'"
    assert escape("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert escape(" two\nlines\r\n  and\ttabs ") == "two lines and tabs"
    assert escape("C:\\temp") == "C:\\\\temp"
    assert escape(None) == ""


def test_a_group_from_hostile_logs_stays_on_its_lines() -> None:
    hostile = record(
        message="a|b `c` <script>x</script>\nsecond line",
        url="/q|`<script>\nnext",
        resource="x|{id}",
        source="a|b.log:1",
    )
    report = build_report(summary(), [group(hostile, explanation="why\n<b>|`")], [], [])
    lines = render_markdown(report).splitlines()
    first = lines.index("## Anomalies, by count") + 2
    assert lines[first] == (
        "1. **412/710 \"a\\|b 'c' &lt;script>x&lt;/script> second line\"** on `POST x\\|{id}` — undocumented_subcode, "
        "1 record, 1 consumer, 2009-12-10T21:40:10.000Z → 2009-12-10T21:40:10.000Z"
    )
    assert lines[first + 1] == "   - why &lt;b>\\|'"
    assert lines[first + 2] == "   - example: `/q\\|'&lt;script> next` (a\\|b.log:1)"
    assert lines[first + 3] == ""


def test_a_missing_explanation_leaves_an_empty_item() -> None:
    lines = render_markdown(build_report(summary(), [group(explanation=None)], [], [])).splitlines()
    assert lines[lines.index("## Anomalies, by count") + 3] == "   - "


def test_long_urls_are_cut_at_200_characters() -> None:
    url = "/" + "a" * 300
    text = render_markdown(build_report(summary(), [group(record(url=url))], [], []))
    assert f"   - example: `{url[:200]}…` (logs/api.jsonl:7)\n" in text


def test_beyond_100_groups_the_rest_are_counted() -> None:
    groups = [group(record(resource=f"r{n:03d}")) for n in range(105)]
    lines = render_markdown(build_report(summary(), groups, [], [])).splitlines()
    ranked = [line for line in lines if line[:1].isdigit()]
    assert len(ranked) == 100 and ranked[-1].startswith("100. ") and "r099" in ranked[-1]
    more = lines.index("… and 5 more groups in anomalies.jsonl.")
    assert lines[more - 1] == "" and lines[more + 1 : more + 4] == ["", "## Flagged records", ""]


def test_the_appendix_lists_new_groups_after_the_page() -> None:
    teapot = group(record(status_code=418, sub_code=None, message=None, method="DELETE", resource="oauth/clock/time"))
    known = group()
    report = build_report(summary(), [known, teapot], [], [], [new_groups_section([known, teapot], {known.id}, False)])
    assert render_markdown(report).endswith(
        '\n\n## New in this run\n\n- 418 "" on DELETE oauth/clock/time (undocumented_subcode, 1)\n'
    )


def test_an_appendix_with_nothing_new_says_so_and_baseline_has_its_title() -> None:
    report = build_report(summary(), [group()], [], [], [new_groups_section([], set(), True)])
    assert render_markdown(report).endswith("\n\n## Baseline: groups recorded\n\n- nothing new\n")


def test_appendix_lines_are_escaped_like_the_rest() -> None:
    odd = group(record(message="a|b\n<i>`x`</i>", resource="x\\y"))
    report = build_report(summary(), [odd], [], [], [new_groups_section([odd], set(), False)])
    assert render_markdown(report).endswith(
        "- 412/710 \"a\\|b &lt;i>'x'&lt;/i>\" on POST x\\\\y (undocumented_subcode, 1)\n"
    )


def test_causes_and_consumers_follow_the_explanation_one_item_each() -> None:
    top = (ConsumerShare("abc", 2, 0.667), ConsumerShare("def", 1, 0.333))
    report = build_report(summary(), [explained(RATE, RETRIED, BURST, top=top)], [], [])
    lines = render_markdown(report).splitlines()
    first = lines.index("## Anomalies, by count") + 2
    assert lines[first + 1 : first + 7] == [
        "   - 412 is documented with subcodes 1, 2.",
        "   - 3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)",
        "   - 2 of 3 were retried successfully within a median 1.0 s: intermittent",
        "   - 1 episode: 2009-12-10 21:40\N{EN DASH}21:43",
        "   - 1 of 2 consumers sent 67% (consumer abc): likely a client bug rather than an API bug",
        "   - example: `/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED` (logs/api.jsonl:7)",
    ]


def test_a_group_without_causes_or_consumers_renders_as_before() -> None:
    assert render_markdown(build_report(summary(), [explained()], [], [])) == render_markdown(
        build_report(summary(), [group(RECORD, record(consumer="def"), RECORD)], [], [])
    )


def test_consumer_ids_from_logs_are_escaped() -> None:
    top = (ConsumerShare("a|b`<x>", 1, 0.333), ConsumerShare("c\nd", 1, 0.333))
    lines = render_markdown(build_report(summary(), [explained(top=top)], [], [])).splitlines()
    first = lines.index("## Anomalies, by count") + 2
    assert lines[first + 2] == "   - Top consumers of 2: a\\|b'&lt;x> 1 (33%), c d 1 (33%)"


def test_a_proposed_row_shows_its_note_after_the_message() -> None:
    limited = ProposedRow(403, None, "All resources", "Developer Over Qps", 9, ("out_of_scope",), "more than 4 calls")
    bare = ProposedRow(405, None, "oauth/login", "", 3, ("undocumented_code",), "intermittent: retried successfully")
    lines = render_markdown(build_report(summary(), [], [], [limited, bare])).splitlines()
    assert "| 403 |  | All resources | Developer Over Qps (more than 4 calls) |" in lines
    assert "| 405 |  | oauth/login | (intermittent: retried successfully) |" in lines


def test_new_groups_show_their_causes_nested() -> None:
    new = explained(RATE, top=(ConsumerShare("abc", 3, 1.0),))
    report = build_report(summary(), [new], [], [], [new_groups_section([new], set(), False)])
    assert render_markdown(report).endswith(
        '\n\n## New in this run\n\n- 412/710 "Title already in queue" on POST users/{user_token}/queues/instant '
        "(undocumented_subcode, 3)\n"
        "  - 3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)\n"
    )


def test_the_run_over_time_is_a_table_of_the_periods_with_records() -> None:
    over = replace(RATE, over_limit=Timeline.of_times([1_260_481_210_000, 1_260_481_210_500]))
    limited = explained(over, BURST)
    timeline = Timeline.of_seconds(
        {
            (1_260_481_210, "documented", 200): 6,
            (1_260_481_210, "undocumented_subcode", 412): 2,
            (1_260_481_212, "undocumented_subcode", 412): 1,
        }
    )
    text = render_markdown(build_report(summary(), [limited], [], [], timeline=timeline))
    section = text.split("\n## Over time\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert section.splitlines() == [
        "Records per second (UTC; periods without records left out):",
        "",
        "| from | records | undocumented_code | undocumented_subcode | undocumented_message | out_of_scope "
        "| over the rate limit | burst |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        "| 2009-12-10 21:40:10 | 8 | 0 | 2 | 0 | 0 | 2 | yes |",
        "| 2009-12-10 21:40:12 | 1 | 0 | 1 | 0 | 0 | 0 | yes |",
        "",
        "Status codes: 200 66.7%, 412 33.3%.",
    ]
    assert text.index("## Totals") < text.index("## Over time") < text.index("## Anomalies, by count")
