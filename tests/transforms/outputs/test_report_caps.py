"""A run with many groups gets a report of bounded size: each list is capped and says how many more."""

from __future__ import annotations

from statuslens.transforms.outputs.proposals import propose_rows
from statuslens.transforms.outputs.render_html import render_html
from statuslens.transforms.outputs.render_markdown import render_markdown
from statuslens.transforms.outputs.report_model import MAX_ANOMALIES, MAX_LISTED, build_report, new_groups_section
from tests.transforms.outputs.report_samples import group, record, summary


def _groups(n: int) -> list:  # type: ignore[type-arg]
    return [group(record(message=f"distinct message {i}")) for i in range(n)]


def test_every_list_of_a_report_is_capped_with_and_n_more() -> None:
    n = 3 * MAX_LISTED
    groups = _groups(n)
    expected = {g.id: "known" for g in groups[::2]}
    new = new_groups_section(groups, set(), baseline=False)
    report = build_report(summary(), groups, [], propose_rows(groups, expected), [new], expected)
    markdown, page = render_markdown(report), render_html(report)
    ranked = n - len(expected)
    assert f"… and {ranked - MAX_ANOMALIES} more groups in anomalies.jsonl." in markdown
    assert f"… and {len(expected) - MAX_LISTED} more expected groups in anomalies.jsonl." in markdown
    assert f"… and {n - len(expected) - MAX_LISTED} more rows, from the groups in anomalies.jsonl." in markdown
    assert f"… and {n - MAX_LISTED} more groups in the JSON lines file." in markdown
    assert markdown.count("distinct message") < 6 * MAX_LISTED  # bounded, whatever n is
    for line in (
        f"<p>… and {ranked - MAX_ANOMALIES} more groups in anomalies.jsonl.</p>",
        f"<p>… and {n - MAX_LISTED} more groups in the JSON lines file.</p>",
    ):
        assert line in page
    assert len(new.groups) == n  # the new_anomalies.jsonl list itself is never capped


def test_a_report_size_does_not_grow_with_the_group_count() -> None:
    def size(n: int) -> int:
        groups = _groups(n)
        report = build_report(summary(), groups, [], propose_rows(groups), [new_groups_section(groups, set(), False)])
        return len(render_markdown(report)) + len(render_html(report))

    assert size(4_000) < 1.01 * size(1_000)


def test_short_lists_have_no_more_line() -> None:
    groups = _groups(3)
    report = build_report(summary(), groups, [], propose_rows(groups), [new_groups_section(groups, set(), False)])
    assert "… and" not in render_markdown(report) and "… and" not in render_html(report)
