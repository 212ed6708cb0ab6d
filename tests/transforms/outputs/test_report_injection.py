"""Fields from logs cannot inject markup or terminal controls into report.md or report.html."""

from __future__ import annotations

from statuslens.transforms.outputs.printable import one_line, show_controls
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.render_html import render_html
from statuslens.transforms.outputs.render_markdown import escape, render_markdown
from statuslens.transforms.outputs.report_model import build_report, new_groups_section
from tests.transforms.outputs.report_samples import flag_stats, group, record, summary

IMG = "<img src=x onerror=alert(1)>"


def _anomaly_line(report_md: str) -> str:
    lines = report_md.splitlines()
    return lines[lines.index("## Anomalies, by count") + 2]


def test_a_json_sub_code_and_a_method_go_through_the_escaper() -> None:
    hostile = group(record(sub_code=IMG, method="GE`T\n| x"))
    line = _anomaly_line(render_markdown(build_report(summary(), [hostile], [], [])))
    assert IMG not in line
    assert line.startswith('1. **412/&lt;img src=x onerror=alert(1)> "Title already in queue"** on `GE\'T \\| x ')


def test_a_proposed_row_with_a_text_sub_code_is_escaped() -> None:
    row = ProposedRow(412, "a|b\n" + IMG, "users", "msg", 2, ("undocumented_subcode",))
    md = render_markdown(build_report(summary(), [], [], [row]))
    assert IMG not in md
    assert "| 412 | a\\|b &lt;img src=x onerror=alert(1)> | users | msg |" in md.splitlines()
    assert "Evidence: 412/a\\|b &lt;img src=x onerror=alert(1)> seen 2 times (undocumented_subcode)." in md
    assert IMG not in render_html(build_report(summary(), [], [], [row]))


def test_flagged_samples_escape_their_method_and_codes() -> None:
    stats = flag_stats(record(method="P`OST\x1b[2J", status_code="7`1\n0"))
    md = render_markdown(build_report(summary(), [], [("gateway", stats)], []))
    assert "\x1b" not in md
    assert "- `P'OST\\\\x1b[2J " in md
    assert "body code 7'1 0," in md


def test_control_characters_are_shown_escaped_in_both_reports() -> None:
    hostile = group(record(message="red \x1b[31malert\x07 \x9b2J \u202eevil", resource="a\x00b"))
    report = build_report(summary(), [hostile], [], [], [new_groups_section([hostile], set(), False)])
    for text in (render_markdown(report), render_html(report)):
        for control in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
            assert control not in text
    assert "red \\\\x1b[31malert\\\\x07 \\\\x9b2J \\\\u202eevil" in render_markdown(report)
    assert "red \\x1b[31malert\\x07 \\x9b2J \\u202eevil" in render_html(report)


def test_new_in_this_run_stays_one_item_per_group_with_newlines_in_fields() -> None:
    odd = group(record(message="first\nsecond", resource="x\r\ny", method="GET\n- fake item"))
    report = build_report(summary(), [odd], [], [], [new_groups_section([odd], set(), False)])
    assert render_markdown(report).endswith(
        '\n\n## New in this run\n\n- 412/710 "first second" on GET - fake item x y (undocumented_subcode, 1)\n'
    )


def test_escape_and_one_line_show_controls() -> None:
    assert escape("a\x1bb") == "a\\\\x1bb"
    assert one_line("a\x1b[0m\nb") == "a\\x1b[0m b"
    assert show_controls("keep\nlines\x1b", multiline=True) == "keep\nlines\\x1b"
    assert show_controls("plain text") == "plain text"
