"""report.html: the report model as one self-contained page, byte for byte, with log text escaped."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace

from statuslens.transforms.model.causes import BurstCause, ConsumerShare, Episode
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.html_assets import CSP, CSS, SCRIPT
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.render_html import escape, render_html
from statuslens.transforms.outputs.render_markdown import render_markdown
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

HEAD = [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>statuslens report</title>",
    f"<style>{CSS}</style>",
    f"<script id=report-script>{SCRIPT}</script></head><body>",
    "<h1>statuslens report</h1>",
]
FULL = [
    *HEAD,
    "<p>Catalog <code>gracenote-v1</code>, run 2026-12-02T00:00:00.000Z → 2026-12-02T00:00:01.500Z.</p>",
    "<h2>Totals</h2><table class=totals>",
    "<tr><th>records in</th><td class=num>10</td></tr>",
    "<tr><th>records annotated</th><td class=num>9</td></tr>",
    "<tr><th>dead letters</th><td class=num>1</td></tr>",
    "<tr><th>blank lines</th><td class=num>0</td></tr>",
    "</table><table class=totals><tr><th>verdict</th><th>count</th></tr>",
    "<tr><td>documented</td><td class=num>6</td></tr>",
    "<tr><td>undocumented_code</td><td class=num>0</td></tr>",
    "<tr><td>undocumented_subcode</td><td class=num>3</td></tr>",
    "<tr><td>undocumented_message</td><td class=num>0</td></tr>",
    "<tr><td>out_of_scope</td><td class=num>0</td></tr>",
    "</table><table class=totals><tr><th>flag</th><th>count</th></tr>",
    "<tr><td>body_unparseable</td><td class=num>1</td></tr>",
    "<tr><td>http_status_mismatch</td><td class=num>0</td></tr>",
    "</table>",
    "<p>Damaged inputs:</p><ul>",
    "<li><code>logs/cut.log.gz</code>: truncated gzip stream</li>",
    "</ul>",
    "<h2>Anomalies, by count</h2>",
    "<table id=anomalies class='wide sortable cards anom'><tr><th>#</th><th>count</th><th>verdict</th><th>code</th>"
    "<th>subcode</th><th>message</th><th>request</th><th>consumers</th><th>seen</th>"
    "<th>explanation and example</th></tr>",
    "<tr><td class=num>1</td><td class=num>3</td><td>undocumented_subcode</td><td>412</td><td>710</td>"
    "<td>Title already in queue</td><td><code>POST users/{user_token}/queues/instant</code></td>"
    "<td class=num>2</td><td>2009-12-10 21:40:10.000Z →<br>2009-12-10 21:40:12.000Z</td>"
    "<td><span class=expl>412 is documented with subcodes 1, 2.</span><br>"
    "<code>/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code></td></tr>",
    "<tr><td class=num>2</td><td class=num>1</td><td>undocumented_code</td><td>418</td><td></td><td></td>"
    "<td><code>GET catalog/people</code></td><td class=num>0</td><td>2009-12-10 21:40:10.000Z</td>"
    "<td><span class=expl>418 is not in the table.</span><br><code>/catalog/people/1</code></td></tr>",
    "</table>",
    "<h2>Flagged records</h2>",
    "<h3>body_unparseable (1)</h3><ul>",
    "<li><code>POST /users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code> HTTP 412, body code 412, "
    "body invalid (logs/api.jsonl:4)</li>",
    "</ul>",
    "<h2>Proposed table rows</h2>",
    "<p>Paste into the documented table:</p>",
    "<table class='wide proposed cards'><tr><th>Code</th><th>Subcode</th><th>Applies to…</th>"
    "<th>Status Message</th><th>seen</th></tr>",
    "<tr><td>412</td><td>710</td><td>POSTs to users/{user_token}/queues/instant</td><td>Title already in queue</td>"
    "<td class=num>3</td></tr>",
    "<tr><td>418</td><td></td><td>catalog/people</td><td></td><td class=num>1</td></tr>",
    "</table>",
    "<details><summary>as Markdown</summary><pre id=proposed-md>| Code | Subcode | Applies to… | Status Message |",
    "|---|---|---|---|",
    "| 412 | 710 | POSTs to users/{user_token}/queues/instant | Title already in queue |",
    "| 418 |  | catalog/people |  |</pre></details>",
    "</body></html>",
]


def test_every_section_renders_in_order_byte_for_byte() -> None:
    assert render_html(full_report()) == "\n".join(FULL) + "\n"


def test_empty_sections_say_so_in_a_sentence() -> None:
    page = render_html(empty_report())
    assert "<h2>Anomalies, by count</h2>\n<p>No anomalies: every record matched the documented table.</p>\n" in page
    assert "<h2>Flagged records</h2>\n<p>No record was flagged.</p>\n" in page
    assert page.endswith(
        "<h2>Proposed table rows</h2>\n<p>Nothing to add: the table covers every response seen.</p>\n</body></html>\n"
    )
    assert "Damaged inputs" not in page


def test_escape_is_html_escape_with_quotes() -> None:
    assert escape('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert escape("a & 'b'") == "a &amp; &#x27;b&#x27;"
    assert escape(None) == "" and escape(710) == "710"


def test_log_text_never_becomes_markup() -> None:
    hostile = record(
        message="<img src=x onerror=alert(2)>",
        url="/a<script>alert(1)</script>|b",
        resource="x<b>",
        sub_code="<i>",
        source="a<b>.log:1",
    )
    page = render_html(build_report(summary(damaged="<gzip>"), [group(hostile, explanation="<u>")], [], []))
    assert "<script>" not in page and "<img" not in page
    for raw in ("<b>", "<i>", "<u>", "<gzip>"):
        assert raw not in page
    assert "<td>&lt;i&gt;</td><td>&lt;img src=x onerror=alert(2)&gt;</td><td><code>POST x&lt;b&gt;</code>" in page
    assert "<code>/a&lt;script&gt;alert(1)&lt;/script&gt;|b</code>" in page
    assert "<li><code>logs/cut.log.gz</code>: &lt;gzip&gt;</li>" in page


def test_beyond_100_groups_the_table_stops_at_100() -> None:
    groups = [group(record(resource=f"r{n:03d}")) for n in range(105)]
    page = render_html(build_report(summary(), groups, [], []))
    assert "<tr><td class=num>100</td>" in page and "<tr><td class=num>101</td>" not in page
    assert "r099" in page and "r100" not in page


def test_the_appendix_sits_before_the_closing_body_tag() -> None:
    teapot = group(record(status_code=418, sub_code=None, message=None, method="DELETE", resource="oauth/clock/time"))
    known = group()
    report = build_report(summary(), [known, teapot], [], [], [new_groups_section([known, teapot], {known.id}, False)])
    assert render_html(report).endswith(
        "every response seen.</p>\n<h2>New in this run</h2><ul><li>418 &quot;&quot; on DELETE oauth/clock/time "
        "(undocumented_subcode, 1)</li></ul></body></html>\n"
    )


def test_an_appendix_with_nothing_new_says_so_and_baseline_has_its_title() -> None:
    report = build_report(summary(), [], [], [], [new_groups_section([], set(), True)])
    assert render_html(report).endswith(
        "<h2>Baseline: groups recorded</h2><ul><li>nothing new</li></ul></body></html>\n"
    )


def test_appendix_lines_are_escaped() -> None:
    odd = group(record(message='<script>"x"</script>'))
    page = render_html(build_report(summary(), [odd], [], [], [new_groups_section([odd], set(), False)]))
    line = (
        "<li>412/710 &quot;&lt;script&gt;&quot;x&quot;&lt;/script&gt;&quot; on POST users/{user_token}/queues/instant"
    )
    assert f"{line} (undocumented_subcode, 1)</li>" in page
    assert "<script>" not in page


def test_causes_and_consumers_follow_the_explanation_a_line_each() -> None:
    top = (ConsumerShare("abc", 1, 0.333), ConsumerShare("def", 1, 0.333))
    page = render_html(build_report(summary(), [explained(RATE, BURST, top=top)], [], []))
    assert (
        "<td><span class=expl>412 is documented with subcodes 1, 2.</span>"
        "<br>3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)"
        "<br>1 episode: 2009-12-10 21:40\N{EN DASH}21:43"
        "<br>Top consumers of 2: abc 1 (33%), def 1 (33%)"
        "<br><code>/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code></td></tr>"
    ) in page


def test_a_group_without_causes_or_consumers_renders_as_before() -> None:
    assert render_html(build_report(summary(), [explained()], [], [])) == render_html(
        build_report(summary(), [group(RECORD, record(consumer="def"), RECORD)], [], [])
    )


def test_consumer_ids_never_become_markup() -> None:
    top = (ConsumerShare("<script>x</script>", 3, 1.0),)
    page = render_html(build_report(summary(), [explained(RETRIED, top=top)], [], []))
    assert "<script>" not in page
    assert "<br>1 of 2 consumers sent 100% (consumer &lt;script&gt;x&lt;/script&gt;): likely a client bug" in page


def test_a_proposed_row_shows_its_note_after_the_message() -> None:
    row = ProposedRow(405, None, "oauth/login", "Method <not> allowed", 3, ("undocumented_code",), "intermittent")
    page = render_html(build_report(summary(), [], [], [row]))
    assert "<td>oauth/login</td><td>Method &lt;not&gt; allowed (intermittent)</td><td class=num>3</td>" in page


def test_new_groups_show_their_causes_in_a_nested_list() -> None:
    new = explained(RATE, RETRIED)
    page = render_html(build_report(summary(), [new], [], [], [new_groups_section([new], set(), False)]))
    assert page.endswith(
        "<h2>New in this run</h2><ul><li>412/710 &quot;Title already in queue&quot; on POST "
        "users/{user_token}/queues/instant (undocumented_subcode, 3)<ul>"
        "<li>3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)</li>"
        "<li>2 of 3 were retried successfully within a median 1.0 s: intermittent</li></ul></li></ul>"
        "</body></html>\n"
    )


def charted_page() -> str:
    """The full report's groups with the run's timeline: the charts section and each group's own."""
    burst = replace(explained(RATE, BURST), top_consumers=(ConsumerShare("<b>k1</b>", 2, 0.667),))
    timeline = Timeline.of_seconds(
        {
            (1_260_481_210, "documented", 200): 6,
            (1_260_481_210, "undocumented_subcode", 412): 2,
            (1_260_481_212, "undocumented_subcode", 412): 1,
        }
    )
    return render_html(build_report(summary(), [burst], [], [], timeline=timeline))


def test_the_charts_follow_the_totals_with_data_and_a_caption() -> None:
    page = charted_page()
    section = page.split("<h2>Over time</h2><div class=charts>\n", 1)[1].split("\n</div>\n", 1)[0]
    timeline, codes, verdicts = section.split("\n")
    assert timeline.startswith("<figure class=full><figcaption>Anomalous records over time, by verdict</figcaption>")
    assert '<path class=v2 d="M' in timeline  # undocumented_subcode, the only anomalous verdict here
    assert "<title>2009-12-10 21:40:10: 2 anomalous, undocumented_subcode 2, in a burst</title>" in timeline
    assert "2009-12-10 21:40:10 → 2009-12-10 21:40:13 UTC, one bar per 1 s, tallest bar 2" in timeline
    assert "<span><i class=burst></i>burst episode</span>" in timeline
    assert '<path class=k0 d="M' in codes and "<span><i class=k1></i>412</span>" in codes
    assert "<tr><td>documented</td><td class=num>6</td><td class=num>66.7%</td>" in verdicts
    assert "<tr><td>undocumented_<wbr>subcode</td><td class=num>3</td>" in verdicts  # breaks at the underscore
    assert page.index("<h2>Totals</h2>") < page.index("<h2>Over time</h2>") < page.index("<h2>Anomalies")


def test_a_group_shows_its_timeline_and_top_consumers_on_demand() -> None:
    page = charted_page()
    row = page.split("<table id=anomalies", 1)[1].split("</table>\n", 1)[0]
    assert "<details><summary>over time</summary><svg viewBox=" in row
    assert "<details><summary>top</summary><table class='mini ids'>" in row
    assert "<tr><td>&lt;b&gt;k1&lt;/b&gt;</td><td class=num>2</td><td class=num>67%</td>" in row
    assert "<b>k1</b>" not in page


def test_without_a_timeline_there_is_no_chart_and_beyond_100_groups_a_line_says_how_many_more() -> None:
    groups = [group(record(resource=f"r{n:03d}")) for n in range(103)]
    page = render_html(build_report(summary(), groups, [], []))
    assert "<h2>Over time</h2>" not in page and "<svg" not in page
    assert "</table>\n<p>… and 3 more groups in anomalies.jsonl.</p>\n" in page


def test_the_page_allows_no_request_and_only_its_own_script() -> None:
    page = render_html(empty_report())
    assert "default-src 'none'" in CSP and "script-src 'sha256-" in CSP and "unsafe-inline'; img" in CSP
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP and page.count("<script") == 1
    assert "innerHTML" not in SCRIPT and "fetch" not in SCRIPT and "XMLHttpRequest" not in SCRIPT


def test_a_worst_case_report_stays_under_a_megabyte() -> None:
    """Bounded whatever the archive: 100 groups of 300 shown (each with a full timeline, bursts, rate
    limit and five long consumer ids), long texts cut, 100 expected and 100 new ones, 150 proposed rows."""
    start = 1_260_481_210_000
    burst = BurstCause(
        tuple(Episode(format_time(start + n * 1_000_000), format_time(start + n * 1_000_000 + 1), 5) for n in range(10))
    )
    over = replace(RATE, over_limit=Timeline.of_times(start + n * 2_000_000 for n in range(60)))
    groups = []
    for n in range(450):
        base = group(record(resource=f"r{n:03d}", message="m" * 10_000), explanation="e" * 10_000)
        stats = Timeline.of_times(start + k * 1_000_000 for k in range(120))
        top = tuple(ConsumerShare(f"{c}" * 500, 1, 0.2) for c in range(5))
        groups.append(replace(base, causes=(over, burst), top_consumers=top, timeline=stats))
    run = Timeline.of_seconds({((start + k * 1_000_000) // 1000, "out_of_scope", 400 + k % 30): 3 for k in range(120)})
    expected = {g.id: "r" * 10_000 for g in groups[150:300]}
    rows = [ProposedRow(400 + n, None, "All resources", "x" * 10_000, 1, ("out_of_scope",)) for n in range(150)]
    appendix = [new_groups_section(groups[300:], set(), True)]
    report = build_report(summary(), groups, [], rows, appendix, expected, run)
    page, markdown = render_html(report), render_markdown(report)
    assert page.count("<details><summary>over time</summary>") == 100
    assert "</table>\n<p>… and 200 more groups in anomalies.jsonl.</p>" in page  # 300 ranked, 150 expected
    assert "… and 50 more expected groups in anomalies.jsonl." in page
    assert page.endswith("</ul><p>… and 50 more groups in the JSON lines file.</p></body></html>\n")  # 150 new
    assert "m" * 301 not in page and "m" * 300 + "…" in page
    assert len(page) < 1_000_000 and len(markdown) < 1_000_000
