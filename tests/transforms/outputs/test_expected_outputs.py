"""What --expect and --since/--until change in the outputs (DOMAIN.md §10): expected groups have their own
report section (in the model and in both renderers, log text escaped), are never proposed, and the
summary's inputs state `filtered_out` only when a time filter was given (the totals always do)."""

from __future__ import annotations

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.outputs.proposals import propose_rows
from statuslens.transforms.outputs.render_html import render_html
from statuslens.transforms.outputs.render_markdown import render_markdown
from statuslens.transforms.outputs.report_model import Anomalies, ExpectedGroups, FlaggedRecords, Totals, build_report
from statuslens.transforms.outputs.summary import build_summary, counts_from_summary
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.transforms.outputs.report_samples import RECORD, group, record, summary

QUEUED = group(RECORD, record(source="logs/api.jsonl:9"))
TEAPOT = group(
    record(
        status_code=418, http_status=418, sub_code=None, message="I'm <b>a</b> | `teapot`", verdict="undocumented_code"
    )
)
REASON = "known since <2009> | see `OPS-12`"


def test_expected_groups_leave_the_ranked_list_for_their_own_section() -> None:
    report = build_report(summary(), [QUEUED, TEAPOT], [], [], expected={TEAPOT.id: REASON})
    kinds = [type(s) for s in report.sections]
    assert kinds.index(ExpectedGroups) == kinds.index(Anomalies) + 1
    assert kinds.index(FlaggedRecords) == kinds.index(ExpectedGroups) + 1
    anomalies = next(s for s in report.sections if isinstance(s, Anomalies))
    expected = next(s for s in report.sections if isinstance(s, ExpectedGroups))
    assert anomalies.groups == (QUEUED,) and anomalies.more == 0
    assert expected.groups == ((TEAPOT, REASON),)


def test_the_section_exists_only_with_an_expect_file() -> None:
    without = build_report(summary(), [QUEUED, TEAPOT], [], [])
    assert not any(isinstance(s, ExpectedGroups) for s in without.sections)
    matched_none = build_report(summary(), [QUEUED], [], [], expected={})
    assert ExpectedGroups(()) in matched_none.sections


def test_markdown_lists_each_expected_group_with_its_reason_escaped() -> None:
    text = render_markdown(build_report(summary(), [QUEUED, TEAPOT], [], [], expected={TEAPOT.id: REASON}))
    section = text.split("## Expected anomalies\n", 1)[1].split("\n## ", 1)[0]
    assert section.splitlines() == [
        "",
        "Known groups, named in the --expect file with a reason:",
        "",
        "- 418 \"I'm &lt;b>a&lt;/b> \\| 'teapot'\" on POST users/{user_token}/queues/instant (undocumented_code, 1)",
        "  - expected: known since &lt;2009> \\| see 'OPS-12'",
    ]
    ranked = text.split("## Anomalies, by count\n", 1)[1].split("\n## ", 1)[0]
    assert "418" not in ranked and "412/710" in ranked


def test_markdown_says_when_no_group_matched() -> None:
    text = render_markdown(build_report(summary(), [QUEUED], [], [], expected={}))
    assert "## Expected anomalies\n\nNo group matched an --expect entry.\n" in text


def test_html_has_a_table_of_expected_groups_with_log_text_escaped() -> None:
    page = render_html(build_report(summary(), [QUEUED, TEAPOT], [], [], expected={TEAPOT.id: REASON}))
    section = page.split("<h2>Expected anomalies</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<th>reason</th>" in section
    assert "<td>I&#x27;m &lt;b&gt;a&lt;/b&gt; | `teapot`</td>" in section
    assert "<td>known since &lt;2009&gt; | see `OPS-12`</td>" in section
    assert "<b>" not in page
    ranked = page.split("<h2>Anomalies, by count</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<td>418</td>" not in ranked and "<td>412</td>" in ranked


def test_expected_groups_are_never_proposed() -> None:
    assert [row.code for row in propose_rows([QUEUED, TEAPOT])] == [412, 418]
    assert [row.code for row in propose_rows([QUEUED, TEAPOT], expected={TEAPOT.id})] == [412]
    assert propose_rows([TEAPOT], expected={TEAPOT.id}) == []


COUNTS = Counts(
    records_in=9,
    records_annotated=5,
    dead_letter=2,
    filtered_out=2,
    inputs={"a.jsonl": InputCounts(5, 1, 2), "b.log": InputCounts(0, 1)},
)
INPUTS = [InputInfo("a.jsonl", "jsonl", "none", None), InputInfo("b.log", "combined", "none", None)]


def test_the_summary_states_filtered_out_after_dead_letter_when_filtered() -> None:
    doc = build_summary(COUNTS, INPUTS, load_catalog(), "t0", "t1", time_filtered=True)
    assert list(doc)[:5] == ["records_in", "records_annotated", "dead_letter", "filtered_out", "blank_lines"]
    assert doc["records_in"] == doc["records_annotated"] + doc["dead_letter"] + doc["filtered_out"]
    assert [list(i)[:6] for i in doc["inputs"]] == [
        ["path", "format", "compression", "records", "dead_letter", "filtered_out"]
    ] * 2
    assert [(i["records"], i["dead_letter"], i["filtered_out"]) for i in doc["inputs"]] == [(5, 1, 2), (0, 1, 0)]
    assert counts_from_summary(doc).filtered_out == 2
    assert counts_from_summary(doc).inputs["a.jsonl"] == InputCounts(5, 1, 2)


def test_without_a_time_filter_filtered_out_is_0_and_the_inputs_have_no_such_key() -> None:
    doc = build_summary(Counts(records_in=1, records_annotated=1), INPUTS, load_catalog(), "t0", "t1")
    assert doc["filtered_out"] == 0 and all("filtered_out" not in i for i in doc["inputs"])


def test_the_report_totals_show_filtered_out_only_for_a_time_filtered_run() -> None:
    def rows(doc: dict) -> list[str]:  # type: ignore[type-arg]
        totals = next(s for s in build_report(doc, [], [], []).sections if isinstance(s, Totals))
        return [name for name, _ in totals.records.rows]

    assert rows(summary()) == ["records in", "records annotated", "dead letters", "blank lines"]
    assert rows({**summary(), "filtered_out": 0}) == ["records in", "records annotated", "dead letters", "blank lines"]
    one_input = {"path": "a.log", "format": "combined", "compression": "none", "records": 1, "dead_letter": 0}
    filtered = {**summary(), "filtered_out": 4, "inputs": [{**one_input, "filtered_out": 4, "damaged": None}]}
    assert rows(filtered) == ["records in", "records annotated", "dead letters", "filtered out", "blank lines"]
    assert "| filtered out | 4 |" in render_markdown(build_report(filtered, [], [], []))
    assert "<tr><th>filtered out</th><td class=num>4</td></tr>" in render_html(build_report(filtered, [], [], []))
